// Every value that reaches a style property passes through here first. Values are data,
// never markup: only plain colours, finite numbers and known keywords get through, and
// they are then set one property at a time with style.setProperty (never concatenated
// into CSS or HTML text).

const NAMED_COLOURS = new Set(
  (
    'aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown ' +
    'burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan ' +
    'darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid ' +
    'darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet ' +
    'deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ' +
    'ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki ' +
    'lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow ' +
    'lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray ' +
    'lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine ' +
    'mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise ' +
    'mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab ' +
    'orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru ' +
    'pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown ' +
    'seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan ' +
    'teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen transparent'
  ).split(' '),
);

const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
// rgb()/rgba()/hsl()/hsla() with numbers, percentages, "deg", commas, spaces and "/" only.
const FUNC = /^(?:rgba?|hsla?)\(\s*[-+0-9.eE%\s,/deg]{1,80}\)$/i;

/** A plain CSS colour (hex, rgb[a], hsl[a], named, transparent), or null. */
export function cssColor(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (!v || v.length > 96) return null;
  const ok = HEX.test(v) || FUNC.test(v) || NAMED_COLOURS.has(v.toLowerCase());
  if (!ok) return null;
  if (typeof CSS !== 'undefined' && typeof CSS.supports === 'function' && !CSS.supports('color', v)) return null;
  return v;
}

/** A finite number clamped into [min, max], or the fallback. Numeric strings are accepted. */
export function num(value: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(value)) n = Number(value);
  else return fallback;
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

/** One of the allowed keywords, or the fallback. */
export function keyword<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** A font weight 1..1000 (numbers or "normal"/"bold"). */
export function fontWeight(value: unknown): number {
  if (value === 'bold') return 700;
  if (value === 'normal') return 400;
  return Math.round(num(value, 400, 1, 1000));
}

// Letters and marks of any script, digits, space, "-", "_", "." — no quotes, backslashes,
// semicolons, braces or angle brackets, so a family name can be quoted safely.
const FAMILY = /^[\p{L}\p{M}\p{N} _.-]{1,100}$/u;

/** A font family name that is safe to put between double quotes, or null. */
export function fontFamilyName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim().replace(/\s+/g, ' ');
  return FAMILY.test(v) ? v : null;
}

/**
 * An image URL the browser may load: http(s), blob:, data:image/… or a same-origin
 * relative path. Anything else (javascript:, file:, CSS fragments…) → null.
 */
export function imageUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (!v || v.length > 2_000_000) return null;
  if (/^data:/i.test(v)) return /^data:image\/(?:png|jpeg|jpg|gif|webp|avif|bmp|svg\+xml)[;,]/i.test(v) ? v : null;
  let url: URL;
  try {
    url = new URL(v, typeof location !== 'undefined' ? location.href : 'https://invalid.invalid/');
  } catch {
    return null;
  }
  if (!['https:', 'http:', 'blob:'].includes(url.protocol)) return null;
  return url.href;
}

/** Sets one style property from an already validated value. */
export function setStyle(el: HTMLElement, prop: string, value: string | number | null | undefined): void {
  if (value === null || value === undefined || value === '') return;
  el.style.setProperty(prop, String(value));
}
