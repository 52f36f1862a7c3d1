"""Every write to templates, categories, assets and fonts. Each service validates first and
changes nothing when it refuses; saving a project pushes `project.updated` to the project's
live group after the commit."""
import datetime as dt
import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from core.errors import Conflict, Forbidden, PayloadTooLarge, ValidationFailed
from core.live import live_send, project_group
from projects import uploads
from projects.document import validate_document
from projects.models import MAX_CANVAS, Asset, Category, Font, Project
from projects.selectors import category_get

NAME_MAX = 200
EMPTY_DOCUMENT = {"version": 1, "background": {"color": "#ffffff"}, "elements": []}


# --- small checks --------------------------------------------------------------------------

def _name(value, *, field: str = "name", max_length: int = NAME_MAX) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{field} is required.", details={field: ["Required, a non-empty string."]})
    value = " ".join(value.split())
    if len(value) > max_length:
        raise ValidationFailed(f"{field} is too long.", details={field: [f"At most {max_length} characters."]})
    return value


def _dimension(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValidationFailed(f"{field} must be an integer.", details={field: ["Must be an integer."]})
    if not (1 <= value <= MAX_CANVAS):
        raise ValidationFailed(f"{field} must be between 1 and {MAX_CANVAS}.",
                               details={field: [f"Must be ≥ 1 and ≤ {MAX_CANVAS}."]})
    return value


def _category_for(*, account, credential, category_id):
    if category_id in (None, ""):
        category = None
    else:
        if not isinstance(category_id, str):
            raise ValidationFailed("categoryId must be a string.", details={"categoryId": ["Must be a string."]})
        category = category_get(account=account, category_id=category_id)
    if credential is not None and not credential.allows_category(category.pk if category else None):
        raise Forbidden("This session may not put templates in that category.")
    return category


def _announce(project: Project) -> None:
    from projects.serializers import project_to_dict

    payload = project_to_dict(project)
    transaction.on_commit(lambda: live_send(project_group(project.pk), "project.updated", payload))


# --- categories ----------------------------------------------------------------------------

def category_create(*, account, credential, name) -> Category:
    name = _name(name, max_length=100)
    if credential is not None and not credential.allows_category(None):
        raise Forbidden("This session may not create categories.")
    try:
        with transaction.atomic():
            return Category.objects.create(account=account, name=name)
    except IntegrityError:
        raise Conflict("A category with that name already exists.", details={"name": ["Already exists."]}) from None


def category_rename(*, account, credential, category: Category, name) -> Category:
    name = _name(name, max_length=100)
    if credential is not None and not credential.allows_category(None):
        raise Forbidden("This session may not change categories.")
    try:
        with transaction.atomic():
            Category.objects.filter(pk=category.pk, account=account).update(name=name)
    except IntegrityError:
        raise Conflict("A category with that name already exists.", details={"name": ["Already exists."]}) from None
    category.refresh_from_db()
    return category


def category_delete(*, account, credential, category: Category) -> None:
    """Templates of the category stay; they just have no category any more."""
    if credential is not None and not credential.allows_category(None):
        raise Forbidden("This session may not delete categories.")
    Category.objects.filter(pk=category.pk, account=account).delete()


# --- projects ------------------------------------------------------------------------------

def project_create(*, account, credential, name, width, height, category_id=None, document=None) -> Project:
    name = _name(name)
    width, height = _dimension(width, "width"), _dimension(height, "height")
    if category_id in (None, "") and credential is not None and credential.kind == "embed" and credential.category_id:
        category_id = credential.category_id  # an embed session restricted to a category creates there
    category = _category_for(account=account, credential=credential, category_id=category_id)
    doc = validate_document(EMPTY_DOCUMENT if document is None else document, width=width, height=height)
    with transaction.atomic():
        project = Project.objects.create(account=account, name=name, width=width, height=height,
                                         category=category, document=doc)
        _announce(project)
    return project


def _ms(value: dt.datetime) -> dt.datetime:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def project_update(*, account, credential, project: Project, changes: dict,
                   unmodified_since: dt.datetime | None = None, second_precision: bool = False) -> Project:
    """Apply a partial change (name, width, height, categoryId, document). With
    `unmodified_since` (the updatedAt the client last saw), a row saved after it → 409 CONFLICT."""
    fields: dict = {}
    if "name" in changes:
        fields["name"] = _name(changes["name"])
    if "width" in changes:
        fields["width"] = _dimension(changes["width"], "width")
    if "height" in changes:
        fields["height"] = _dimension(changes["height"], "height")
    if "categoryId" in changes:
        fields["category"] = _category_for(account=account, credential=credential, category_id=changes["categoryId"])
    width = fields.get("width", project.width)
    height = fields.get("height", project.height)
    if "document" in changes:
        if changes["document"] is None:
            raise ValidationFailed("document can't be null.", details={"document": ["Must be an object."]})
        fields["document"] = validate_document(changes["document"], width=width, height=height)

    with transaction.atomic():
        row = Project.objects.select_for_update().filter(pk=project.pk, account=account).first()
        if row is None:
            from core.errors import ProjectNotFound

            raise ProjectNotFound()
        if unmodified_since is not None:
            current = row.updated_at.replace(microsecond=0) if second_precision else _ms(row.updated_at)
            if current > unmodified_since:
                from projects.serializers import project_to_dict

                raise Conflict(
                    "The template was changed after the version you edited; reload it and apply your changes again.",
                    extra={"project": project_to_dict(row)},
                )
        for key, value in fields.items():
            setattr(row, key, value)
        row.save()
        _announce(row)
    return row


def project_delete(*, account, credential, project: Project) -> None:
    with transaction.atomic():
        Project.objects.filter(pk=project.pk, account=account).delete()
    transaction.on_commit(lambda: live_send(project_group(project.pk), "project.deleted", {"id": str(project.pk)}))


def project_duplicate(*, account, credential, project: Project, name=None) -> Project:
    if name is None:
        suffix = " (copy)"
        name = project.name[: NAME_MAX - len(suffix)] + suffix
    return project_create(account=account, credential=credential, name=name, width=project.width,
                          height=project.height, category_id=str(project.category_id) if project.category_id else None,
                          document=project.document)


# --- uploads -------------------------------------------------------------------------------

def _read_upload(upload) -> bytes:
    limit = settings.API_MAX_UPLOAD_BYTES
    if upload is None:
        raise ValidationFailed("file is required (multipart/form-data).", details={"file": ["Required."]})
    if upload.size is not None and upload.size > limit:
        raise PayloadTooLarge(f"Upload exceeds {limit // (1024 * 1024)} MB.")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"Upload exceeds {limit // (1024 * 1024)} MB.")
    return data


