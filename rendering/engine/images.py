"""The fetch phase: every image a render needs is fetched here, by the server, never by the
page. Remote URLs go through core.netguard (https only, every address checked, no second
DNS lookup, redirects re-checked, size and time caps); files of our own storage are read
from default_storage directly. The bytes must decode as an image (Pillow, pixel cap).
Results are cached in-process by URL for a short while."""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

PIL_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif",
               "BMP": "image/bmp", "ICO": "image/x-icon", "AVIF": "image/avif"}


@dataclass(frozen=True)
class Blob:
    sha: str
    mime: str
    content: bytes


@dataclass(frozen=True)
class Failure:
    reason: str


def _setting(name, default):
    return getattr(settings, name, default)


class _Cache:
    """URL → Blob | Failure, with a time-to-live and a byte budget (LRU)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, Blob | Failure]] = OrderedDict()
        self._bytes = 0

    def get(self, key: str):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, value = item
            if expires < time.monotonic():
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: str, value, ttl: float) -> None:
        budget = _setting("RENDER_IMAGE_CACHE_MB", 256) * 1024 * 1024
        size = len(value.content) if isinstance(value, Blob) else 0
        if size > budget:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic() + ttl, value)
            self._bytes += size
            while self._bytes > budget and self._items:
                self._drop(next(iter(self._items)))

    def _drop(self, key):
        _, value = self._items.pop(key)
        if isinstance(value, Blob):
            self._bytes -= len(value.content)

    def clear(self):
        with self._lock:
            self._items.clear()
            self._bytes = 0


cache = _Cache()


def sniff(content: bytes, *, allow_svg: bool = False) -> str:
    """The image's mime type if the bytes decode as an image within the pixel cap, else raises ValueError."""
    if allow_svg:
        head = content[:512].lstrip().lower()
        if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in content[:4096].lower()):
            return "image/svg+xml"
    from PIL import Image, UnidentifiedImageError

    max_pixels = _setting("RENDER_MAX_IMAGE_PIXELS", 40_000_000)
    try:
        with Image.open(io.BytesIO(content)) as im:
            fmt = im.format
            width, height = im.size
            if width * height > max_pixels:
                raise ValueError(f"image too large ({width}×{height} px)")
            frames = getattr(im, "n_frames", 1)
            if frames > _setting("RENDER_MAX_IMAGE_FRAMES", 1000):
                raise ValueError("too many animation frames")
            im.verify()
    except UnidentifiedImageError:
        raise ValueError("not an image") from None
    except Image.DecompressionBombError:
        raise ValueError("image too large") from None
    except ValueError:
        raise
    except Exception as exc:  # truncated or corrupt data
        raise ValueError(f"not a valid image ({type(exc).__name__})") from None
    if fmt not in PIL_FORMATS:
        raise ValueError(f"unsupported image format {fmt}")
    return PIL_FORMATS[fmt]


def _blob(content: bytes, *, allow_svg: bool = False) -> Blob:
    mime = sniff(content, allow_svg=allow_svg)
    return Blob(sha=hashlib.sha256(content).hexdigest(), mime=mime, content=content)


def own_storage_name(url: str) -> str | None:
    """The default_storage name when `url` points into our own media storage, else None."""
    from django.core.files.storage import default_storage

    media = settings.MEDIA_URL or "/media/"
    parts = urlsplit(url)
    base = urlsplit(settings.PUBLIC_BASE_URL)
    candidates = []
    if media.startswith(("http://", "https://")):
        m = urlsplit(media)
        candidates.append((m.scheme, m.netloc, m.path))
    else:
        candidates.append((base.scheme, base.netloc, media))
        candidates.append(("", "", media))  # a path relative to our own site
    try:
        probe = urlsplit(default_storage.url("__probe__"))
        if probe.scheme in ("http", "https") and probe.path.endswith("__probe__"):
            candidates.append((probe.scheme, probe.netloc, probe.path[: -len("__probe__")]))
    except Exception:
        pass
    for scheme, netloc, prefix in candidates:
        if parts.scheme == scheme and parts.netloc == netloc and parts.path.startswith(prefix) and prefix:
            name = unquote(parts.path[len(prefix):])
            if name and ".." not in name.split("/") and not name.startswith("/"):
                return name
    return None


def _fetch_one(url: str, timeout: float) -> Blob | Failure:
    max_bytes = _setting("MAX_REMOTE_IMAGE_BYTES", 25 * 1024 * 1024)
    if not isinstance(url, str) or not url.strip():
        return Failure("empty URL")
    url = url.strip()
    if url.startswith("data:"):
        try:
            header, _, payload = url.partition(",")
            if ";base64" not in header:
                return Failure("only base64 data URLs are supported")
            content = base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError):
            return Failure("invalid data URL")
        if len(content) > max_bytes:
            return Failure("image too large")
        try:
            return _blob(content)
        except ValueError as exc:
            return Failure(str(exc))
    name = own_storage_name(url)
    if name is not None:
        from django.core.files.storage import default_storage

        try:
            with default_storage.open(name, "rb") as fh:
                content = fh.read(max_bytes + 1)
        except Exception:
            return Failure("file not found in storage")
        if len(content) > max_bytes:
            return Failure("image too large")
        try:
            return _blob(content, allow_svg=True)
        except ValueError as exc:
            return Failure(str(exc))
    from core import netguard

    try:
        resp = netguard.safe_request("GET", url, headers={"Accept": "image/*", "User-Agent": "Audome-Renderer/1"},
                                     timeout=timeout, max_bytes=max_bytes, follow_redirects=True)
    except netguard.UnsafeUrl as exc:
        return Failure(f"URL refused: {exc}")
    except Exception as exc:  # FetchError, timeouts…
        return Failure(f"fetch failed: {exc}")
    if resp.status != 200:
        return Failure(f"HTTP {resp.status}")
    try:
        return _blob(resp.content)
    except ValueError as exc:
        return Failure(str(exc))


def fetch_images(urls: list[str], *, timeout: float) -> dict[str, Blob | Failure]:
    """Fetches every URL (cached, in parallel). Never raises."""
    out: dict[str, Blob | Failure] = {}
    todo = []
    for url in dict.fromkeys(u for u in urls if isinstance(u, str) and u):
        hit = cache.get(url)
        if hit is not None:
            out[url] = hit
        else:
            todo.append(url)
    if not todo:
        return out
    ttl_ok = _setting("RENDER_IMAGE_CACHE_SECONDS", 300)

    def work(url):
        try:
            value = _fetch_one(url, timeout)
        except Exception as exc:  # never let one image take the render down
            log.exception("image fetch crashed for %s", url[:200])
            value = Failure(f"fetch failed: {type(exc).__name__}")
        # Failures are cached briefly so a broken URL is not hammered.
        cache.put(url, value, ttl_ok if isinstance(value, Blob) else min(ttl_ok, 10))
        return url, value

    if len(todo) == 1:
        url, value = work(todo[0])
        out[url] = value
        return out
    with ThreadPoolExecutor(max_workers=min(4, len(todo))) as pool:
        for url, value in pool.map(work, todo):
            out[url] = value
    return out
