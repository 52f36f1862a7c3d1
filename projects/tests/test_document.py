"""Document v1 validation: each rule refuses with a JSON-path-like field key; defaults normalised."""
import pytest

from core.errors import ValidationFailed
from projects.document import dynamic_elements, is_colour, validate_data, validate_document


def text(id="t1", **extra):
    el = {"id": id, "type": "text", "x": 10, "y": 10, "width": 100, "height": 50, "text": "Hi"}
    el.update(extra)
    return el


def image(id="i1", **extra):
    el = {"id": id, "type": "image", "x": 0, "y": 0, "width": 100, "height": 100, "src": ""}
    el.update(extra)
    return el


def shape(id="s1", **extra):
    el = {"id": id, "type": "shape", "shape": "rect", "x": 0, "y": 0, "width": 10, "height": 10, "fill": "#fff"}
    el.update(extra)
    return el


def doc(*elements, **extra):
    return {"version": 1, "elements": list(elements), **extra}


def errors_of(document) -> dict:
    with pytest.raises(ValidationFailed) as info:
        validate_document(document, width=1080, height=1080)
    assert info.value.code == "VALIDATION_FAILED"
    return info.value.details


def test_contract_example_is_valid_and_normalised():
    document = doc(
        text("el1", dynamicKey="title", placeholder="Title", rotation=0, opacity=1,
             style={"fontFamily": "Noto Sans", "fontSize": 72, "fontWeight": 700, "color": "#ffffff",
                    "textAlign": "center", "verticalAlign": "middle", "lineHeight": 1.2, "autoFit": True}),
        image("el2", dynamicKey="hero", src="https://example.com/a.jpg", fit="cover", borderRadius=24),
        shape("el3", fill="#f59e0b", borderRadius=4),
        background={"color": "#0f172a"},
    )
    out = validate_document(document, width=1080, height=1080)
    assert out["version"] == 1
    assert out["elements"][0]["style"]["autoFit"] is True
    assert out["elements"][1]["fit"] == "cover"
    # defaults filled in
    bare = validate_document(doc(text(), image(), shape()), width=100, height=100)
    t, i, s = bare["elements"]
    assert t["rotation"] == 0 and t["opacity"] == 1
    assert t["style"]["fontFamily"] == "Noto Sans" and t["style"]["fontSize"] == 48
    assert i["fit"] == "cover" and i["src"] == ""
    assert s["shape"] == "rect"
    assert validate_document(None, width=1, height=1) == {"version": 1, "background": {}, "elements": []}


def test_font_weight_keywords_normalised():
    out = validate_document(doc(text(style={"fontWeight": "bold"})), width=10, height=10)
    assert out["elements"][0]["style"]["fontWeight"] == 700


def test_unknown_element_type():
    assert "elements[0].type" in errors_of(doc({"id": "x", "type": "video", "x": 0, "y": 0, "width": 1, "height": 1}))


@pytest.mark.parametrize("field,value", [("width", 0), ("width", -5), ("height", 0), ("height", -1),
                                         ("width", "10"), ("x", None), ("x", float("nan"))])
def test_bad_sizes_and_numbers(field, value):
    el = text()
    el[field] = value
    assert f"elements[0].{field}" in errors_of(doc(el))


def test_missing_and_duplicate_ids():
    el = text()
    del el["id"]
    assert "elements[0].id" in errors_of(doc(el))
    details = errors_of(doc(text("a"), image("a")))
    assert "elements[1].id" in details and "Duplicate" in details["elements[1].id"][0]


def test_dynamic_key_twice_and_charset():
    details = errors_of(doc(text("a", dynamicKey="title"), text("b", dynamicKey="title")))
    assert "elements[1].dynamicKey" in details
    for bad in ["has space", "a.b", "x" * 65, "é", "<b>", 5]:
        assert "elements[0].dynamicKey" in errors_of(doc(text(dynamicKey=bad)))
    assert "elements[0].dynamicKey" in errors_of(doc(shape(dynamicKey="s")))


@pytest.mark.parametrize("colour", ["#fff", "#ffffff", "#ffffff80", "rgb(1, 2, 3)", "rgba(1,2,3,0.5)",
                                    "rgb(1 2 3 / 50%)", "hsl(120, 50%, 50%)", "hsla(120deg 50% 50% / 0.3)",
                                    "red", "RebeccaPurple", "transparent"])
def test_colours_accepted(colour):
    assert is_colour(colour)
    validate_document(doc(text(style={"color": colour})), width=10, height=10)


@pytest.mark.parametrize("colour", ["#ff", "#fffff", "red; background: url(https://x)", "url(x)",
                                    "rgb(1,2,3);x", "expression(alert(1))", "var(--x)", "currentColor}",
                                    "rgb(calc(1),2,3)", "#fff !important", "", 12, None, "blue</style>"])
def test_colours_refused(colour):
    assert "elements[0].style.color" in errors_of(doc(text(style={"color": colour})))


def test_colours_checked_everywhere():
    assert "elements[0].fill" in errors_of(doc(shape(fill="url(#x)")))
    assert "elements[0].stroke" in errors_of(doc(shape(stroke="red;")))
    assert "background.color" in errors_of(doc(background={"color": "javascript:x"}))
    assert "elements[0].style.backgroundColor" in errors_of(doc(text(style={"backgroundColor": "x{y}"})))


@pytest.mark.parametrize("family", ['Noto"; } body { color: red', "Arial;", "a{b}", "'Quoted'", "x<y", "", "a\\b"])
def test_font_family_refused(family):
    assert "elements[0].style.fontFamily" in errors_of(doc(text(style={"fontFamily": family})))


