"""The template document, version 1 (contract §3): validation, normalised defaults, the
dynamic elements a template exposes and the check of render data against them.

Every value that reaches the renderer is plain data: colours are hex / rgb() / hsl() with
numbers / named colours, font families are plain names, URLs are https (or our own assets),
and unknown element types, element keys and style keys are refused, so nothing in a document
can carry CSS or markup. Errors name the field with a JSON-path-like key:
`elements[2].style.color`."""
import copy
import math
import re
from typing import Any

from django.conf import settings

from core.colours import is_css_colour as is_colour
from core.errors import ValidationFailed
from projects import animation

VERSION = 1
MAX_ELEMENTS = 500
MAX_TEXT = 10_000
MAX_URL = 2048
MAX_COORD = 100_000
MAX_BOX = 100_000
DEFAULT_FONT = "Noto Sans"

DYNAMIC_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ELEMENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# Letters and marks of any script, digits, space, "_", "." and "-": no quotes, semicolons,
# braces, backslashes or angle brackets, so the name can sit between quotes in CSS.
_FAMILY_ALLOWED = re.compile(r"^[\w .\-]{1,100}$", re.UNICODE)

ELEMENT_TYPES = ("text", "image", "shape")
DYNAMIC_TYPES = {"text": "text", "image": "img"}  # element type → data key suffix
COMMON_KEYS = {"id", "type", "x", "y", "width", "height", "rotation", "opacity", "hidden", "visible", "locked",
               "name", "dynamicKey", "placeholder", "groupId", *animation.ELEMENT_KEYS}
TYPE_KEYS = {
    "text": {"text", "style"},
    "image": {"src", "fit", "borderRadius"},
    "shape": {"shape", "fill", "stroke", "strokeWidth", "borderRadius"},
}
TEXT_ALIGNS = ("left", "right", "center", "justify", "start", "end")
VERTICAL_ALIGNS = ("top", "middle", "bottom")
DIRECTIONS = ("auto", "ltr", "rtl")
FITS = ("cover", "contain", "fill")
SHAPES = ("rect", "ellipse", "line")

# style key → (kind, arguments); kinds checked by _style_value.
TEXT_STYLE = {
    "fontFamily": ("font", None),
    "fontSize": ("number", (1, 2000)),
    "fontWeight": ("weight", None),
    "fontStyle": ("choice", ("normal", "italic")),
    "color": ("colour", None),
    "textAlign": ("choice", TEXT_ALIGNS),
    "verticalAlign": ("choice", VERTICAL_ALIGNS),
    "lineHeight": ("number", (0.1, 10)),
    "letterSpacing": ("number", (-100, 1000)),
    "direction": ("choice", DIRECTIONS),
    "autoFit": ("bool", None),
    "minFontSize": ("number", (1, 2000)),
    "textTransform": ("choice", ("none", "uppercase", "lowercase", "capitalize")),
    "textDecoration": ("choice", ("none", "underline", "line-through")),
    "backgroundColor": ("colour", None),
}
TEXT_STYLE_DEFAULTS: dict[str, Any] = {
    "fontFamily": DEFAULT_FONT,
    "fontSize": 48,
    "fontWeight": 400,
    "color": "#000000",
    "textAlign": "start",
    "verticalAlign": "top",
    "lineHeight": 1.2,
    "autoFit": False,
}
BACKGROUND_KEYS = {"color", "image", "fit"}


class _Errors:
    def __init__(self):
        self.details: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.details.setdefault(path or "document", []).append(message)

    def raise_if_any(self, prefix: str = "") -> None:
        if self.details:
            first_path, messages = next(iter(self.details.items()))
            raise ValidationFailed(
                f"Invalid document: {prefix}{first_path}: {messages[0]}",
                details={f"{prefix}{path}": msgs for path, msgs in self.details.items()},
            )


# --- single values -------------------------------------------------------------------------

def is_font_family(value) -> bool:
    if not isinstance(value, str):
        return False
    v = " ".join(value.split())
    return bool(v) and bool(_FAMILY_ALLOWED.match(v))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def asset_url_prefix() -> str:
    """The absolute URL prefix our uploaded assets are served under."""
    from django.core.files.storage import default_storage

    url = default_storage.url("assets/x")[:-1]
    if not url.startswith(("http://", "https://")):
        url = settings.PUBLIC_BASE_URL + url
    return url


_ASSET_PATH_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}\.(?:png|jpg|webp|gif|svg)$")


