"""The render page has no network and keeps accounts apart.

The SSRF canary: a plain server on 127.0.0.1 (random port, TCP and UDP) must receive nothing
for any vector, with AUDOME_ALLOW_PRIVATE_URLS off."""
from __future__ import annotations

import socket

import pytest

from rendering.engine import images
from rendering.tests.test_engine_helpers import Canary, dark_pixels, doc, image_of, in_page, render, text_el


@pytest.fixture
def canary(settings):
    settings.AUDOME_ALLOW_PRIVATE_URLS = False
    settings.AUDOME_FETCH_ALLOW_CIDRS = []
    images.cache.clear()
    c = Canary()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", c.port))
    udp.settimeout(0.05)
    c.udp = udp
    yield c
    try:
        while True:
            data = udp.recv(2048)
            c.hits.append(b"UDP:" + data)
    except OSError:
        pass
    udp.close()
    c.close()


def html_vectors(c: Canary) -> str:
    u = c.url
    return f"""<!doctype html><html><head>
<meta http-equiv="refresh" content="1;url={u('/refresh')}">
<link rel="stylesheet" href="{u('/link.css')}">
<link rel="preconnect" href="{u('/')}"><link rel="dns-prefetch" href="{u('/')}">
<link rel="prefetch" href="{u('/prefetch')}"><link rel="preload" as="image" href="{u('/preload.png')}">
<link rel="icon" href="{u('/favicon.ico')}">
<style>
@import url("{u('/import.css')}");
@font-face {{ font-family: Evil; src: url({u('/font.woff2')}); }}
body {{ background-image: url({u('/body-bg.png')}); }}
.f {{ font-family: Evil; }}
</style>
<script src="{u('/script.js')}"></script>
<script>
fetch("{u('/fetch')}"); var x = new XMLHttpRequest(); x.open("GET", "{u('/xhr')}"); x.send();
new WebSocket("{c.url('/ws', scheme='ws')}"); navigator.sendBeacon("{u('/beacon')}");
new EventSource("{u('/sse')}"); document.title = "scripts ran";
</script>
</head><body>
<p class="f">Hello</p>
<img src="{u('/img.png')}"><img src="{c.url('/img-https.png', scheme='https')}">
<img srcset="{u('/srcset.png')} 2x"><picture><source srcset="{u('/source.png')}"><img src="x.png"></picture>
<div style="width:10px;height:10px;background:url({u('/inline-bg.png')})"></div>
<iframe src="{u('/frame')}"></iframe><iframe srcdoc="<img src='{u('/srcdoc.png')}'>"></iframe>
<object data="{u('/object')}"></object><embed src="{u('/embed')}">
<video src="{u('/video.mp4')}" poster="{u('/poster.png')}" autoplay></video><audio src="{u('/audio.mp3')}" autoplay></audio>
<form action="{u('/form')}"><input type="image" src="{u('/input.png')}"></form>
<svg width="10" height="10"><image href="{u('/svg-image.png')}" width="10" height="10"/></svg>
<img src="http://2130706433:{c.port}/decimal.png"><img src="http://0x7f.1:{c.port}/hex.png">
<img src="http://[::ffff:127.0.0.1]:{c.port}/mapped.png">
<iframe src="file:///etc/passwd"></iframe><img src="file:///etc/passwd">
</body></html>"""


