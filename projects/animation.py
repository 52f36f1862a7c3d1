"""The video part of document v1 (issue #12): the document's `duration` (ms) and `fps`
(1–60), and per element `enter` / `exit` animations and `keyframes`. A document without them
is a still — and a valid 1-frame video. static/renderer/animation.ts draws what this allows
(the rules, defaults and names are the same); projects.document calls these checks.

    "duration": 6000, "fps": 30,
    "enter": {"type": "slide", "direction": "left", "start": 0, "duration": 600, "easing": "easeOut"},
    "exit": {"type": "fade", "duration": 400},
    "keyframes": [{"time": 0, "x": 80, "rotation": 0}, {"time": 3000, "x": 400, "rotation": 15, "easing": "easeInOut"}]
"""
from __future__ import annotations

import math

from django.conf import settings

DOCUMENT_KEYS = ("duration", "fps")
ELEMENT_KEYS = ("enter", "exit", "keyframes")
ANIMATION_TYPES = ("fade", "slide", "scale", "typewriter")
EASINGS = ("linear", "easeIn", "easeOut", "easeInOut")
SLIDE_DIRECTIONS = ("left", "right", "top", "bottom")
ANIMATION_KEYS = ("type", "start", "duration", "easing", "direction", "distance", "from")
MAX_FPS = 60
MAX_KEYFRAMES = 100
MAX_COORD = 100_000
# keyframe property → (low, high)
KEYFRAME_PROPS = {"x": (-MAX_COORD, MAX_COORD), "y": (-MAX_COORD, MAX_COORD), "scale": (0, 100),
                  "rotation": (-3600, 3600), "opacity": (0, 1)}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _range(errors, path: str, value, low, high) -> None:
    if not _is_number(value):
        errors.add(path, "Must be a number.")
    elif not low <= value <= high:
        errors.add(path, f"Must be ≥ {low} and ≤ {high}.")


def max_duration_ms() -> int:
    return int(settings.VIDEO_MAX_DURATION_MS)


def validate_timeline(errors, doc: dict) -> None:
    """The document's duration and fps."""
    if "duration" in doc and doc["duration"] is not None:
        value = doc["duration"]
        if not _is_number(value):
            errors.add("duration", "Must be a number of milliseconds.")
        elif not 0 < value <= max_duration_ms():
            errors.add("duration", f"Must be > 0 and ≤ {max_duration_ms()} ms.")
    if "fps" in doc and doc["fps"] is not None:
        value = doc["fps"]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_FPS:
            errors.add("fps", f"Must be a whole number from 1 to {MAX_FPS}.")


def _validate_animation(errors, path: str, anim, el_type: str) -> None:
    if not isinstance(anim, dict):
        errors.add(path, "Must be an object.")
        return
    for key in anim:
        if key not in ANIMATION_KEYS:
            errors.add(f"{path}.{key}", "Unknown animation property.")
    kind = anim.get("type")
    if kind not in ANIMATION_TYPES:
        errors.add(f"{path}.type", "Must be one of: " + ", ".join(ANIMATION_TYPES) + ".")
    elif kind == "typewriter" and el_type != "text":
        errors.add(f"{path}.type", "typewriter animates text elements only.")
    for key in ("start", "duration"):
        if key in anim:
            _range(errors, f"{path}.{key}", anim[key], 0, max_duration_ms())
    if "easing" in anim and anim["easing"] not in EASINGS:
        errors.add(f"{path}.easing", "Must be one of: " + ", ".join(EASINGS) + ".")
    if "direction" in anim and anim["direction"] not in SLIDE_DIRECTIONS:
        errors.add(f"{path}.direction", "Must be one of: " + ", ".join(SLIDE_DIRECTIONS) + ".")
    if "distance" in anim:
        _range(errors, f"{path}.distance", anim["distance"], 0, MAX_COORD)
    if "from" in anim:
        _range(errors, f"{path}.from", anim["from"], 0, 100)


def _validate_keyframes(errors, path: str, frames) -> None:
    if not isinstance(frames, list):
        errors.add(path, "Must be a list.")
        return
    if len(frames) > MAX_KEYFRAMES:
        errors.add(path, f"At most {MAX_KEYFRAMES} keyframes.")
        return
    for i, frame in enumerate(frames):
        here = f"{path}[{i}]"
        if not isinstance(frame, dict):
            errors.add(here, "Must be an object.")
            continue
        for key in frame:
            if key not in KEYFRAME_PROPS and key not in ("time", "easing"):
                errors.add(f"{here}.{key}", "Unknown keyframe property; animatable: " + ", ".join(KEYFRAME_PROPS) + ".")
        if "time" not in frame:
            errors.add(f"{here}.time", "Required.")
        else:
            _range(errors, f"{here}.time", frame["time"], 0, max_duration_ms())
        for key, (low, high) in KEYFRAME_PROPS.items():
            if key in frame:
                _range(errors, f"{here}.{key}", frame[key], low, high)
        if "easing" in frame and frame["easing"] not in EASINGS:
            errors.add(f"{here}.easing", "Must be one of: " + ", ".join(EASINGS) + ".")


def validate_element_animation(errors, base: str, el: dict, el_type: str) -> None:
    """An element's enter / exit / keyframes (absent or null: none)."""
    for kind in ("enter", "exit"):
        if el.get(kind) is not None:
            _validate_animation(errors, f"{base}.{kind}", el[kind], el_type)
    if el.get("keyframes") is not None:
        _validate_keyframes(errors, f"{base}.keyframes", el["keyframes"])


def normalise_element_animation(el: dict) -> None:
    """In place: null animations dropped, keyframes sorted by time (a stable sort)."""
    for key in ELEMENT_KEYS:
        if key in el and el[key] is None:
            del el[key]
    if isinstance(el.get("keyframes"), list):
        if el["keyframes"]:
            el["keyframes"] = sorted(el["keyframes"], key=lambda frame: frame["time"])
        else:
            del el["keyframes"]


def timeline_of(doc: dict) -> dict:
    """The normalised document's duration and fps, only those it sets."""
    return {key: doc[key] for key in DOCUMENT_KEYS if doc.get(key) is not None}


def is_animated(doc) -> bool:
    if not isinstance(doc, dict):
        return False
    return any(isinstance(el, dict) and any(el.get(k) for k in ELEMENT_KEYS) for el in doc.get("elements") or [])