def asset_name_from_url(url: str) -> str | None:
    """The storage name (`assets/…`) of one of our asset URLs, or None."""
    if not isinstance(url, str):
        return None
    prefix = asset_url_prefix()
    if url.startswith(prefix) and _ASSET_PATH_RE.match(url[len(prefix):]):
        return "assets/" + url[len(prefix):]
    return None


def image_url_problem(value) -> str | None:
    """None when `value` may be an image source (https URL, our asset URL, or empty), else why not."""
    if not isinstance(value, str):
        return "Must be a string."
    if value == "":
        return None
    if len(value) > MAX_URL:
        return f"Must be at most {MAX_URL} characters."
    if any(ch.isspace() or ord(ch) < 0x20 for ch in value) or any(ch in value for ch in "\"'<>\\`{}"):
        return "Must be a plain URL."
    if asset_name_from_url(value):
        return None
    lower = value.lower()
    if lower.startswith("https://") and len(value) > len("https://"):
        return None
    if lower.startswith("http://") and settings.AUDOME_ALLOW_PRIVATE_URLS:
        return None
    return "Must be an https:// URL or the URL of an uploaded asset."


# --- the document --------------------------------------------------------------------------

def _number(errors, path, value, low, high, *, required=False, exclusive_low=False):
    if value is None:
        if required:
            errors.add(path, "Required.")
        return
    if not _is_number(value):
        errors.add(path, "Must be a number.")
        return
    if (exclusive_low and value <= low) or (not exclusive_low and value < low) or value > high:
        bound = f"> {low}" if exclusive_low else f"≥ {low}"
        errors.add(path, f"Must be {bound} and ≤ {high}.")


def _style_value(errors, path, kind, args, value):
    if kind == "font":
        if not is_font_family(value):
            errors.add(path, "Must be a plain font family name (letters, digits, spaces, '-', '_', '.').")
    elif kind == "number":
        _number(errors, path, value, args[0], args[1])
    elif kind == "weight":
        if value in ("normal", "bold"):
            return
        if not _is_number(value) or not (1 <= value <= 1000):
            errors.add(path, "Must be a number from 1 to 1000, 'normal' or 'bold'.")
    elif kind == "choice":
        if value not in args:
            errors.add(path, "Must be one of: " + ", ".join(args) + ".")
    elif kind == "colour":
        if not is_colour(value):
            errors.add(path, "Must be a colour: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb()/rgba()/hsl() with numbers, "
                             "a named colour or transparent.")
    elif kind == "bool":
        if not isinstance(value, bool):
            errors.add(path, "Must be true or false.")