JS_VECTORS = """async (base) => {
    const wsBase = base.replace('http:', 'ws:');
    const tries = [
        () => fetch(base + '/js-fetch'),
        () => fetch(base + '/js-fetch-nocors', {mode: 'no-cors'}),
        () => fetch('file:///etc/passwd').then((r) => r.text()),
        () => new Promise((res, rej) => { const x = new XMLHttpRequest(); x.onload = res; x.onerror = rej; x.open('GET', base + '/js-xhr'); x.send(); }),
        () => new Promise((res, rej) => { const w = new WebSocket(wsBase + '/js-ws'); w.onopen = res; w.onerror = rej; }),
        () => new Promise((res, rej) => { const s = new EventSource(base + '/js-sse'); s.onopen = res; s.onerror = () => { s.close(); rej(); }; }),
        () => new Promise((res, rej) => { const i = new Image(); i.onload = res; i.onerror = rej; i.src = base + '/js-img'; }),
        () => Promise.resolve(navigator.sendBeacon(base + '/js-beacon', 'x')),
        () => new Promise((res) => { const f = document.createElement('iframe'); f.src = base + '/js-frame'; f.onload = res; document.body.appendChild(f); setTimeout(res, 500); }),
        () => (navigator.serviceWorker ? navigator.serviceWorker.register('/sw.js') : Promise.reject('no sw'))
            .then(async (reg) => { if (!reg || !(await navigator.serviceWorker.getRegistrations()).length) throw 'blocked'; }),
        () => new Promise((res) => {
            const pc = new RTCPeerConnection({iceServers: [{urls: 'stun:' + base.split('//')[1]}, {urls: 'turn:' + base.split('//')[1], username: 'u', credential: 'c'}]});
            pc.createDataChannel('x');
            pc.onicecandidate = () => {};
            pc.createOffer().then((o) => pc.setLocalDescription(o));
            setTimeout(() => { pc.close(); res(); }, 1500);
        }),
    ];
    const out = [];
    for (const t of tries) {
        try { await Promise.race([t(), new Promise((_, rej) => setTimeout(() => rej('timeout'), 2000))]); out.push('ok'); }
        catch (e) { out.push('blocked'); }
    }
    return out;
}"""


def test_canary_receives_nothing_from_inline_html(canary):
    r = render(html=html_vectors(canary), width=400, height=300, key="acct-canary")
    assert image_of(r).size == (400, 300)
    # images the server refused to fetch are reported
    assert any(w["code"] == "IMAGE_FALLBACK" for w in r.warnings)
    title = in_page("acct-canary", "() => document.title", html_page=True)
    assert title != "scripts ran"  # scripts are off in inline HTML
    assert canary.settle(1.5) == []


def test_canary_receives_nothing_from_scripts_in_any_page(canary):
    """Even code that does run in our pages (devtools evaluation ignores CSP) reaches nothing."""
    render(html="<p>hi</p>", width=100, height=100, key="acct-canary-js")
    render(doc(), width=100, height=100, key="acct-canary-js")
    for html_page in (True, False):
        results = in_page("acct-canary-js", JS_VECTORS, canary.url("").rstrip("/"), html_page=html_page, timeout=60)
        # everything failed except sendBeacon (which only queues) and the iframe/WebRTC tries (no feedback)
        assert results[:7] == ["blocked"] * 7
        assert results[9] == "blocked"  # no service workers
    assert canary.settle(1.5) == []


def test_canary_receives_nothing_from_document_images(canary):
    d = {"version": 1, "background": {"color": "#fff", "image": canary.url("/doc-bg.png")}, "elements": [
        {"id": "hero", "type": "image", "x": 0, "y": 0, "width": 50, "height": 50, "dynamicKey": "hero",
         "src": canary.url("/doc-default.png")},
        {"id": "b", "type": "image", "x": 50, "y": 0, "width": 50, "height": 50, "src": canary.url("/b.png", scheme="https")},
        {"id": "c", "type": "image", "x": 0, "y": 50, "width": 50, "height": 50, "src": f"http://2130706433:{canary.port}/c.png"},
        {"id": "d", "type": "image", "x": 50, "y": 50, "width": 50, "height": 50, "src": "file:///etc/passwd"},
        {"id": "e", "type": "image", "x": 0, "y": 0, "width": 10, "height": 10, "src": "http://169.254.169.254/latest/meta-data/"},
    ]}
    r = render(d, data={"hero.img": canary.url("/data.png", scheme="https")}, width=100, height=100, key="acct-canary-doc")
    codes = sorted((w["code"], w.get("elementId", "")) for w in r.warnings)
    assert codes == sorted([("IMAGE_FALLBACK", ""), ("IMAGE_FALLBACK", "hero"), ("IMAGE_FALLBACK", "b"),
                            ("IMAGE_FALLBACK", "c"), ("IMAGE_FALLBACK", "d"), ("IMAGE_FALLBACK", "e")])
    # a colour or a style can't smuggle a URL in either
    t = text_el("t", "x", color=f"url({canary.url('/colour')})", backgroundColor=f"url({canary.url('/bgc')})")
    render(doc(t), width=100, height=100, key="acct-canary-doc")
    assert canary.settle(1.0) == []