def _original_name(upload) -> str:
    name = getattr(upload, "name", "") or ""
    return "".join(ch for ch in name if ch.isprintable())[:255]


def asset_create(*, account, credential, upload) -> Asset:
    """Check the image (content, not name), store it under a generated name, record it."""
    checked = uploads.check_image(_read_upload(upload))
    asset = Asset(
        account=account, original_name=_original_name(upload), mime=checked.mime, width=checked.width,
        height=checked.height, bytes=len(checked.content), sha256=hashlib.sha256(checked.content).hexdigest(),
    )
    # The file is written outside the transaction; the row exists only once the file does.
    asset.file.save(f"upload.{checked.ext}", ContentFile(checked.content), save=False)
    try:
        asset.save()
    except Exception:
        default_storage.delete(asset.file.name)
        raise
    return asset


def asset_delete(*, account, credential, asset: Asset) -> None:
    if credential.kind == "embed":
        raise Forbidden("An embed session may not delete the account's assets.")
    name = asset.file.name
    Asset.objects.filter(pk=asset.pk, account=account).delete()
    transaction.on_commit(lambda: default_storage.delete(name))


def font_create(*, account, credential, upload) -> Font:
    checked = uploads.check_font(_read_upload(upload))
    font = Font(
        account=account, family_name=checked.family_name, weight=checked.weight, style=checked.style,
        format=checked.format, original_name=_original_name(upload), bytes=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
    )
    font.file.save(f"font.{checked.format}", ContentFile(checked.content), save=False)
    try:
        font.save()
    except Exception:
        default_storage.delete(font.file.name)
        raise
    return font


