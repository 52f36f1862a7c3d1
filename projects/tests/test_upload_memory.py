"""Image checks without a full decode in the web process (issue #15): a 7000×7000 PNG inside the
pixel cap used to raise the process's memory by ~190 MB while Pillow decoded it. PNGs are now
checked by inflating their data in pieces, JPEGs decoded at 1/8 scale, big GIF/WebP decoded in a
child process; corrupt files are still refused."""
import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from core.errors import ValidationFailed
from projects.uploads import _png_rows, check_image

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_stream(width, height, *, colour=6, depth=8, interlaced=False, row=None) -> bytes:
    """A PNG written row by row (never the whole image in memory); rows get filter 0 and a pattern."""
    compressor = zlib.compressobj(6)
    out = [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0,
                                                              int(interlaced)))]
    if colour == 3:
        out.append(_chunk(b"PLTE", bytes(range(256)) * 3))
    data = []
    for index, (rows, size) in enumerate(_png_rows(width, height, depth, colour, interlaced)):
        pattern = bytes(i % 251 for i in range(size + 251))
        for r in range(rows):
            line = row(index, r, size) if row else b"\0" + pattern[r % 251:r % 251 + size - 1]
            data.append(compressor.compress(line))
    data.append(compressor.flush())
    out.append(_chunk(b"IDAT", b"".join(data)))
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)


def pillow_accepts(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
        return True
    except Exception:
        return False


CHILD = """
import django, json, sys
django.setup()
from projects.uploads import check_image

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

data = open(sys.argv[1], "rb").read()
before = peak()
checked = check_image(data)
print(json.dumps({"grew": peak() - before, "size": [checked.width, checked.height]}))
"""


def _peak_growth_of_check(path: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test")}
    result = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_7000_square_image_is_checked_without_its_pixels_in_memory(tmp_path, fmt):
    path = tmp_path / f"big.{fmt.lower()}"
    if fmt == "PNG":
        path.write_bytes(png_stream(7000, 7000))
    else:  # built from a small image, scaled up in a child of its own would cost as much: draw it here
        Image.new("RGB", (7000, 7000), (200, 40, 90)).save(path, "JPEG", quality=70)
    outcome = _peak_growth_of_check(path)
    assert outcome["size"] == [7000, 7000]
    # A full RGBA decode is 196 MB (RGB JPEG: 147 MB); the checks stay far below.
    assert outcome["grew"] < 30 * 1024 * 1024, outcome


@pytest.mark.parametrize("colour,depth", [(0, 1), (0, 8), (0, 16), (2, 8), (2, 16), (3, 4), (3, 8), (4, 8), (6, 8),
                                          (6, 16)])
@pytest.mark.parametrize("interlaced", [False, True])
@pytest.mark.parametrize("size", [(1, 1), (3, 5), (33, 17)])
def test_the_stream_check_agrees_with_pillow_on_valid_files(colour, depth, interlaced, size):
    data = png_stream(*size, colour=colour, depth=depth, interlaced=interlaced)
    assert pillow_accepts(data)
    checked = check_image(data)
    assert (checked.width, checked.height, checked.mime) == (*size, "image/png")


def _bad(data: bytes) -> str:
    with pytest.raises(ValidationFailed) as caught:
        check_image(data)
    return caught.value.details["file"][0]


def test_truncated_and_corrupt_pngs_are_refused():
    good = png_stream(64, 64)
    assert pillow_accepts(good) and check_image(good).width == 64
    assert "corrupt" in _bad(good[: len(good) // 2])  # cut in the middle of the data
    assert "corrupt" in _bad(good[:-12])  # no IEND

    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF  # a byte of the image data: the CRC no longer matches
    assert not pillow_accepts(bytes(flipped))
    assert "corrupt" in _bad(bytes(flipped))

    # Valid CRCs, but the image data is short by a row (Pillow pads it; the PNG spec and we don't),
    # or has a row filter that doesn't exist.
    short = png_stream(64, 64, row=lambda p, r, size: b"" if r == 63 else b"\0" * size)
    assert "corrupt" in _bad(short)
    bad_filter = png_stream(64, 64, row=lambda p, r, size: (b"\x07" if r == 40 else b"\0") + b"\0" * (size - 1))
    assert not pillow_accepts(bad_filter)
    assert "corrupt" in _bad(bad_filter)


def test_a_large_gif_is_decoded_outside_the_process(tmp_path, monkeypatch):
    import projects.uploads as uploads

    monkeypatch.setattr(uploads, "IN_PROCESS_DECODE_PIXELS", 100)
    buffer = io.BytesIO()
    Image.new("P", (40, 30), 3).save(buffer, "GIF")
    gif = buffer.getvalue()
    assert check_image(gif).width == 40
    assert "corrupt" in _bad(gif[: len(gif) - 20])
