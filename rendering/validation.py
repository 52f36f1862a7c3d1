"""Strict checks of POST /api/render/generate bodies: exact JSON types (no "12" for 12, no
true for 1), unknown top-level fields refused, every problem named in `details`."""
import json
import re

from django.conf import settings

from core.errors import ValidationFailed

FIELDS = ("projectId", "html", "data", "width", "height", "format", "quality", "backgroundColor", "async", "metadata")
FORMATS = ("png", "jpeg", "webp")
DEFAULT_QUALITY = 90
DEFAULT_HTML_SIZE = 1080
MAX_METADATA_BYTES = 4096
MAX_HTML_CHARS = 512 * 1024

NAMED_COLOURS = frozenset(
    """aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
    burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan
    darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred
    darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink
    deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold
    goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush
    lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey
    lightpink lightsalmon lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow
    lime limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen
    mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin
    navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise
    palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue
    saddlebrown salmon seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen
    steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen""".split()
)
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:%|deg|turn|rad|grad)?"
_FUNC = re.compile(
    rf"^(rgb|rgba|hsl|hsla)\(\s*{_NUM}(?:\s*[,\s]\s*{_NUM}){{2}}(?:\s*[,/]\s*{_NUM})?\s*\)$", re.IGNORECASE
)


def is_css_colour(value: str) -> bool:
    value = value.strip()
    return bool(
        value.lower() in NAMED_COLOURS or value.lower() == "transparent" or _HEX.match(value) or _FUNC.match(value)
    )


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Errors:
    def __init__(self):
        self.details: dict[str, list[str]] = {}

    def add(self, field: str, message: str):
        self.details.setdefault(field, []).append(message)

    def raise_if_any(self):
        if self.details:
            field, messages = next(iter(self.details.items()))
            raise ValidationFailed(f"{field}: {messages[0]}", details=self.details)


def parse_generate_body(body) -> dict:
    """Check types and ranges of a generate request; return the cleaned values.
    Template-dependent checks (data keys, default size) happen once the project is known."""
    if not isinstance(body, dict):
        raise ValidationFailed("The body must be a JSON object.", details={"non_field_errors": ["Expected a JSON object."]})
    errors = Errors()
    for key in body:
        if key not in FIELDS:
            errors.add(key, "Unknown field.")
    has_project = body.get("projectId") is not None
    has_html = body.get("html") is not None
    if has_project and has_html:
        errors.add("projectId", "Give either projectId or html, not both.")
    elif not has_project and not has_html:
        errors.add("projectId", "projectId or html is required.")
    if has_project and not (isinstance(body["projectId"], str) and body["projectId"].strip()):
        errors.add("projectId", "Must be a non-empty string.")
    if has_html:
        if not (isinstance(body["html"], str) and body["html"].strip()):
            errors.add("html", "Must be a non-empty string.")
        elif len(body["html"]) > MAX_HTML_CHARS:
            errors.add("html", f"Must be at most {MAX_HTML_CHARS} characters.")
    data = body.get("data")
    if data is None:
        data = {}
    elif not isinstance(data, dict):
        errors.add("data", "Must be an object of \"<key>.text\" / \"<key>.img\" values.")
    max_canvas = settings.MAX_CANVAS
    for field in ("width", "height"):
        value = body.get(field)
        if value is None:
            continue
        if not _is_int(value):
            errors.add(field, "Must be an integer.")
        elif not 1 <= value <= max_canvas:
            errors.add(field, f"Must be between 1 and {max_canvas}.")
    fmt = body.get("format")
    if fmt is None:
        fmt = "png"
    elif not isinstance(fmt, str) or fmt not in FORMATS:
        errors.add("format", "Must be one of png, jpeg, webp.")
    quality = body.get("quality")
    if quality is None:
        quality = DEFAULT_QUALITY
    elif not _is_int(quality):
        errors.add("quality", "Must be an integer.")
    elif not 1 <= quality <= 100:
        errors.add("quality", "Must be between 1 and 100.")
    background = body.get("backgroundColor")
    if background is not None:
        if not isinstance(background, str) or len(background) > 64 or not is_css_colour(background):
            errors.add("backgroundColor", "Must be a CSS colour (#rrggbb, rgb(), hsl(), a colour name or transparent).")
        else:
            background = background.strip()
    run_async = body.get("async")
    if run_async is None:
        run_async = False
    elif not isinstance(run_async, bool):
        errors.add("async", "Must be a boolean.")
    metadata = body.get("metadata")
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, dict):
        errors.add("metadata", "Must be an object.")
    elif len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_METADATA_BYTES:
        errors.add("metadata", f"Must be at most {MAX_METADATA_BYTES} bytes of JSON.")
    errors.raise_if_any()
    if isinstance(background, str) and background.lower() == "transparent":
        background, fmt = "transparent", "png"
    return {
        "projectId": body.get("projectId"),
        "html": body.get("html"),
        "data": data,
        "width": body.get("width"),
        "height": body.get("height"),
        "format": fmt,
        "quality": quality,
        "backgroundColor": background,
        "async": run_async,
        "metadata": metadata,
    }