def _validate_element(errors, i, el, seen_ids, seen_keys):
    base = f"elements[{i}]"
    if not isinstance(el, dict):
        errors.add(base, "Must be an object.")
        return None
    el_type = el.get("type")
    if el_type not in ELEMENT_TYPES:
        errors.add(f"{base}.type", "Unknown element type; must be one of: " + ", ".join(ELEMENT_TYPES) + ".")
        return None
    allowed = COMMON_KEYS | TYPE_KEYS[el_type]
    for key in el:
        if key not in allowed:
            errors.add(f"{base}.{key}", f"Unknown property for a {el_type} element.")

    el_id = el.get("id")
    if el_id is None or el_id == "":
        errors.add(f"{base}.id", "Required.")
    elif not isinstance(el_id, str) or not ELEMENT_ID_RE.match(el_id):
        errors.add(f"{base}.id", "Must be 1–64 characters: letters, digits, '_', '-', '.', ':'.")
    elif el_id in seen_ids:
        errors.add(f"{base}.id", f"Duplicate element id '{el_id}'.")
    else:
        seen_ids.add(el_id)

    _number(errors, f"{base}.x", el.get("x"), -MAX_COORD, MAX_COORD, required=True)
    _number(errors, f"{base}.y", el.get("y"), -MAX_COORD, MAX_COORD, required=True)
    _number(errors, f"{base}.width", el.get("width"), 0, MAX_BOX, required=True, exclusive_low=True)
    _number(errors, f"{base}.height", el.get("height"), 0, MAX_BOX, required=True, exclusive_low=True)
    _number(errors, f"{base}.rotation", el.get("rotation"), -360, 360)
    _number(errors, f"{base}.opacity", el.get("opacity"), 0, 1)
    for flag in ("hidden", "visible", "locked"):
        if flag in el and not isinstance(el[flag], bool):
            errors.add(f"{base}.{flag}", "Must be true or false.")
    for label in ("name", "placeholder"):
        if label in el and el[label] is not None:
            if not isinstance(el[label], str):
                errors.add(f"{base}.{label}", "Must be a string.")
            elif len(el[label]) > 200:
                errors.add(f"{base}.{label}", "Must be at most 200 characters.")

    group = el.get("groupId")  # the Studio's groups: elements sharing an id are selected and moved together
    if group is not None and (not isinstance(group, str) or not ELEMENT_ID_RE.match(group)):
        errors.add(f"{base}.groupId", "Must be 1–64 characters: letters, digits, '_', '-', '.', ':'.")

    key = el.get("dynamicKey")
    if key is not None and key != "":
        if el_type not in DYNAMIC_TYPES:
            errors.add(f"{base}.dynamicKey", "Only text and image elements can be dynamic.")
        elif not isinstance(key, str) or not DYNAMIC_KEY_RE.match(key):
            errors.add(f"{base}.dynamicKey", "Must be 1–64 characters: letters, digits, '_' or '-'.")
        elif key in seen_keys:
            errors.add(f"{base}.dynamicKey", f"dynamicKey '{key}' is used by another element.")
        else:
            seen_keys.add(key)

    animation.validate_element_animation(errors, base, el, el_type)
    if el_type == "text":
        text = el.get("text", "")
        if not isinstance(text, str):
            errors.add(f"{base}.text", "Must be a string.")
        elif len(text) > MAX_TEXT:
            errors.add(f"{base}.text", f"Must be at most {MAX_TEXT} characters.")
        style = el.get("style", {})
        if style is None:
            style = {}
        if not isinstance(style, dict):
            errors.add(f"{base}.style", "Must be an object.")
        else:
            for name, value in style.items():
                spec = TEXT_STYLE.get(name)
                if spec is None:
                    errors.add(f"{base}.style.{name}", "Unknown style property.")
                    continue
                _style_value(errors, f"{base}.style.{name}", spec[0], spec[1], value)
    elif el_type == "image":
        problem = image_url_problem(el.get("src", ""))
        if problem:
            errors.add(f"{base}.src", problem)
        if "fit" in el and el["fit"] not in FITS:
            errors.add(f"{base}.fit", "Must be one of: " + ", ".join(FITS) + ".")
        _number(errors, f"{base}.borderRadius", el.get("borderRadius"), 0, MAX_BOX)
    else:
        if "shape" in el and el["shape"] not in SHAPES:
            errors.add(f"{base}.shape", "Must be one of: " + ", ".join(SHAPES) + ".")
        for name in ("fill", "stroke"):
            if name in el and el[name] is not None and not is_colour(el[name]):
                errors.add(f"{base}.{name}", "Must be a colour: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb()/rgba()/hsl() with "
                                             "numbers, a named colour or transparent.")
        _number(errors, f"{base}.strokeWidth", el.get("strokeWidth"), 0, 1000)
        _number(errors, f"{base}.borderRadius", el.get("borderRadius"), 0, MAX_BOX)
    return el_type


def _normalise_element(el: dict) -> dict:
    out = dict(el)
    out.setdefault("rotation", 0)
    out.setdefault("opacity", 1)
    animation.normalise_element_animation(out)
    if out.get("dynamicKey") in ("", None):
        out.pop("dynamicKey", None)
    if out["type"] == "text":
        out.setdefault("text", "")
        style = dict(TEXT_STYLE_DEFAULTS)
        style.update(out.get("style") or {})
        if style.get("fontWeight") == "normal":
            style["fontWeight"] = 400
        elif style.get("fontWeight") == "bold":
            style["fontWeight"] = 700
        style["fontFamily"] = " ".join(style["fontFamily"].split())
        out["style"] = style
    elif out["type"] == "image":
        out.setdefault("src", "")
        out.setdefault("fit", "cover")
        out.setdefault("borderRadius", 0)
    else:
        out.setdefault("shape", "rect")
        out.setdefault("borderRadius", 0)
    return out


