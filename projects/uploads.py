"""Checks of uploaded files. The bytes decide what a file is, never its name or the type the
client claims: raster images are decoded with Pillow under our own pixel and frame caps
(well below Pillow's bomb threshold), SVG is parsed without DTDs and rebuilt from an
allow-list (no scripts, event handlers, external references or foreignObject), fonts are
parsed with fontTools to read their family name (never installed into the system's fonts)."""
import io
import re
import warnings
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from core.errors import ValidationFailed
from projects.document import is_font_family
from projects.fonts import sniff_font_format

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

RASTER_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp"),
                  "GIF": ("image/gif", "gif")}


def _max_pixels() -> int:
    return getattr(settings, "ASSET_MAX_PIXELS", 50_000_000)


def _max_frames() -> int:
    return getattr(settings, "ASSET_MAX_FRAMES", 300)


def _max_animation_pixels() -> int:
    return getattr(settings, "ASSET_MAX_ANIMATION_PIXELS", 400_000_000)


def _bad_file(message: str) -> ValidationFailed:
    return ValidationFailed(message, details={"file": [message]})


@dataclass
class CheckedImage:
    mime: str
    ext: str
    width: int
    height: int
    content: bytes


@dataclass
class CheckedFont:
    family_name: str
    weight: int
    style: str
    format: str
    content: bytes


# --- images --------------------------------------------------------------------------------

