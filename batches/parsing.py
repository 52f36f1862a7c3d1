"""The rows of a batch request, from JSON or from an uploaded CSV / XLSX file, as a list of
`{"row": n, "data": {…}, "metadata": {…}, "format": …}` (row numbers from 1). Only the shape is
checked here; values are checked against the templates by batches.validation.

JSON: `rows` is a list of objects `{"data": {"title.text": …}, "metadata"?: {…}, "format"?: …}`;
the short form `{"title.text": …}` (data keys at the top) is accepted too.
Files: the first row names the columns — `<key>.text` / `<key>.img` for the template's dynamic
values, optionally `format` and `metadata.<name>`; an empty cell keeps the template's value."""
from __future__ import annotations

import csv
import io
import zipfile

from django.conf import settings

from core.errors import ValidationFailed

ROW_FIELDS = ("data", "metadata", "format")
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)
MAX_CELL_CHARS = 10_000


class RowErrors:
    """Problems of individual rows: (row number, key, message), reported together."""

    def __init__(self, limit: int = 100):
        self.items: list[dict] = []
        self.count = 0
        self.limit = limit

    def add(self, row: int | None, key: str, message: str, project_id: str | None = None) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            item = {"row": row, "key": key, "message": message}
            if project_id:
                item["projectId"] = project_id
            self.items.append(item)

    def raise_if_any(self) -> None:
        if not self.count:
            return
        details: dict[str, list[str]] = {}
        for item in self.items:
            field = f"rows[{item['row']}].{item['key']}" if item["row"] is not None else item["key"]
            details.setdefault(field, []).append(item["message"])
        first = self.items[0]
        where = f"row {first['row']}, {first['key']}" if first["row"] is not None else first["key"]
        rows = sorted({i["row"] for i in self.items if i["row"] is not None})
        raise ValidationFailed(
            f"{self.count} problem(s) in the batch's rows; nothing was queued or charged. First: {where}: "
            f"{first['message']}",
            details=details,
            extra={"badRows": self.items, "badRowCount": len(rows) if self.count == len(self.items) else None,
                   "problemCount": self.count},
        )


def _too_many(count: int) -> ValidationFailed:
    limit = settings.BATCH_MAX_ROWS
    return ValidationFailed(f"A batch takes at most {limit} rows; this one has {count if count <= limit else 'more'}.",
                            details={"rows": [f"At most {limit} rows."]})


# --- JSON ------------------------------------------------------------------------------------

def rows_from_json(rows, errors: RowErrors) -> list[dict]:
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed("rows must be a non-empty list of row objects.",
                               details={"rows": ['A non-empty list of {"data": {…}} objects.']})
    if len(rows) > settings.BATCH_MAX_ROWS:
        raise _too_many(len(rows))
    out = []
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            errors.add(number, "row", 'Must be an object: {"data": {…}, "metadata"?: {…}, "format"?: …}.')
            continue
        flat = {k: v for k, v in raw.items() if k not in ROW_FIELDS}
        if "data" in raw and flat:
            errors.add(number, next(iter(flat)), 'Unknown field (put dynamic values inside "data").')
            continue
        data = raw.get("data", flat if "data" not in raw else None)
        if not isinstance(data, dict):
            errors.add(number, "data", 'Must be an object of "<key>.text" / "<key>.img" values.')
            continue
        out.append({"row": number, "data": data, "metadata": raw.get("metadata"), "format": raw.get("format")})
    return out


# --- files -----------------------------------------------------------------------------------

def _columns(header: list, errors: RowErrors) -> list[tuple[str, str] | None]:
    """What each column holds: ("data", "title.text"), ("metadata", "order"), ("format", "") or
    None for an unnamed, empty column."""
    kinds: list[tuple[str, str] | None] = []
    seen: set[str] = set()
    for index, name in enumerate(header, start=1):
        name = _cell(name).strip()
        if not name:
            kinds.append(None)
            continue
        if name in seen:
            errors.add(None, f"columns.{name}", f"Column {index} repeats the name '{name}'.")
        seen.add(name)
        if name == "format":
            kinds.append(("format", ""))
        elif name.startswith("metadata.") and len(name) > len("metadata."):
            kinds.append(("metadata", name[len("metadata."):]))
        elif name.endswith((".text", ".img")) and len(name.rpartition(".")[0]) > 0:
            kinds.append(("data", name))
        else:
            errors.add(None, f"columns.{name}",
                       f"Column {index} ('{name}') is not '<key>.text', '<key>.img', 'format' or 'metadata.<name>'.")
            kinds.append(None)
    return kinds


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows_from_table(table, errors: RowErrors) -> list[dict]:
    """`table` yields lists of cells, the first being the header."""
    iterator = iter(table)
    header = next(iterator, None)
    if header is None or not any(_cell(c).strip() for c in header):
        raise ValidationFailed("The file is empty: its first row must name the columns ('title.text', 'hero.img'…).",
                               details={"file": ["No header row."]})
    kinds = _columns(list(header), errors)
    if not any(k and k[0] == "data" for k in kinds):
        errors.add(None, "columns", "No '<key>.text' or '<key>.img' column.")
    out = []
    number = 0
    for cells in iterator:
        values = [_cell(c) for c in cells]
        if not any(v.strip() for v in values):
            continue  # blank lines (and the empty rows spreadsheets keep at the end)
        number += 1
        if number > settings.BATCH_MAX_ROWS:
            raise _too_many(number)
        data, metadata, fmt = {}, {}, None
        for index, value in enumerate(values):
            kind = kinds[index] if index < len(kinds) else None
            if kind is None:
                if value.strip() and index >= len(kinds):
                    errors.add(number, f"column {index + 1}", "A value in a column without a name.")
                continue
            if value == "":
                continue
            if len(value) > MAX_CELL_CHARS:
                errors.add(number, kind[1] or kind[0], f"Must be at most {MAX_CELL_CHARS} characters.")
                continue
            if kind[0] == "data":
                data[kind[1]] = value.strip() if kind[1].endswith(".img") else value
            elif kind[0] == "metadata":
                metadata[kind[1]] = value
            else:
                fmt = value.strip().lower()
        out.append({"row": number, "data": data, "metadata": metadata, "format": fmt})
    if not out:
        raise ValidationFailed("The file has a header but no rows.", details={"file": ["No data rows."]})
    return out


def _csv_table(raw: bytes):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The CSV file must be UTF-8 encoded.", details={"file": ["Not UTF-8."]}) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV file could not be read: {exc}.", details={"file": [str(exc)]}) from None


def _xlsx_table(raw: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationFailed("The XLSX file could not be read.", details={"file": [str(exc) or "Not an XLSX file."]}) from None
    try:
        sheet = book.worksheets[0]
        # Rows are read as they are needed; _rows_from_table stops past BATCH_MAX_ROWS.
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def file_kind(upload) -> str:
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type in XLSX_TYPES:
        return "xlsx"
    if content_type in CSV_TYPES:
        return "csv"
    head = upload.read(4)
    upload.seek(0)
    return "xlsx" if head == b"PK\x03\x04" else "csv"


def rows_from_file(upload, errors: RowErrors) -> list[dict]:
    if upload.size > settings.API_MAX_UPLOAD_BYTES:
        raise ValidationFailed("The file is too large.", details={"file": ["Too large."]})
    kind = file_kind(upload)
    raw = upload.read()
    table = _xlsx_table(raw) if kind == "xlsx" else _csv_table(raw)
    return _rows_from_table(table, errors)
