"""Render outputs in Django's default storage under immutable, content-addressed names:
`renders/<aa>/<bb>/<sha256>.<ext>`. The same bytes always get the same name, so a file is
never rewritten; it is deleted only when no generation refers to it any more."""
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

EXTENSIONS = {"png": "png", "jpeg": "jpg", "jpg": "jpg", "webp": "webp", "mp4": "mp4", "webm": "webm", "gif": "gif"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "mp4": "video/mp4",
                 "webm": "video/webm", "gif": "image/gif"}
NAME_RE = re.compile(r"^renders/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.(png|jpg|webp|mp4|webm|gif)$")
CACHE_CONTROL = "public, max-age=31536000, immutable"


def output_name(content: bytes, ext: str) -> str:
    ext = EXTENSIONS[ext.lower().lstrip(".")]
    digest = hashlib.sha256(content).hexdigest()
    return f"renders/{digest[:2]}/{digest[2:4]}/{digest}.{ext}"


def save_output(content: bytes, ext: str) -> str:
    """Store the bytes (once) and return their storage name."""
    name = output_name(content, ext)
    if default_storage.exists(name):
        return name
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # another worker stored the same bytes a moment ago: keep the one name
        default_storage.delete(saved)
    return name


def save_output_file(path: str | Path, ext: str) -> str:
    """save_output for a file on disk (a video): hashed and copied in blocks, never read whole."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    hexdigest = digest.hexdigest()
    name = f"renders/{hexdigest[:2]}/{hexdigest[2:4]}/{hexdigest}.{EXTENSIONS[ext]}"
    if default_storage.exists(name):
        return name
    with open(path, "rb") as fh:
        saved = default_storage.save(name, File(fh))
    if saved != name:
        default_storage.delete(saved)
    return name


def delete_output(name: str) -> None:
    """Delete a stored output unless another generation still refers to it."""
    from rendering.models import Generation

    if not name or Generation.objects.filter(output=name).exists():
        return
    default_storage.delete(name)


def absolute_url(name: str) -> str:
    url = default_storage.url(name)
    if url.startswith(("http://", "https://")):
        return url
    return settings.PUBLIC_BASE_URL + url


def is_local() -> bool:
    from django.core.files.storage import FileSystemStorage

    return isinstance(default_storage, FileSystemStorage)