def _sniff_raster(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def check_image(data: bytes) -> CheckedImage:
    """What the bytes are (png, jpeg, webp, gif or svg), decoded safely; raises ValidationFailed."""
    if not data:
        raise _bad_file("The file is empty.")
    expected = _sniff_raster(data)
    if expected is None:
        if _looks_like_svg(data):
            return check_svg(data)
        raise _bad_file("Not a supported image: upload PNG, JPEG, WebP, GIF or SVG.")
    return _check_raster(data, expected)


def _check_raster(data: bytes, expected: str) -> CheckedImage:
    max_pixels = _max_pixels()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # Opening reads the header only; nothing is decoded before the size is checked.
            with Image.open(io.BytesIO(data), formats=[expected]) as img:
                width, height = img.size
                if width < 1 or height < 1:
                    raise _bad_file("The image has no pixels.")
                if width * height > max_pixels:
                    raise _bad_file(
                        f"The image is {width}×{height} ({width * height / 1e6:.1f} MP); "
                        f"at most {max_pixels / 1e6:g} MP is accepted."
                    )
                frames = getattr(img, "n_frames", 1) or 1
                if frames > _max_frames():
                    raise _bad_file(f"The animation has {frames} frames; at most {_max_frames()} are accepted.")
                if frames * width * height > _max_animation_pixels():
                    raise _bad_file("The animation is too large (frames × pixels).")
                _check_pixels(img, data, expected)
        except ValidationFailed:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bad_file(f"The image is too large: at most {max_pixels / 1e6:g} MP is accepted.") from None
        except UnidentifiedImageError:
            raise _bad_file("The image could not be decoded.") from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
            raise _bad_file("The image is corrupt or truncated.") from None
    mime, ext = RASTER_FORMATS[expected]
    return CheckedImage(mime=mime, ext=ext, width=width, height=height, content=data)


# Images at most this big are decoded in the web process (≤ 16 MB of pixels); larger GIF/WebP files
# are decoded by a short-lived child process, so the web process never holds their pixels.
IN_PROCESS_DECODE_PIXELS = 4_000_000


def _check_pixels(img, data: bytes, fmt: str) -> None:
    """Prove the pixel data decodes — a truncated or corrupt file fails here — without holding a
    full decoded copy of a large image in the web process: a PNG's compressed stream is inflated in
    pieces and counted (check_png_stream), a JPEG is decoded at 1/8 scale (libjpeg still reads all of
    its data), a large GIF or WebP is decoded in a child process. Small images are simply decoded."""
    width, height = img.size
    if fmt == "PNG":
        check_png_stream(data)
    elif fmt == "JPEG":
        img.draft(None, (max(1, width // 8), max(1, height // 8)))
        img.load()
    elif width * height <= IN_PROCESS_DECODE_PIXELS:
        img.seek(0)
        img.load()
    else:
        _decode_in_child(data, fmt)


_CHILD_DECODE = """
import resource, sys, warnings
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from PIL import Image
Image.MAX_IMAGE_PIXELS = None
data = sys.stdin.buffer.read()
import io
with Image.open(io.BytesIO(data), formats=[sys.argv[2]]) as img:
    img.seek(0)
    img.load()
"""


def _decode_in_child(data: bytes, fmt: str) -> None:
    import subprocess
    import sys

    limit = 1024 * 1024 * 1024 + _max_pixels() * 8  # the interpreter, Pillow and the pixels, with room
    try:
        result = subprocess.run([sys.executable, "-c", _CHILD_DECODE, str(limit), fmt], input=data,
                                capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise _bad_file("The image took too long to decode.") from None
    if result.returncode != 0:
        raise _bad_file("The image is corrupt or truncated.")


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type → samples per pixel
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_INFLATE_PIECE = 256 * 1024


def _png_rows(width: int, height: int, depth: int, colour: int, interlaced: bool) -> list[tuple[int, int]]:
    """(rows, bytes per row including the filter byte) of each pass of the image data."""
    def row_bytes(pixels: int) -> int:
        return 1 + (pixels * _PNG_CHANNELS[colour] * depth + 7) // 8

    if not interlaced:
        return [(height, row_bytes(width))]
    passes = []
    for x0, y0, dx, dy in _ADAM7:
        cols, rows = max(0, -(-(width - x0) // dx)), max(0, -(-(height - y0) // dy))
        if cols and rows:
            passes.append((rows, row_bytes(cols)))
    return passes


class _RowWalker:
    """Follows inflated PNG data row by row: every row starts with a filter type 0–4."""

    def __init__(self, passes: list[tuple[int, int]]):
        self.row_starts = iter(r for rows, size in passes for r in [size] * rows)
        self.expected = sum(rows * size for rows, size in passes)
        self.seen = 0
        self.next_row = 0  # offset (in the whole stream) of the next filter byte
        self._size = next(self.row_starts, None)

    def feed(self, piece: bytes) -> None:
        end = self.seen + len(piece)
        if end > self.expected:
            raise _bad_file("The image is corrupt (more image data than its size).")
        while self._size is not None and self.next_row < end:
            if piece[self.next_row - self.seen] > 4:
                raise _bad_file("The image is corrupt (bad row filter).")
            self.next_row += self._size
            self._size = next(self.row_starts, None)
        self.seen = end


def check_png_stream(data: bytes) -> None:
    """Validate a PNG without decoding it into memory: every chunk's CRC, the header's fields, and
    the image data inflated in bounded pieces (at most _INFLATE_PIECE bytes at a time), which must
    be exactly as long as the header says, row filters valid, ending in IEND."""
    import struct
    import zlib

    corrupt = "The image is corrupt or truncated."
    pos, size = 8, len(data)
    walker: _RowWalker | None = None  # from the header, the first chunk
    inflater = zlib.decompressobj()
    idat_started = idat_done = False
    while True:
        if pos + 8 > size:
            raise _bad_file(corrupt)
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 8 + length
        if end + 4 > size:
            raise _bad_file(corrupt)
        body = data[pos + 8:end]
        if zlib.crc32(body, zlib.crc32(kind)) != struct.unpack(">I", data[end:end + 4])[0]:
            raise _bad_file(corrupt)
        pos = end + 4
        if walker is None:
            if kind != b"IHDR" or length != 13:
                raise _bad_file(corrupt)
            width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
            if depth not in _PNG_DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
                raise _bad_file(corrupt)
            walker = _RowWalker(_png_rows(width, height, depth, colour, bool(interlace)))
        elif kind == b"IDAT":
            if idat_done:
                raise _bad_file(corrupt)  # image data must be one run of IDAT chunks
            idat_started = True
            try:
                piece = inflater.decompress(body, _INFLATE_PIECE)
                walker.feed(piece)
                while inflater.unconsumed_tail or len(piece) == _INFLATE_PIECE:  # output may be pending
                    piece = inflater.decompress(inflater.unconsumed_tail, _INFLATE_PIECE)
                    walker.feed(piece)
            except zlib.error:
                raise _bad_file(corrupt) from None
        elif idat_started:
            idat_done = True
        if kind == b"IEND":
            break
    if walker is None or not (inflater.eof and walker.seen == walker.expected):
        raise _bad_file(corrupt)


# --- SVG -----------------------------------------------------------------------------------

_SVG_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?(?:<!--.*?-->\s*)*<svg[\s>/]",
    re.DOTALL | re.IGNORECASE,
)

SVG_ELEMENTS = frozenset(
    """svg g defs symbol use path rect circle ellipse line polyline polygon text tspan textPath title desc
    linearGradient radialGradient stop clipPath mask pattern marker image filter feBlend feColorMatrix
    feComponentTransfer feComposite feFlood feGaussianBlur feMerge feMergeNode feOffset feFuncR feFuncG feFuncB
    feFuncA feMorphology feDropShadow style metadata switch""".split()
)
_URL_IN_VALUE = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_DANGEROUS_CSS = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding|\\", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$", re.IGNORECASE)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def _looks_like_svg(data: bytes) -> bool:
    return bool(_SVG_START.match(data[:4096]))


def _local(tag) -> tuple[str | None, str]:
    if not isinstance(tag, str):
        return None, ""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return None, tag


def _clean_attributes(el) -> None:
    _ns, el_name = _local(el.tag)
    for attr in list(el.attrib):
        ns, name = _local(attr)
        value = el.attrib[attr]
        lower = name.lower()
        drop = False
        if ns not in (None, XLINK_NS, XML_NS):
            drop = True  # editor namespaces (inkscape, sodipodi…) and anything unknown
        elif ns == XML_NS and lower not in ("space", "lang"):
            drop = True  # xml:base and friends
        elif lower.startswith("on"):
            drop = True  # event handlers
        elif lower == "href":
            drop = not (value.strip().startswith("#") or (el_name == "image" and _DATA_IMAGE.match(value.strip())))
        elif _URL_IN_VALUE.search(value) or _DANGEROUS_CSS.search(value):
            drop = True  # external references through url(…), CSS tricks
        elif "javascript:" in value.lower().replace(" ", ""):
            drop = True
        if drop:
            del el.attrib[attr]


def _sanitise_tree(parent) -> None:
    for child in list(parent):
        ns, name = _local(child.tag)
        if ns != SVG_NS or name not in SVG_ELEMENTS:
            parent.remove(child)  # script, foreignObject, a, animate/set, iframe, comments…
            continue
        if name == "style":
            css = child.text or ""
            if _URL_IN_VALUE.search(css) or _DANGEROUS_CSS.search(css) or "@" in css or len(child):
                parent.remove(child)
                continue
        _clean_attributes(child)
        if name == "image" and not any(_local(a)[1] == "href" for a in child.attrib):
            parent.remove(child)  # an image whose only source was external
            continue
        _sanitise_tree(child)


def _svg_size(root) -> tuple[int, int]:
    def length(name):
        match = _LENGTH.match(root.attrib.get(name, ""))
        return float(match.group(1)) if match else None

    width, height = length("width"), length("height")
    view_box = root.attrib.get("viewBox", "").replace(",", " ").split()
    if (width is None or height is None) and len(view_box) == 4:
        try:
            vb_w, vb_h = float(view_box[2]), float(view_box[3])
        except ValueError:
            vb_w = vb_h = 0
        if vb_w > 0 and vb_h > 0:
            if width is None and height is None:
                width, height = vb_w, vb_h
            elif width is None:
                width = height * vb_w / vb_h
            else:
                height = width * vb_h / vb_w
    width = width or 300
    height = height or 150
    return max(1, min(round(width), 100_000)), max(1, min(round(height), 100_000))


def check_svg(data: bytes) -> CheckedImage:
    """Parse (no DTDs, no entities) and rebuild an SVG from an allow-list."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception:
        raise _bad_file("The SVG could not be parsed (DTDs and entities are not accepted).") from None
    ns, name = _local(root.tag)
    if ns != SVG_NS or name != "svg":
        raise _bad_file("Not an SVG image (the root element must be <svg> in the SVG namespace).")
    _clean_attributes(root)
    _sanitise_tree(root)
    width, height = _svg_size(root)
    if width * height > _max_pixels():
        raise _bad_file(f"The SVG is {width}×{height}; at most {_max_pixels() / 1e6:g} MP is accepted.")
    import xml.etree.ElementTree as ET

    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    content = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return CheckedImage(mime="image/svg+xml", ext="svg", width=width, height=height, content=content)


# --- fonts ---------------------------------------------------------------------------------

def _name_of(name_table, *ids) -> str | None:
    for name_id in ids:
        record = name_table.getName(name_id, 3, 1, 0x409) or name_table.getDebugName(name_id)
        if record:
            return str(record)
    return None


def check_font(data: bytes) -> CheckedFont:
    """Parse a TTF/OTF/WOFF/WOFF2 file and read its family name, weight and style."""
    from fontTools.ttLib import TTFont

    fmt = sniff_font_format(data)
    if fmt is None:
        raise _bad_file("Not a supported font: upload TTF, OTF, WOFF or WOFF2.")
    try:
        font = TTFont(io.BytesIO(data), lazy=False, recalcBBoxes=False, recalcTimestamp=False)
        name_table = font["name"]
        family = _name_of(name_table, 16, 1)
        font["cmap"]  # noqa: B018 — a font without a usable cmap is refused
        font["head"]  # noqa: B018
        weight = 400
        italic = False
        if "OS/2" in font:
            os2 = font["OS/2"]
            weight = int(getattr(os2, "usWeightClass", 400) or 400)
            italic = bool(getattr(os2, "fsSelection", 0) & 0x01)
        italic = italic or bool(font["head"].macStyle & 0x02)
        font.close()
    except ValidationFailed:
        raise
    except Exception:
        raise _bad_file("The font file could not be parsed.") from None
    if not family:
        raise _bad_file("The font has no family name.")
    family = " ".join(re.sub(r"[^\w .\-]", " ", family).split())[:100]
    if not is_font_family(family):
        raise _bad_file("The font's family name can't be used (no letters or digits).")
    weight = min(1000, max(1, weight))
    return CheckedFont(family_name=family, weight=weight, style="italic" if italic else "normal", format=fmt,
                       content=data)
