"""The one CSS colour check, for template documents and render options alike.

It accepts what CSS Color 4 and Chromium accept for the forms a template needs, and nothing
Chromium would refuse (core/tests/test_colours.py asks Chromium itself):

- hex: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`;
- `rgb()`/`rgba()`: the comma form takes three numbers or three percentages (not mixed), the
  space form any mix, each with an optional alpha (`, a` or `/ a`, a number or a percentage);
- `hsl()`/`hsla()`: the hue a number or an angle (deg, rad, grad, turn); the comma form needs
  percentages for saturation and lightness, the space form takes numbers or percentages;
- a named colour, or `transparent`.

Refused on purpose although CSS has them: `currentcolor` (nothing to inherit from), `none`
components, exponents (`1e2`) and an unclosed `rgb(…` (CSS closes it at the end of the
value) — no template needs them.
"""
from __future__ import annotations

import re

NAMED_COLOURS = frozenset(
    """aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
    burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan
    darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid
    darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet
    deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro
    ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
    lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow
    lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray
    lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine
    mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise
    mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab
    orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru
    pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown
    seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan
    teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen transparent""".split()
)
MAX_LENGTH = 96

_HEX = re.compile(r"#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", re.IGNORECASE)
_N = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"  # a CSS number
_P = rf"{_N}%"  # a percentage
_NP = rf"{_N}%?"  # a number or a percentage
_HUE = rf"{_N}(?:deg|rad|grad|turn)?"
_C = r"\s*,\s*"  # a comma with any spaces
_S = r"\s+"
_ALPHA_COMMA = rf"(?:{_C}{_NP})?"
_ALPHA_SLASH = rf"(?:\s*/\s*{_NP})?"
_FUNCTIONS = re.compile(
    "|".join([
        rf"rgba?\(\s*{_N}{_C}{_N}{_C}{_N}{_ALPHA_COMMA}\s*\)",
        rf"rgba?\(\s*{_P}{_C}{_P}{_C}{_P}{_ALPHA_COMMA}\s*\)",
        rf"rgba?\(\s*{_NP}{_S}{_NP}{_S}{_NP}{_ALPHA_SLASH}\s*\)",
        rf"hsla?\(\s*{_HUE}{_C}{_P}{_C}{_P}{_ALPHA_COMMA}\s*\)",
        rf"hsla?\(\s*{_HUE}{_S}{_NP}{_S}{_NP}{_ALPHA_SLASH}\s*\)",
    ]),
    re.IGNORECASE,
)


def is_css_colour(value: object) -> bool:
    """True when `value` is a colour string of the forms above (surrounding spaces allowed)."""
    if not isinstance(value, str):
        return False
    v = value.strip()
    if not v or len(v) > MAX_LENGTH:
        return False
    return bool(_HEX.fullmatch(v) or _FUNCTIONS.fullmatch(v) or v.lower() in NAMED_COLOURS)
