"""Band capture: a PNG render that re-captures only the rows whose content changed.

On the warm path the render page knows which elements a render changed and reports the rows
they cover, before and after (`dirtyRows`, static/renderer updateDocument). The engine keeps
the last PNG each page produced as a `Frame`: its rows cut into strips of STRIP rows, each
strip compressed on its own (a zlib full flush between strips), so strips can be swapped
without touching the others. A render that changed a band of rows asks Chromium for just that
band (CDP `Page.captureScreenshot` with a clip: composited, encoded and sent for those rows
only), swaps the band's strips and writes the PNG from the strips: same pixels as a full
capture, which the tests check pixel for pixel.

PNG details: Chromium writes 8-bit RGB (opaque) or RGBA, zlib level 1. A strip's first row is
stored unfiltered (from the decoded pixels), so no strip depends on the row above it; the
other rows keep the filter Chromium gave them. The zlib stream is the strips' raw deflate data
one after the other, an empty final block and the Adler-32 of all rows (combined from the
strips' own, without reading the rows again). Strips are made from a PNG only when a band is
first spliced into it.
"""
from __future__ import annotations

import io
import logging
import struct
import time
import zlib

log = logging.getLogger(__name__)

STRIP = 32  # rows per strip: the band's granularity
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {2: ("RGB", 3), 6: ("RGBA", 4)}
_ADLER_BASE = 65521
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # raw deflate: a final block with no data (fixed Huffman)
_ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KB window, "fastest" (as Chromium's fast PNG)


class FrameMismatch(Exception):
    """The band can't be spliced into the frame (other colour type, filter, size): capture it all."""


def adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """Adler-32 of A+B from adler32(A), adler32(B) and len(B) (zlib's adler32_combine)."""
    rem = len2 % _ADLER_BASE
    sum1 = adler1 & 0xFFFF
    sum2 = (rem * sum1) % _ADLER_BASE
    sum1 += (adler2 & 0xFFFF) + _ADLER_BASE - 1
    sum2 += ((adler1 >> 16) & 0xFFFF) + ((adler2 >> 16) & 0xFFFF) + _ADLER_BASE - rem
    if sum1 >= _ADLER_BASE:
        sum1 -= _ADLER_BASE
    if sum1 >= _ADLER_BASE:
        sum1 -= _ADLER_BASE
    if sum2 >= _ADLER_BASE << 1:
        sum2 -= _ADLER_BASE << 1
    if sum2 >= _ADLER_BASE:
        sum2 -= _ADLER_BASE
    return sum1 | (sum2 << 16)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))


def read_png(png: bytes, *, data: bool = True) -> tuple[int, int, int, bytes]:
    """(width, height, colour type, the IDAT data — b"" when not asked for) of a PNG as
    Chromium writes it."""
    if not png.startswith(PNG_SIGNATURE):
        raise FrameMismatch("not a PNG")
    pos, idat, header = 8, [], None
    end = len(png)
    while pos + 8 <= end:
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            if len(body) != 13:
                raise FrameMismatch("a broken IHDR")
            header = struct.unpack(">IIBBBBB", body)
            if not data:
                break
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise FrameMismatch("no IHDR")
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in COLOUR_TYPES or interlace:
        raise FrameMismatch(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    return width, height, colour, b"".join(idat)


class _Strip:
    __slots__ = ("data", "adler", "length")

    def __init__(self, rows: bytes):
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
        self.data = compressor.compress(rows) + compressor.flush(zlib.Z_FULL_FLUSH)
        self.adler = zlib.adler32(rows)
        self.length = len(rows)


class Frame:
    """The last PNG a page produced, for band captures. `png` is always that PNG; its strips
    are made on first use (a render that only ever captures whole pages never pays for them)."""

    def __init__(self, png: bytes, *, wanted: bool = False):
        self.width, self.height, self.colour, _ = read_png(png, data=False)
        self.png = png
        self._strips: list[_Strip] | None = None
        # A render before this one could have used a band: the next one may make the strips.
        self.wanted = wanted

    @property
    def has_strips(self) -> bool:
        return self._strips is not None

    @property
    def row_bytes(self) -> int:
        return self.width * COLOUR_TYPES[self.colour][1]

    def _ensure_strips(self) -> list[_Strip]:
        if self._strips is None:
            self._strips = [_Strip(rows) for rows in _png_strips(self.png, self.row_bytes, self.height)]
        return self._strips

    def splice(self, top: int, band_png: bytes) -> bytes:
        """Puts a band captured at row `top` (a strip boundary) into the frame and returns the
        new PNG, which becomes the frame's. Raises FrameMismatch when the band doesn't fit."""
        if top % STRIP:
            raise FrameMismatch("the band must start on a strip boundary")
        width, height, colour, _ = read_png(band_png, data=False)
        if width != self.width or colour != self.colour or top + height > self.height:
            raise FrameMismatch("the band's size or colour type differs from the frame's")
        if height % STRIP and top + height != self.height:
            raise FrameMismatch("the band must end on a strip boundary or at the bottom")
        strips = self._ensure_strips()
        first = top // STRIP
        for index, rows in enumerate(_png_strips(band_png, self.row_bytes, height)):
            strips[first + index] = _Strip(rows)
        self.png = self._write(strips)
        return self.png

    def _write(self, strips: list[_Strip]) -> bytes:
        adler, parts = 1, [_ZLIB_HEADER]
        for strip in strips:
            adler = adler32_combine(adler, strip.adler, strip.length)
            parts.append(strip.data)
        parts.append(_FINAL_EMPTY_BLOCK)
        parts.append(struct.pack(">I", adler))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, self.colour, 0, 0, 0)
        return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def _png_strips(png: bytes, row_bytes: int, height: int) -> list[bytes]:
    """A PNG's scanlines cut into strips of STRIP rows. Rows keep the filter Chromium gave them
    (each refers to the row above, which is in the same strip), except each strip's first row,
    which is written unfiltered from the decoded pixels so that it refers to nothing."""
    from PIL import Image

    _, _, _, idat = read_png(png)
    scanlines = zlib.decompress(idat)
    scanline = row_bytes + 1
    if len(scanlines) != scanline * height:
        raise FrameMismatch("the PNG's data has the wrong length")
    image = Image.open(io.BytesIO(png), formats=["PNG"])
    image.load()
    raw = image.tobytes()
    if len(raw) != row_bytes * height:
        raise FrameMismatch(f"the PNG decoded as {image.mode}")
    return [
        b"\x00" + raw[start * row_bytes:(start + 1) * row_bytes]
        + scanlines[(start + 1) * scanline:min(start + STRIP, height) * scanline]
        for start in range(0, height, STRIP)
    ]


