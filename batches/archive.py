"""GET /api/render/batches/{id}/download: a ZIP of the batch's images plus manifest.csv,
streamed as it is written — nothing is built in memory or on disk first. Images are stored
(not deflated: PNG/JPEG/WebP are compressed already), each followed by a data descriptor
(the stream can't seek back), ZIP64 records where sizes or offsets need them. The stdlib's
zipfile writes it into a sink that hands out what has accumulated; rows are read in pages."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.files.storage import default_storage

from batches.models import Batch, BatchRow
from batches.serializers import row_error, row_status

CHUNK = 256 * 1024
PAGE = 500
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}
MANIFEST_COLUMNS = ["row", "file", "status", "error", "generationId", "projectId"]


class _Sink:
    """A write-only file for zipfile: collects bytes until the generator takes them."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # zipfile never closes a file it was handed; here for its type (typeshed's _ZipWritable)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts, self.size = [], 0
        return out


def file_name(batch: Batch, row: BatchRow) -> str:
    width = max(5, len(str(batch.total)))
    ext = EXTENSIONS.get(row.format, row.format)
    if len(batch.project_refs) > 1:
        template = batch.templates.get(row.project_ref) or {}
        return f"row-{row.row:0{width}d}-{template.get('width')}x{template.get('height')}-{row.project_ref[:8]}.{ext}"
    return f"row-{row.row:0{width}d}.{ext}"


def _rows(batch: Batch) -> Iterator[BatchRow]:
    """Every row in order, a page at a time (keyset on (row, id): no server-side cursor)."""
    last = (0, 0)
    while True:
        page = list(BatchRow.objects.filter(batch=batch).filter(row__gte=last[0]).exclude(row=last[0], id__lte=last[1])
                    .select_related("generation").order_by("row", "id")[:PAGE])
        if not page:
            return
        yield from page
        last = (page[-1].row, page[-1].id)


def zip_chunks(batch: Batch) -> Iterator[bytes]:
    sink = _Sink()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(MANIFEST_COLUMNS)
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for row in _rows(batch):
            status, error, name = row_status(row), row_error(row), ""
            generation = row.generation
            if status == "completed" and generation is not None and generation.output:
                name = file_name(batch, row)
                try:
                    source = default_storage.open(generation.output, "rb")
                except OSError:
                    status, error, name = "failed", "The image file is missing.", ""
                else:
                    info = zipfile.ZipInfo(name, date_time=generation.completed_at.timetuple()[:6])
                    info.compress_type = zipfile.ZIP_STORED
                    with source, archive.open(info, "w", force_zip64=False) as target:
                        while chunk := source.read(CHUNK):
                            target.write(chunk)
                            if sink.size >= CHUNK:
                                yield sink.take()
            writer.writerow([row.row, name, status, error or "", row.generation_id or "", row.project_ref])
            if sink.size:
                yield sink.take()
        archive.writestr(zipfile.ZipInfo("manifest.csv", date_time=batch.created_at.timetuple()[:6]),
                         manifest.getvalue().encode())
    yield sink.take()


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    """The next chunk, or None when there are no more (a chunk is never None)."""
    return next(chunks, None)


async def zip_chunks_async(batch: Batch) -> AsyncIterator[bytes]:
    """zip_chunks for an ASGI server: each step runs in the request's sync thread (the database
    and storage calls are blocking), the event loop only forwards the bytes."""
    chunks = zip_chunks(batch)
    step = sync_to_async(_next_chunk, thread_sensitive=True)
    while True:
        chunk = await step(chunks)
        if chunk is None:
            return
        if chunk:
            yield chunk