def validate_document(doc, *, width: int | None = None, height: int | None = None, prefix: str = "") -> dict:
    """A normalised copy of a valid document; raises ValidationFailed with every field error.
    `width`/`height` are the canvas (validated by the caller); `prefix` is put before each
    detail key (the API passes "" so keys read `elements[2].style.color`)."""
    errors = _Errors()
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        errors.add("document", "Must be an object.")
        errors.raise_if_any(prefix)
    for key in doc:
        if key not in ("version", "background", "elements", *animation.DOCUMENT_KEYS):
            errors.add(key, "Unknown document property.")
    version = doc.get("version", VERSION)
    if version != VERSION or isinstance(version, bool):
        errors.add("version", f"Must be {VERSION}.")
    animation.validate_timeline(errors, doc)

    background = doc.get("background", {})
    if background is None:
        background = {}
    if not isinstance(background, dict):
        errors.add("background", "Must be an object.")
    else:
        for key in background:
            if key not in BACKGROUND_KEYS:
                errors.add(f"background.{key}", "Unknown background property.")
        if "color" in background and not is_colour(background["color"]):
            errors.add("background.color", "Must be a colour: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb()/rgba()/hsl() with "
                                           "numbers, a named colour or transparent.")
        if "image" in background:
            problem = image_url_problem(background["image"])
            if problem:
                errors.add("background.image", problem)
        if "fit" in background and background["fit"] not in FITS:
            errors.add("background.fit", "Must be one of: " + ", ".join(FITS) + ".")

    elements = doc.get("elements", [])
    if elements is None:
        elements = []
    if not isinstance(elements, list):
        errors.add("elements", "Must be a list.")
        elements = []
    elif len(elements) > MAX_ELEMENTS:
        errors.add("elements", f"At most {MAX_ELEMENTS} elements.")
        elements = []
    seen_ids: set[str] = set()
    seen_keys: set[str] = set()
    for i, el in enumerate(elements):
        _validate_element(errors, i, el, seen_ids, seen_keys)
    errors.raise_if_any(prefix)

    return {
        "version": VERSION,
        "background": copy.deepcopy(background),
        "elements": [_normalise_element(copy.deepcopy(el)) for el in elements],
        **animation.timeline_of(doc),
    }


# --- dynamic values ------------------------------------------------------------------------

def _elements_of(doc) -> list:
    if not isinstance(doc, dict) or not isinstance(doc.get("elements"), list):
        return []
    return [el for el in doc["elements"] if isinstance(el, dict)]


def dynamic_elements(doc) -> list[dict]:
    """One entry per element with a dynamicKey: {type, dynamicKey, defaultValue, placeholder}."""
    out = []
    for el in _elements_of(doc):
        key = el.get("dynamicKey")
        if not isinstance(key, str) or not key or el.get("type") not in DYNAMIC_TYPES:
            continue
        default = el.get("text", "") if el["type"] == "text" else el.get("src", "")
        out.append({
            "type": el["type"],
            "dynamicKey": key,
            "defaultValue": default if isinstance(default, str) else "",
            "placeholder": el.get("placeholder") if isinstance(el.get("placeholder"), str) else "",
        })
    return out


def validate_data(doc, data) -> None:
    """Render data against a template: every key must be `<dynamicKey>.text` for a text element
    or `<dynamicKey>.img` for an image element; text ≤ 10 000 chars, images an https URL (or
    one of our asset URLs) ≤ 2048 chars. Raises ValidationFailed naming each bad key."""
    if data is None:
        return
    if not isinstance(data, dict):
        raise ValidationFailed("data must be an object.", details={"data": ["Must be an object."]})
    types = {entry["dynamicKey"]: entry["type"] for entry in dynamic_elements(doc)}
    details: dict[str, list[str]] = {}
    for key, value in data.items():
        path = f"data.{key}"
        name, dot, suffix = str(key).rpartition(".")
        if not dot or name not in types:
            known = ", ".join(f"{k}.{DYNAMIC_TYPES[t]}" for k, t in types.items()) or "none"
            details[path] = [f"Unknown key '{key}': this template has no such dynamic element (keys: {known})."]
            continue
        expected = DYNAMIC_TYPES[types[name]]
        if suffix != expected:
            details[path] = [f"'{name}' is a {types[name]} element: use '{name}.{expected}'."]
            continue
        if expected == "text":
            if not isinstance(value, str):
                details[path] = ["Must be a string."]
            elif len(value) > MAX_TEXT:
                details[path] = [f"Must be at most {MAX_TEXT} characters."]
        else:
            problem = image_url_problem(value)
            if problem:
                details[path] = [problem]
    if details:
        first_path, messages = next(iter(details.items()))
        raise ValidationFailed(f"Invalid data: {first_path}: {messages[0]}", details=details)
