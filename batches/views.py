"""The dashboard's Batch page of a template (/render/projects/<id>/batch): choose a CSV, map
its columns to the template's dynamic keys, preview the first rows, start, follow the batch
live, download the ZIP, retry failed rows. The page's behaviour is static/dashboard/batch.ts;
every action goes through the REST API (session + CSRF)."""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from batches.selectors import batch_list, row_counts
from batches.serializers import batch_to_dict
from projects.document import dynamic_elements
from projects.models import Project

RECENT = 5


def _strings() -> dict:
    return {
        "keepTemplate": _("— keep the template's value —"),
        "noFile": _("Choose a CSV file first."),
        "parseFailed": _("The file could not be read: %(error)s"),
        "emptyFile": _("The file has no rows under its header."),
        "tooManyRows": _("A batch takes at most %(max)s rows; this file has %(count)s."),
        "rowsFound": _("%(count)s rows, %(columns)s columns"),
        "nothingMapped": _("Map at least one column to a key."),
        "previewFailed": _("Preview failed: %(error)s"),
        "previewRow": _("Row %(row)s"),
        "startFailed": _("The batch could not be started: %(error)s"),
        "badRow": _("Row %(row)s, %(key)s: %(message)s"),
        "started": _("Batch started: %(count)s images."),
        "cancelTitle": _("Cancel this batch?"),
        "cancelBody": _("Rows that haven't started are canceled and their credits refunded."),
        "cancelOk": _("Cancel batch"),
        "cancelFailed": _("The batch could not be canceled: %(error)s"),
        "retryFailed": _("The failed rows could not be retried: %(error)s"),
        "retried": _("Retrying %(count)s failed rows."),
        "progress": _("%(done)s of %(total)s done · %(failed)s failed"),
        "status.pending": _("Pending"),
        "status.processing": _("Processing"),
        "status.completed": _("Completed"),
        "status.partial": _("Partial"),
        "status.failed": _("Failed"),
        "status.canceled": _("Canceled"),
        "live": _("Live"),
        "noFailures": _("No failed rows."),
    }


@login_required
@require_safe
def batch_page(request, project_id):
    project = Project.objects.filter(account=request.user, pk=project_id).first()
    if project is None:
        raise Http404()
    recent = list(batch_list(account=request.user, project_id=str(project.pk))[:RECENT])
    counts = row_counts([b.id for b in recent])
    boot = {
        "csrfToken": get_token(request),
        "project": {"id": str(project.pk), "name": project.name, "width": project.width, "height": project.height,
                    "dynamicElements": dynamic_elements(project.document)},
        "batches": [batch_to_dict(b, counts[b.id]) for b in recent],
        "maxRows": settings.BATCH_MAX_ROWS,
        "previewRows": 3,
    }
    history = [{**data, "created": batch.created_at} for batch, data in zip(recent, boot["batches"], strict=True)]
    return render(request, "batches/batch.html", {"project": project, "boot": boot, "strings": _strings(),
                                                  "recent": history})
