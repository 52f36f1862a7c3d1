"""Strict checks of POST /api/render/batches: the request's own fields (JSON, or the form
fields of a multipart upload), then every row against every template — all problems are
reported in one 400 before anything is charged or queued."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings

from batches.parsing import RowErrors, rows_from_file, rows_from_json
from core.errors import ApiError, ValidationFailed
from rendering.engine.types import DEFAULT_QUALITY, FORMATS
from rendering.validation import MAX_METADATA_BYTES, Errors

FIELDS = ("projectId", "projectIds", "rows", "format", "quality", "notifyEachRow")
FORM_FIELDS = (*FIELDS[:2], *FIELDS[3:], "file")
MAX_PROJECTS = 10


@dataclass
class BatchRequest:
    project_ids: list[str]
    rows: list[dict]
    format: str = "png"
    quality: int = DEFAULT_QUALITY
    notify_each_row: bool = False
    errors: RowErrors = field(default_factory=RowErrors)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _project_ids(body, errors: Errors) -> list[str]:
    one, many = body.get("projectId"), body.get("projectIds")
    if one is not None and many is not None:
        errors.add("projectId", "Give either projectId or projectIds, not both.")
        return []
    if one is None and many is None:
        errors.add("projectId", "projectId (or projectIds) is required.")
        return []
    if one is not None:
        if not (isinstance(one, str) and one.strip()):
            errors.add("projectId", "Must be a non-empty string.")
            return []
        return [one.strip()]
    if not isinstance(many, list) or not many or not all(isinstance(p, str) and p.strip() for p in many):
        errors.add("projectIds", "Must be a non-empty list of project ids.")
        return []
    ids = list(dict.fromkeys(p.strip() for p in many))
    if len(ids) > MAX_PROJECTS:
        errors.add("projectIds", f"At most {MAX_PROJECTS} projects.")
    return ids


def _options(body, errors: Errors) -> tuple[str, int, bool]:
    fmt = body.get("format")
    if fmt is None:
        fmt = "png"
    elif not isinstance(fmt, str) or fmt not in FORMATS:
        errors.add("format", "Must be one of png, jpeg, webp.")
    quality = body.get("quality")
    if quality is None:
        quality = DEFAULT_QUALITY
    elif not _is_int(quality):
        errors.add("quality", "Must be an integer.")
    elif not 1 <= quality <= 100:
        errors.add("quality", "Must be between 1 and 100.")
    notify = body.get("notifyEachRow")
    if notify is None:
        notify = False
    elif not isinstance(notify, bool):
        errors.add("notifyEachRow", "Must be a boolean.")
    return fmt, quality, notify


def parse_json_body(body) -> BatchRequest:
    if not isinstance(body, dict):
        raise ValidationFailed("The body must be a JSON object.", details={"non_field_errors": ["Expected a JSON object."]})
    errors = Errors()
    for key in body:
        if key not in FIELDS:
            errors.add(key, "Unknown field.")
    project_ids = _project_ids(body, errors)
    fmt, quality, notify = _options(body, errors)
    if "rows" not in body:
        errors.add("rows", "Required: a list of {\"data\": {…}} objects (or upload a CSV/XLSX file).")
    errors.raise_if_any()
    request = BatchRequest(project_ids=project_ids, rows=[], format=fmt, quality=quality, notify_each_row=notify)
    request.rows = rows_from_json(body["rows"], request.errors)
    return request


def _form_value(raw: str):
    """Form fields are strings: numbers and booleans are read as JSON, ids stay strings."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_form_body(data, files) -> BatchRequest:
    """multipart/form-data: `file` (CSV or XLSX) plus the JSON fields as form fields
    (`projectIds` repeated or comma-separated)."""
    errors = Errors()
    for key in list(data.keys()) + list(files.keys()):
        if key not in FORM_FIELDS:
            errors.add(key, "Unknown field." if key != "rows" else "Send rows as JSON, or upload a file — not both.")
    body: dict = {}
    if data.get("projectId"):
        body["projectId"] = data.get("projectId")
    many = [p for value in data.getlist("projectIds") for p in value.split(",") if p.strip()]
    if many:
        body["projectIds"] = many
    for name in ("format", "quality", "notifyEachRow"):
        if data.get(name) not in (None, ""):
            body[name] = data.get(name) if name == "format" else _form_value(data.get(name))
    project_ids = _project_ids(body, errors)
    fmt, quality, notify = _options(body, errors)
    upload = files.get("file")
    if upload is None:
        errors.add("file", "Required: a CSV or XLSX file whose columns are '<key>.text' / '<key>.img'.")
    errors.raise_if_any()
    request = BatchRequest(project_ids=project_ids, rows=[], format=fmt, quality=quality, notify_each_row=notify)
    request.rows = rows_from_file(upload, request.errors)
    return request


def check_rows(request: BatchRequest, projects: list) -> None:
    """Every row against every template (keys, value types, image URLs), its format and its
    metadata. Raises one ValidationFailed listing the bad rows; changes nothing."""
    from projects.document import validate_data

    errors = request.errors
    total = len(request.rows) * len(projects)
    if total > settings.BATCH_MAX_ROWS:
        raise ValidationFailed(
            f"A batch renders at most {settings.BATCH_MAX_ROWS} images; {len(request.rows)} rows × "
            f"{len(projects)} projects is {total}.", details={"rows": [f"At most {settings.BATCH_MAX_ROWS} images."]})
    several = len(projects) > 1
    for row in request.rows:
        number = row["row"]
        fmt = row.get("format")
        if fmt is not None and (not isinstance(fmt, str) or fmt not in FORMATS):
            errors.add(number, "format", "Must be one of png, jpeg, webp.")
        metadata = row.get("metadata")
        if metadata is None:
            row["metadata"] = {}
        elif not isinstance(metadata, dict):
            errors.add(number, "metadata", "Must be an object.")
        elif len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_METADATA_BYTES:
            errors.add(number, "metadata", f"Must be at most {MAX_METADATA_BYTES} bytes of JSON.")
        for project in projects:
            try:
                validate_data(project.document, row["data"])
            except ApiError as exc:
                for path, messages in (exc.details or {"data": [exc.message]}).items():
                    key = path[len("data."):] if path.startswith("data.") else path
                    errors.add(number, key, messages[0], str(project.pk) if several else None)
    errors.raise_if_any()
