"""The fetch phase of a render, done by the server before Chromium is involved: the account
fonts the job names and the images its document (or inline html) uses, read or downloaded into
memory (`Prepared`), and the key of the canvas a document builds (`static_key`)."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from html.parser import HTMLParser

from projects.fonts import FONT_MIME_TYPES, sniff_font_format, valid_family_name

from . import images
from .browser import ORIGIN
from .types import RenderJob

log = logging.getLogger(__name__)


def document_image_urls(doc: dict, data: dict) -> list[str]:
    urls = []
    bg = doc.get("background")
    if isinstance(bg, dict) and isinstance(bg.get("image"), str) and bg["image"].strip():
        urls.append(bg["image"])
    for el in doc.get("elements") or []:
        if not isinstance(el, dict) or el.get("type") != "image":
            continue
        if el.get("hidden") is True or el.get("visible") is False:
            continue
        if isinstance(el.get("src"), str) and el["src"].strip():
            urls.append(el["src"])
        key = el.get("dynamicKey")
        if isinstance(key, str) and key:
            value = (data or {}).get(f"{key}.img")
            if isinstance(value, str) and value.strip():
                urls.append(value)
    return urls


class _ImgCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "image", "input", "source", "video"):
            for name, value in attrs:
                if name in ("src", "poster", "href") and value:
                    self.urls.append(value.strip())
                elif name == "srcset" and value:
                    self.urls.extend(part.strip().split(" ")[0] for part in value.split(",") if part.strip())


_CSS_URL = re.compile(r"""url\(\s*(['"]?)(https?://[^'")\s]+)\1\s*\)""", re.IGNORECASE)


def html_image_urls(html: str) -> list[str]:
    collector = _ImgCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:
        pass
    urls = [u for u in collector.urls if u.lower().startswith(("https://", "http://"))]
    urls += [m.group(2) for m in _CSS_URL.finditer(html)]
    return list(dict.fromkeys(urls))[:32]


_font_cache: dict[str, tuple[float, tuple[str, bytes] | None]] = {}
_font_lock = threading.Lock()


def _load_font(storage_name: str) -> tuple[str, bytes] | None:
    now = time.monotonic()
    with _font_lock:
        hit = _font_cache.get(storage_name)
        if hit and hit[0] > now:
            return hit[1]
    from django.core.files.storage import default_storage

    value = None
    try:
        with default_storage.open(storage_name, "rb") as fh:
            content = fh.read(25 * 1024 * 1024 + 1)
        fmt = sniff_font_format(content)
        mime = FONT_MIME_TYPES[fmt] if fmt else None
        if mime and len(content) <= 25 * 1024 * 1024:
            value = (mime, content)
    except Exception:
        log.warning("account font %s could not be read", storage_name)
    with _font_lock:
        if len(_font_cache) > 256:
            _font_cache.clear()
        _font_cache[storage_name] = (now + 600, value)
    return value


class Prepared:
    def __init__(self):
        self.blobs: dict[str, tuple[str, bytes]] = {}
        self.external: dict[str, tuple[str, bytes]] = {}
        self.images: dict[str, object] = {}
        self.fonts: list[dict] = []
        self.font_css = ""
        self.static_key = ""  # documents only: see static_key


def static_key(job: RenderJob, fonts: list[dict]) -> str:
    """What a page's canvas is built from, apart from the data: equal keys → the same canvas."""
    options = job.options
    static = {"document": job.document, "width": options.width, "height": options.height,
              "background": options.background, "fonts": fonts, "design": options.design, "fit": options.fit}
    canonical = json.dumps(static, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def prepare(job: RenderJob, timeout: float) -> Prepared:
    prep = Prepared()
    # Account fonts.
    for face in job.fonts or []:
        family = getattr(face, "family", "")
        if not valid_family_name(family):
            continue
        loaded = _load_font(face.storage_name)
        if loaded is None:
            continue
        mime, content = loaded
        sha = hashlib.sha256(content).hexdigest()
        path = f"/f/{sha}"
        prep.blobs[path] = (mime, content)
        weight = str(face.weight) if re.fullmatch(r"\d{1,4}", str(face.weight)) else "400"
        style = "italic" if face.style == "italic" else "normal"
        prep.fonts.append({"family": family.strip(), "url": ORIGIN + path, "weight": weight, "style": style})
        prep.font_css += (f'@font-face{{font-family:"{family.strip()}";src:url("{ORIGIN}{path}");'
                          f"font-weight:{weight};font-style:{style};font-display:block}}")
    # Images.
    if job.html is not None:
        urls = html_image_urls(job.html)
    else:
        urls = document_image_urls(job.document or {}, job.data or {})
    fetched = images.fetch_images(urls, timeout=max(1.0, min(10.0, timeout)))
    for url, value in fetched.items():
        if isinstance(value, images.Blob):
            path = f"/i/{value.sha}"
            prep.blobs[path] = (value.mime, value.content)
            prep.external[url] = (value.mime, value.content)
            prep.images[url] = ORIGIN + path
        else:
            prep.images[url] = {"error": value.reason}
    return prep