def test_font_family_plain_names_ok():
    for family in ["Noto Sans Arabic", "My_Font-2.0", "خط عربي"]:
        validate_document(doc(text(style={"fontFamily": family})), width=10, height=10)


@pytest.mark.parametrize("key,value", [("fontSize", 0), ("fontSize", 5000), ("lineHeight", 0), ("opacity", 2),
                                       ("fontWeight", 0), ("fontWeight", 1001), ("letterSpacing", 1e9)])
def test_numbers_in_range(key, value):
    if key == "opacity":
        assert "elements[0].opacity" in errors_of(doc(text(opacity=value)))
    else:
        assert f"elements[0].style.{key}" in errors_of(doc(text(style={key: value})))


@pytest.mark.parametrize("src", ["http://example.com/a.png", "javascript:alert(1)", "file:///etc/passwd",
                                 "data:image/png;base64,AAAA", "//example.com/a.png", "/media/assets/x.png",
                                 "https://example.com/a b.png", 'https://x/"onerror=', "ftp://x/y.png"])
def test_image_src_refused(src):
    assert "elements[0].src" in errors_of(doc(image(src=src)))


def test_image_src_https_and_own_assets_ok(settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    own = "http://127.0.0.1:8000/media/assets/ab/" + "c" * 32 + ".png"
    for src in ["", "https://example.com/a.png?x=1", own]:
        validate_document(doc(image(src=src)), width=10, height=10)
    # a look-alike of our asset path on another host is not ours
    assert "elements[0].src" in errors_of(doc(image(src="http://evil.example/media/assets/ab/" + "c" * 32 + ".png")))


def test_text_length_and_element_count():
    assert "elements[0].text" in errors_of(doc(text(text="x" * 10_001)))
    validate_document(doc(text(text="x" * 10_000)), width=10, height=10)
    many = [shape(f"s{i}") for i in range(501)]
    assert "elements" in errors_of(doc(*many))
    validate_document(doc(*many[:500]), width=10, height=10)


def test_unknown_style_and_element_keys_refused():
    assert "elements[0].style.position" in errors_of(doc(text(style={"position": "fixed"})))
    assert "elements[0].style.cssText" in errors_of(doc(text(style={"cssText": "x"})))
    assert "elements[0].onclick" in errors_of(doc(text(onclick="x")))
    assert "elements[0].src" in errors_of(doc(text(src="https://x/y.png")))  # src belongs to images
    assert "script" in errors_of({"version": 1, "elements": [], "script": "x"})
    assert "version" in errors_of({"version": 2, "elements": []})
    assert "elements" in errors_of({"version": 1, "elements": {}})
    assert "document" in errors_of([])


def test_group_id_is_the_studios_grouping():
    grouped = doc(text("t1", groupId="g_1a2b"), shape("s1", groupId="g_1a2b"), image("i1"))
    assert validate_document(grouped, width=100, height=100)["elements"][0]["groupId"] == "g_1a2b"
    assert "elements[0].groupId" in errors_of(doc(text(groupId="</style>")))
    assert "elements[0].groupId" in errors_of(doc(text(groupId=7)))
    assert "elements[0].groupId" in errors_of(doc(text(groupId="")))


def test_choices_checked():
    assert "elements[0].style.textAlign" in errors_of(doc(text(style={"textAlign": "middle;"})))
    assert "elements[0].fit" in errors_of(doc(image(fit="scale-down")))
    assert "elements[0].shape" in errors_of(doc(shape(shape="star")))
    assert "elements[0].style.autoFit" in errors_of(doc(text(style={"autoFit": "yes"})))


def test_all_errors_reported_at_once():
    details = errors_of(doc(text("a", width=0, style={"color": "nope"}), text("a")))
    assert {"elements[0].width", "elements[0].style.color", "elements[1].id"} <= set(details)


def test_dynamic_elements_and_data():
    document = validate_document(doc(text("t", dynamicKey="title", placeholder="Title", text="Hello"),
                                     image("i", dynamicKey="hero", src="https://x.example/a.png"),
                                     shape()), width=10, height=10)
    assert dynamic_elements(document) == [
        {"type": "text", "dynamicKey": "title", "defaultValue": "Hello", "placeholder": "Title"},
        {"type": "image", "dynamicKey": "hero", "defaultValue": "https://x.example/a.png", "placeholder": ""},
    ]
    validate_data(document, {"title.text": "Hi", "hero.img": "https://example.com/b.jpg"})
    validate_data(document, {})
    validate_data(document, None)

    def bad(data):
        with pytest.raises(ValidationFailed) as info:
            validate_data(document, data)
        return info.value.details

    assert "data.nope.text" in bad({"nope.text": "x"})
    assert "nope.text" in bad({"nope.text": "x"})["data.nope.text"][0]
    assert "data.title" in bad({"title": "x"})
    assert "data.title.img" in bad({"title.img": "https://x.example/a.png"})  # wrong suffix for a text element
    assert "data.hero.text" in bad({"hero.text": "x"})
    assert "data.title.text" in bad({"title.text": "x" * 10_001})
    assert "data.title.text" in bad({"title.text": {"a": 1}})
    assert "data.title.text" in bad({"title.text": 5})
    assert "data.hero.img" in bad({"hero.img": "http://example.com/a.png"})
    assert "data.hero.img" in bad({"hero.img": "javascript:alert(1)"})
    assert "data.hero.img" in bad({"hero.img": "https://example.com/" + "a" * 2048})
    with pytest.raises(ValidationFailed):
        validate_data(document, ["title.text"])