# --- the capture: a band or the whole canvas ------------------------------------------------

# Past this share of the canvas's rows, a band capture saves too little: capture it all.
BAND_MAX_SHARE = 0.6
# A page's last PNG is kept (with its strips, about as big again) only up to this size: a
# worker holds at most one per warm account context.
FRAME_MAX_BYTES = 24 * 1024 * 1024
# A render with these warnings may still change its pixels later (a font or image that timed
# out): its frame is not kept, so the next render captures the whole canvas.
_UNSETTLED = ("FONT_FALLBACK", "IMAGE_FALLBACK")


def _band(frame, out: dict, width: int, height: int, fmt: str) -> tuple[int, int] | None:
    """The strip-aligned rows [top, bottom) to re-capture, (0, 0) for none, None for all."""
    dirty = out.get("dirtyRows")
    if frame is None or fmt != "png" or (frame.width, frame.height) != (width, height):
        return None
    if not isinstance(dirty, list) or len(dirty) != 2 or not all(isinstance(v, (int, float)) for v in dirty):
        return None
    if dirty[1] <= dirty[0]:
        return (0, 0)
    top = max(0, int(dirty[0]) // STRIP * STRIP)
    bottom = min(height, -(-int(dirty[1]) // STRIP) * STRIP)
    if bottom <= top:
        return (0, 0)
    return (top, bottom) if bottom - top <= BAND_MAX_SHARE * height else None


def capture_render_page(state, cdp, frame, out: dict, width: int, height: int, fmt: str, quality: int):
    """Captures the render page: only the band of rows the render changed when the page's
    last PNG is at hand (a Frame), else the whole canvas. Returns (image, capture ms,
    encode ms, the frame to keep for the next render).

    Cutting a PNG into strips costs about one whole capture, so a frame gets its strips only
    on the second render in a row that could use a band: renders that alternate between
    small and large changes never pay for strips they would not use."""
    band = _band(frame, out, width, height, fmt)
    wanted = False
    if band not in (None, (0, 0)) and not frame.has_strips and not frame.wanted:
        band, wanted = None, True
    image = None
    capture_ms = encode_ms = 0.0
    if band == (0, 0):
        image = frame.png  # nothing changed since that PNG was captured
        state.captures["unchanged"] += 1
    elif band is not None:
        top, bottom = band
        strip_png, capture_ms, encode_ms = state.capture(cdp, width, bottom - top, "png", quality, top=top)
        started = time.perf_counter()
        try:
            image = frame.splice(top, strip_png)
            state.captures["band"] += 1
        except FrameMismatch as exc:
            log.info("band capture not used: %s", exc)
        except Exception:  # the shortcut must never fail a render: capture it all instead
            log.warning("band capture failed; capturing the whole canvas", exc_info=True)
        encode_ms += (time.perf_counter() - started) * 1000
    if image is None:
        image, more_capture_ms, more_encode_ms = state.capture(cdp, width, height, fmt, quality)
        capture_ms, encode_ms = capture_ms + more_capture_ms, encode_ms + more_encode_ms
        state.captures["full"] += 1
        frame = None
        if fmt == "png" and len(image) <= FRAME_MAX_BYTES:
            try:
                frame = Frame(image, wanted=wanted)
            except FrameMismatch:
                frame = None
    if any(isinstance(w, dict) and w.get("code") in _UNSETTLED for w in out.get("warnings") or []):
        frame = None
    return image, capture_ms, encode_ms, frame
