"""The video part of document v1: duration/fps, enter/exit, keyframes — each rule refuses with
the field's path, nothing else in the document changes, and a still stays exactly as it was."""
import pytest

from core.errors import ValidationFailed
from projects.animation import is_animated
from projects.document import validate_document


def text(**extra):
    return {"id": "t1", "type": "text", "x": 10, "y": 10, "width": 100, "height": 50, "text": "مرحبا", **extra}


def shape(**extra):
    return {"id": "s1", "type": "shape", "x": 0, "y": 0, "width": 10, "height": 10, "fill": "#fff", **extra}


def errors_of(document) -> dict:
    with pytest.raises(ValidationFailed) as info:
        validate_document(document)
    assert info.value.code == "VALIDATION_FAILED"
    return info.value.details


def test_a_still_is_unchanged_and_has_no_timeline():
    out = validate_document({"version": 1, "elements": [shape()]})
    assert "duration" not in out and "fps" not in out
    assert set(out["elements"][0]) == {"id", "type", "x", "y", "width", "height", "fill", "rotation", "opacity",
                                       "shape", "borderRadius"}
    assert not is_animated(out)


def test_animated_document_is_kept_and_keyframes_sorted():
    out = validate_document({
        "version": 1, "duration": 6000, "fps": 30,
        "elements": [
            text(enter={"type": "typewriter", "duration": 1200, "easing": "linear"},
                 exit={"type": "fade", "start": 5000, "duration": 500}),
            shape(enter={"type": "slide", "direction": "right", "distance": 300, "easing": "easeOut"},
                  keyframes=[{"time": 3000, "x": 400, "rotation": 15, "easing": "easeInOut"},
                             {"time": 0, "x": 0, "scale": 1, "opacity": 0.5}]),
        ],
    })
    assert (out["duration"], out["fps"], out["version"]) == (6000, 30, 1)
    assert out["elements"][0]["enter"] == {"type": "typewriter", "duration": 1200, "easing": "linear"}
    assert [k["time"] for k in out["elements"][1]["keyframes"]] == [0, 3000]
    assert is_animated(out)


def test_null_and_empty_animation_fields_are_dropped():
    out = validate_document({"version": 1, "elements": [shape(enter=None, exit=None, keyframes=[])]})
    assert not {"enter", "exit", "keyframes"} & set(out["elements"][0])


@pytest.mark.parametrize("doc_extra, path", [
    ({"duration": 0}, "duration"),
    ({"duration": 60_001}, "duration"),
    ({"duration": "5000"}, "duration"),
    ({"fps": 0}, "fps"),
    ({"fps": 61}, "fps"),
    ({"fps": 29.97}, "fps"),
    ({"fps": True}, "fps"),
])
def test_timeline_limits(doc_extra, path):
    assert path in errors_of({"version": 1, "elements": [], **doc_extra})


@pytest.mark.parametrize("el, path", [
    (shape(enter={"type": "spin"}), "elements[0].enter.type"),
    (shape(enter={"duration": 300}), "elements[0].enter.type"),
    (shape(enter={"type": "typewriter"}), "elements[0].enter.type"),  # text only
    (shape(enter={"type": "fade", "easing": "bounce"}), "elements[0].enter.easing"),
    (shape(exit={"type": "slide", "direction": "up"}), "elements[0].exit.direction"),
    (shape(exit={"type": "fade", "duration": -1}), "elements[0].exit.duration"),
    (shape(exit={"type": "fade", "start": 70_000}), "elements[0].exit.start"),
    (shape(exit={"type": "fade", "css": "x"}), "elements[0].exit.css"),
    (shape(enter="fade"), "elements[0].enter"),
    (shape(keyframes={"time": 0}), "elements[0].keyframes"),
    (shape(keyframes=[{"x": 3}]), "elements[0].keyframes[0].time"),
    (shape(keyframes=[{"time": 0, "opacity": 2}]), "elements[0].keyframes[0].opacity"),
    (shape(keyframes=[{"time": 0, "color": "red"}]), "elements[0].keyframes[0].color"),
    (shape(keyframes=[{"time": 0, "scale": "2"}]), "elements[0].keyframes[0].scale"),
    (shape(keyframes=[{"time": i} for i in range(101)]), "elements[0].keyframes"),
])
def test_animation_rules_name_the_field(el, path):
    details = errors_of({"version": 1, "duration": 3000, "elements": [el]})
    assert path in details, details


def test_the_duration_limit_follows_the_setting(settings):
    settings.VIDEO_MAX_DURATION_MS = 10_000
    assert "duration" in errors_of({"version": 1, "duration": 10_001, "elements": []})
    assert validate_document({"version": 1, "duration": 10_000, "elements": []})["duration"] == 10_000