def test_file_urls_show_nothing():
    r = render(html='<iframe src="file:///etc/passwd" style="border:0;width:400px;height:200px"></iframe>'
                    '<img src="file:///etc/passwd">', width=400, height=200, key="acct-file")
    assert dark_pixels(image_of(r), (0, 0, 400, 200), threshold=60) == 0


def test_nothing_carries_over_between_accounts(settings):
    settings.RENDER_CONTEXTS = 3
    render(doc(), width=50, height=50, key="acct-1")
    render(html="<p>1</p>", width=50, height=50, key="acct-1")
    set_script = """() => { localStorage.setItem('secret', 'one'); sessionStorage.setItem('secret', 'one');
        document.cookie = 'secret=one; Secure; Max-Age=3600'; return [localStorage.getItem('secret'), document.cookie]; }"""
    get_script = """async () => [localStorage.getItem('secret'), sessionStorage.getItem('secret'), document.cookie,
        (await caches.keys()).length]"""
    assert in_page("acct-1", set_script) == ["one", "secret=one"]
    render(doc(), width=50, height=50, key="acct-2")
    render(html="<p>2</p>", width=50, height=50, key="acct-2")
    assert in_page("acct-2", get_script) == [None, None, "", 0]
    # the same account keeps its own context (the check above means something)
    assert in_page("acct-1", get_script)[0] == "one"
    # a context evicted from the warm LRU is closed: nothing survives it
    for key in ("acct-3", "acct-4", "acct-5"):
        render(doc(), width=50, height=50, key=key)
    assert in_page("acct-1", get_script) == [None, None, "", 0]


def test_inline_html_renders_with_our_fonts_and_background():
    r = render(html='<h1 style="margin:0;font:700 40px \'Noto Sans Arabic\';color:#000">مرحبا</h1>',
               width=300, height=100, background="#ffff00", key="acct-html")
    im = image_of(r)
    assert im.convert("RGB").getpixel((290, 90)) == (255, 255, 0)
    assert dark_pixels(im, (0, 0, 300, 100)) > 100
    t = render(html="<p>x</p>", width=60, height=60, background="transparent", key="acct-html")
    assert image_of(t).mode == "RGBA" and image_of(t).getpixel((50, 50))[3] == 0


def test_a_new_account_gets_a_fresh_spare_context_prepared_while_idle():
    import time

    from rendering import engine

    render(doc(), width=50, height=50, key="acct-spare-1")
    in_page("acct-spare-1", "() => localStorage.setItem('secret', 'one')")
    eng = engine.get_engine()
    spare = None
    for _ in range(30):
        time.sleep(0.8)  # the engine prepares it when it has had nothing to do for a moment
        spare = eng.call(lambda s: s.spare, timeout=10)
        if spare is not None:
            break
    assert spare is not None
    render(doc(), width=50, height=50, key="acct-spare-2")
    got = eng.call(lambda s: s.contexts["acct-spare-2"], timeout=10)
    assert got is spare and got.key == "acct-spare-2"
    assert in_page("acct-spare-2", "() => [localStorage.getItem('secret'), document.cookie]") == [None, ""]
