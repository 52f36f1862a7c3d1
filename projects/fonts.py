"""The bundled font catalogue: the families every template may use without uploading.

The files come from the @fontsource npm packages and are bundled by Vite with the shared
renderer (static/renderer/font-files.ts), so the Studio in a user's browser and the
headless render page draw with the very same files. Keep this list in step with
static/renderer/fonts.ts (a test checks it). Account fonts (uploaded) are added per render
through the FontFace API; nothing is ever installed into the system's fonts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BundledFamily:
    family: str
    category: str  # "sans-serif" | "serif" | "emoji"
    scripts: tuple[str, ...]
    weights: tuple[int, ...]
    italic: bool


BUNDLED_FONTS: tuple[BundledFamily, ...] = (
    BundledFamily("Noto Sans", "sans-serif", ("latin", "cyrillic", "greek", "devanagari", "vietnamese"),
                  (400, 500, 600, 700, 800), True),
    BundledFamily("Noto Serif", "serif", ("latin", "cyrillic", "greek", "vietnamese"), (400, 700), True),
    BundledFamily("Noto Sans Arabic", "sans-serif", ("arabic", "latin"), (400, 500, 600, 700), False),
    BundledFamily("Noto Naskh Arabic", "serif", ("arabic", "latin"), (400, 700), False),
    BundledFamily("Noto Kufi Arabic", "sans-serif", ("arabic", "latin"), (400, 700), False),
    BundledFamily("Noto Color Emoji", "emoji", ("emoji",), (400,), False),
)

DEFAULT_FAMILY = "Noto Sans"

# What a family name may contain (same rule as static/renderer/sanitize.ts): letters and
# marks of any script, digits, space, "-", "_", ".".
_FAMILY_RE = re.compile(r"^[^\W][\w .-]{0,99}$", re.UNICODE)


FONT_MIME_TYPES = {"ttf": "font/ttf", "otf": "font/otf", "woff": "font/woff", "woff2": "font/woff2"}


def sniff_font_format(content: bytes) -> str | None:
    """"ttf", "otf", "woff" or "woff2" from a font file's first bytes; None for anything else."""
    head = content[:4]
    if head in (b"\x00\x01\x00\x00", b"true"):
        return "ttf"
    if head == b"OTTO":
        return "otf"
    if head == b"wOFF":
        return "woff"
    if head == b"wOF2":
        return "woff2"
    return None


def bundled_families() -> list[str]:
    return [f.family for f in BUNDLED_FONTS]


def is_bundled(family: str) -> bool:
    return family.strip().lower() in {f.family.lower() for f in BUNDLED_FONTS}


def valid_family_name(family: str) -> bool:
    """True when `family` is safe to use as a font family name (no quotes, ;, {}, <>, \\…)."""
    return isinstance(family, str) and bool(_FAMILY_RE.match(family.strip())) and "_" not in family[:1]


def catalogue() -> list[dict]:
    """JSON-friendly catalogue (for APIs and the Studio's font picker)."""
    return [
        {"family": f.family, "category": f.category, "scripts": list(f.scripts),
         "weights": list(f.weights), "italic": f.italic, "bundled": True}
        for f in BUNDLED_FONTS
    ]