def font_delete(*, account, credential, font: Font) -> None:
    if credential.kind == "embed":
        raise Forbidden("An embed session may not delete the account's fonts.")
    name = font.file.name
    Font.objects.filter(pk=font.pk, account=account).delete()
    transaction.on_commit(lambda: default_storage.delete(name))


# --- the demo template ---------------------------------------------------------------------

DEMO_NAME = "Demo: Summer launch"


def demo_document() -> dict:
    """A 1080×1080 card: a dynamic `title`, a dynamic `subtitle`, a dynamic `hero` image slot
    (empty by default, so it renders with no network) and shapes."""
    return {
        "version": 1,
        "background": {"color": "#0f172a"},
        "elements": [
            {"id": "glow", "type": "shape", "shape": "ellipse", "x": 560, "y": -220, "width": 760, "height": 760,
             "fill": "rgba(99, 102, 241, 0.35)", "opacity": 1},
            {"id": "glow2", "type": "shape", "shape": "ellipse", "x": -260, "y": 640, "width": 640, "height": 640,
             "fill": "rgba(245, 158, 11, 0.22)"},
            {"id": "hero-frame", "type": "shape", "shape": "rect", "x": 96, "y": 96, "width": 888, "height": 480,
             "fill": "#1e293b", "stroke": "#334155", "strokeWidth": 2, "borderRadius": 32},
            {"id": "hero", "type": "image", "x": 96, "y": 96, "width": 888, "height": 480, "dynamicKey": "hero",
             "placeholder": "Hero image (https URL)", "src": "", "fit": "cover", "borderRadius": 32},
            {"id": "accent", "type": "shape", "shape": "rect", "x": 96, "y": 640, "width": 120, "height": 10,
             "fill": "#f59e0b", "borderRadius": 5},
            {"id": "title", "type": "text", "x": 96, "y": 676, "width": 888, "height": 170, "dynamicKey": "title",
             "placeholder": "Title", "text": "Summer launch",
             "style": {"fontFamily": "Noto Sans", "fontSize": 96, "fontWeight": 800, "color": "#ffffff",
                       "textAlign": "start", "verticalAlign": "middle", "lineHeight": 1.1, "autoFit": True}},
            {"id": "subtitle", "type": "text", "x": 96, "y": 858, "width": 888, "height": 90,
             "dynamicKey": "subtitle", "placeholder": "Subtitle", "text": "New arrivals, every week in June",
             "style": {"fontFamily": "Noto Sans", "fontSize": 40, "fontWeight": 400, "color": "#cbd5e1",
                       "textAlign": "start", "verticalAlign": "top", "lineHeight": 1.3, "autoFit": True}},
            {"id": "badge", "type": "shape", "shape": "rect", "x": 804, "y": 972, "width": 180, "height": 56,
             "fill": "#f59e0b", "borderRadius": 28},
            {"id": "badge-text", "type": "text", "x": 804, "y": 972, "width": 180, "height": 56, "text": "AUDOME",
             "style": {"fontFamily": "Noto Sans", "fontSize": 24, "fontWeight": 700, "color": "#0f172a",
                       "textAlign": "center", "verticalAlign": "middle", "lineHeight": 1, "letterSpacing": 2}},
        ],
    }


def demo_project_ensure(*, account) -> Project:
    """The account's demo template (created once; kept as it is if it exists)."""
    existing = Project.objects.filter(account=account, name=DEMO_NAME).order_by("created_at").first()
    if existing is not None:
        return existing
    return project_create(account=account, credential=None, name=DEMO_NAME, width=1080, height=1080,
                          document=demo_document())
