"""Helpers for the engine tests: documents, pixel checks, a canary server."""
from __future__ import annotations

import io
import socket
import threading
import time

from PIL import Image, ImageChops

from rendering import engine


def doc(*elements, background="#ffffff"):
    return {"version": 1, "background": {"color": background}, "elements": list(elements)}


def text_el(id="t", text="Hello", x=40, y=40, width=600, height=120, **style):
    base = {"fontFamily": "Noto Sans", "fontSize": 48, "color": "#000000"}
    base.update(style)
    return {"id": id, "type": "text", "x": x, "y": y, "width": width, "height": height, "text": text,
            "dynamicKey": id, "style": base}


def rect_el(id="r", x=0, y=0, width=100, height=100, fill="#ff0000", **extra):
    return {"id": id, "type": "shape", "shape": "rect", "x": x, "y": y, "width": width, "height": height,
            "fill": fill, **extra}


def render(document=None, *, width=400, height=300, fmt="png", data=None, html=None, key="acct-a", **kw):
    options = engine.RenderOptions(width=width, height=height, format=fmt, quality=kw.pop("quality", 90),
                                   background=kw.pop("background", None))
    job = engine.RenderJob(options, document=document, data=data or {}, html=html, fonts=kw.pop("fonts", []),
                           isolation_key=key)
    return engine.render(job, timeout=kw.pop("timeout", 30.0))


def image_of(result) -> Image.Image:
    im = Image.open(io.BytesIO(result.image))
    im.load()
    return im


def pixel(result, x, y):
    return image_of(result).convert("RGBA").getpixel((x, y))


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    """Equal size and every channel of every pixel equal (alpha included). Note: getbbox() of
    an RGBA image looks at alpha only, so a difference image must be asked for all bands."""
    a, b = a.convert("RGBA"), b.convert("RGBA")
    return a.size == b.size and ImageChops.difference(a, b).getbbox(alpha_only=False) is None


def close(c1, c2, tol=8):
    return all(abs(a - b) <= tol for a, b in zip(c1, c2, strict=True))


def ink_bbox(im: Image.Image, box=None, *, background=(255, 255, 255), tol=60):
    """Bounding box (l, t, r, b) of pixels that differ from the background inside box."""
    rgb = im.convert("RGB")
    if box:
        rgb = rgb.crop(box)
    bg = Image.new("RGB", rgb.size, background)
    from PIL import ImageChops

    diff = ImageChops.difference(rgb, bg).convert("L").point(lambda v: 255 if v > tol else 0)
    bbox = diff.getbbox()
    if bbox and box:
        bbox = (bbox[0] + box[0], bbox[1] + box[1], bbox[2] + box[0], bbox[3] + box[1])
    return bbox


def dark_pixels(im: Image.Image, box, threshold=100) -> int:
    region = im.convert("L").crop(box)
    return sum(1 for v in region.tobytes() if v < threshold)


def in_page(key: str, script: str, arg=None, *, html_page=False, timeout=20.0):
    """Evaluates `script` in the warm page of isolation key `key` (white-box checks)."""
    def run(state):
        ctx = state.context_for(key)
        page = state.html_page(ctx) if html_page else state.render_page(ctx)
        return page.evaluate(script, arg)

    return engine.get_engine().call(run, timeout=timeout)


class Canary:
    """A plain TCP server on 127.0.0.1 that records every connection it gets (and what came in)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(0.5)
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            self.hits.append(data or b"<connection>")
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            conn.close()

    def url(self, path="/", scheme="http"):
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def settle(self, seconds=0.5):
        time.sleep(seconds)
        return self.hits

    def close(self):
        self._stop.set()
        self.thread.join(timeout=2)
        self.sock.close()
