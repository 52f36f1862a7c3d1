"""One warm headless Chromium per process, driven from one engine thread.

Playwright's sync API is bound to the thread that started it, so every browser call runs on
a dedicated daemon thread; `Engine.call(fn, timeout)` hands it work and waits. A call that
outlasts its timeout (a hang) kills Chromium, which unblocks the thread; the thread then
relaunches it at once, with a spare context and its render page loaded, so the next render
finds a warm browser.

Network: pages live at a fake origin (https://render.audome.invalid). A context-wide route
fulfils our built renderer assets, the fonts and the images the engine prefetched — from
memory — and aborts everything else. Chromium is also pointed at a dead proxy (loopback
included) and WebRTC may not use non-proxied UDP, so whatever escapes interception
(preconnects, WebSockets, WebRTC) goes nowhere.

Isolation: one browser context per isolation key (the account), an LRU of RENDER_CONTEXTS
warm ones, closed on eviction; a spare one is made while idle for the next new account.
Service workers are blocked. Within an account's context, its render page keeps the canvases
of its last RENDER_PAGE_CANVASES templates (one shown, the others hidden), and the engine
their last PNGs for band captures (RENDER_FRAMES_MB for all accounts together).

Recycling: Chromium restarts after RENDER_RECYCLE_AFTER renders, or when its process tree
outgrows RENDER_MAX_RSS_MB; that memory is read while the engine is idle (or, under a load
without pauses, every RENDER_RSS_CHECK_RENDERS renders), never per render.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import pybase64
from django.conf import settings

from core.processes import descendants, kill_tree, tree_rss_mb

from .types import RenderError

log = logging.getLogger(__name__)

ORIGIN = "https://render.audome.invalid"
PAGE_PATH = "/__render"
HTML_PREFIX = "/__html/"

# Chromium applies only the LAST --disable-features switch, and Playwright passes its own before
# ours: ours repeats Playwright's defaults (those of the pinned version) and adds what we turn off.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AimEnabled", "AvoidCorsURLLoaderRestartOnRedirect", "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose", "HttpsFirstBalancedModeAutoEnable", "HttpsUpgrades", "LensOverlay",
    "MediaRouter", "NetworkTimeServiceQuerying", "OptimizationHints", "PaintHolding", "PreconnectToSearch",
    "TcpPortRandomizationWin", "ThirdPartyStoragePartitioning", "msEdgeUpdateLaunchServicesPreferredVersion",
    "msForceBrowserSignIn",
)
# Headless Chromium preloads the address bar's popup WebUIs, and one of them repaints all the
# time: about an eighth of a core per idle browser, in every render and preview worker
# (measured: 244 → 116 ms of CPU per idle second of a warm engine).
DISABLED_FEATURES = (*PLAYWRIGHT_DISABLED_FEATURES, "WebUIOmniboxPopup", "WebUIOmniboxAimPopup")

CHROMIUM_ARGS = [
    "--disable-features=" + ",".join(DISABLED_FEATURES),
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--deny-permission-prompts",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--dns-prefetch-disable",
    # Nothing may leave the browser: requests that escape route interception go to a dead
    # proxy, loopback included; WebRTC may not use UDP outside the (dead) proxy.
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]

RENDER_PAGE_CSP = (
    "default-src 'none'; "
    f"script-src {ORIGIN}; style-src {ORIGIN} 'unsafe-inline'; font-src {ORIGIN} data:; "
    f"img-src {ORIGIN} data: blob:; connect-src 'none'; frame-src 'none'; child-src 'none'; "
    "worker-src 'none'; object-src 'none'; media-src 'none'; manifest-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)
HTML_PAGE_CSP = (
    "default-src 'none'; script-src 'none'; "
    f"style-src {ORIGIN} 'unsafe-inline'; font-src {ORIGIN} data:; img-src https: data: blob:; "
    "connect-src 'none'; frame-src 'none'; child-src 'none'; worker-src 'none'; object-src 'none'; "
    "media-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'"
)


def _frame_bytes(frame) -> int:
    return len(frame.png) * (2 if frame.has_strips else 1)


def _setting(name, default):
    return getattr(settings, name, default)


# --- built assets ----------------------------------------------------------------------------

class Assets:
    """The render page and Vite's built files, read once into memory."""

    ENTRY = "static/render-page/main.ts"

    def __init__(self):
        from django.template import TemplateSyntaxError

        from core.templatetags.vite import entry_files

        dist = Path(settings.BASE_DIR) / "static" / "dist"
        try:
            # The entry's script and every stylesheet it pulls in (the bundled fonts' @font-face
            # rules come with the renderer chunk), linked exactly as the Studio's page links them.
            js, css = entry_files(self.ENTRY)
        except (TemplateSyntaxError, OSError, ValueError):
            raise RenderError(f"{self.ENTRY} is not built: run `npm run build`.", retryable=False) from None
        self.files: dict[str, tuple[str, bytes]] = {}
        # Everything the entry may pull: its chunks, CSS and the fonts under assets/.
        for path in dist.glob("assets/*"):
            if path.is_file():
                rel = f"assets/{path.name}"
                self.files[f"/static/{rel}"] = (_mime_for(rel), path.read_bytes())
        self.css = [f"/static/{c}" for c in css]
        self.js = f"/static/{js}"
        links = "".join(f'<link rel="stylesheet" href="{c}">' for c in self.css)
        self.page_html = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'{links}<script type="module" src="{self.js}"></script></head>'
            '<body style="margin:0;background:transparent"></body></html>'
        ).encode()

    def html_document(self, html: str, *, font_faces_css: str) -> bytes:
        """An inline-HTML page: our fonts first, a default font, then the customer's HTML."""
        links = "".join(f'<link rel="stylesheet" href="{c}">' for c in self.css)
        head = (
            '<!doctype html><meta charset="utf-8">' + links
            + '<style>html,body{margin:0}body{font-family:"Noto Sans","Noto Sans Arabic","Noto Color Emoji",sans-serif}'
            + font_faces_css + "</style>"
        )
        return (head + html).encode("utf-8", "replace")


def _mime_for(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {
        "js": "text/javascript", "css": "text/css", "woff2": "font/woff2", "woff": "font/woff",
        "ttf": "font/ttf", "otf": "font/otf", "json": "application/json", "svg": "image/svg+xml",
        "png": "image/png",
    }.get(ext, "application/octet-stream")


# --- the engine thread -----------------------------------------------------------------------

class _Context:
    def __init__(self, key: str, context):
        self.key = key
        self.context = context
        self.page = None
        self.cdp = None
        self.viewport = (0, 0)
        self.html_page = None
        self.html_cdp = None
        self.html_viewport = (0, 0)
        # The static keys (prepare.static_key) of the canvases the render page keeps, least
        # recently used first, as the page keeps them (RENDER_PAGE_CANVASES of them): a key
        # here is only a belief — a page that lost it answers needDocument.
        self.held: OrderedDict[str, None] = OrderedDict()
        # The last PNG of each kept canvas, for band captures (engine/frames.py).
        self.frames: dict[str, object] = {}
        self._shown: str | None = None

    @property
    def built_key(self) -> str | None:
        """The key of the canvas the page shows; None when unknown (a new page, a render that
        did not finish)."""
        return self._shown

    @built_key.setter
    def built_key(self, key: str | None) -> None:
        if key is None and self._shown is not None:  # that canvas can't be trusted any more
            self.held.pop(self._shown, None)
            self.frames.pop(self._shown, None)
        self._shown = key

    @property
    def frame(self):
        """The shown canvas's last PNG (a Frame), None when its pixels may no longer be those."""
        return self.frames.get(self._shown) if self._shown else None

    @frame.setter
    def frame(self, frame) -> None:
        if self._shown is None:
            return
        if frame is None:
            self.frames.pop(self._shown, None)
        else:
            self.frames[self._shown] = frame

    def forget_page(self) -> None:
        """The render page is new: it holds no canvas."""
        self._shown = None
        self.held.clear()
        self.frames.clear()

    def take(self, key: str) -> bool:
        """A render of canvas `key` starts: whether the page should hold it. Until the render
        is through, that canvas is neither held nor shown (a failed render leaves no belief)."""
        held = key in self.held
        self.held.pop(key, None)
        self.frames.pop(key, None)
        self._shown = None
        return held

    def keep(self, key: str, limit: int) -> None:
        """`key` is the canvas shown and the most recently used; the oldest beyond `limit` go
        (the page drops the same ones)."""
        self.held.pop(key, None)
        self.held[key] = None
        self._shown = key
        while len(self.held) > max(1, limit):
            old, _ = self.held.popitem(last=False)
            self.frames.pop(old, None)


class BrowserState:
    """Lives on the engine thread only."""

    def __init__(self):
        self.pw = None
        self.browser = None
        self.browser_pid: int | None = None
        self.assets: Assets | None = None
        self.contexts: OrderedDict[str, _Context] = OrderedDict()
        self.renders = 0
        # When and after how many renders Chromium's memory was last read (see _memory_check_due).
        self.rss_checked_at = 0.0
        self.rss_checked_renders = 0
        # What the route handler may serve besides the assets: path → (mime, bytes).
        self.blobs: dict[str, tuple[str, bytes]] = {}
        # Exact external URLs prefetched for inline HTML: url → (mime, bytes).
        self.external: dict[str, tuple[str, bytes]] = {}
        self.html_docs: dict[str, bytes] = {}
        self.launches = 0
        # How the render page's PNGs were captured: "full", "band" or "unchanged" (frames.py).
        self.captures: dict[str, int] = {"full": 0, "band": 0, "unchanged": 0}
        # A fresh context with the render page loaded, used by no account yet: the next new
        # account gets it instead of waiting for a context to be made (prepared when idle).
        self.spare: _Context | None = None

    # -- lifecycle --

    def ensure(self):
        if self.browser is not None and self.browser.is_connected():
            return
        self.teardown(keep_playwright=True)
        if self.assets is None:
            self.assets = Assets()
        if self.pw is None:
            from playwright.sync_api import sync_playwright

            self.pw = sync_playwright().start()
        before = set(browser_pids())
        self.browser = self.pw.chromium.launch(
            executable_path=_setting("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        self.launches += 1
        new = sorted(set(browser_pids()) - before)
        self.browser_pid = new[0] if new else None
        self.renders = 0
        self.rss_checked_at, self.rss_checked_renders = time.monotonic(), 0
        log.info("chromium launched (pid %s)", self.browser_pid)

    def teardown(self, keep_playwright: bool = False):
        spare, self.spare = self.spare, None
        for ctx in [*self.contexts.values(), *([spare] if spare else [])]:
            try:
                ctx.context.close()
            except Exception:
                pass
        self.contexts.clear()
        if self.browser is not None:
            try:
                self.browser.close()
            except Exception:
                pass
        if self.browser_pid:
            kill_tree(self.browser_pid)
        self.browser = None
        self.browser_pid = None
        if not keep_playwright and self.pw is not None:
            try:
                self.pw.stop()
            except Exception:
                pass
            self.pw = None

    def recycle_if_needed(self):
        """Restart Chromium after many renders or when it grew too big."""
        if self.browser is None:
            return
        limit = _setting("RENDER_RECYCLE_AFTER", 1000)
        reason = None
        if limit and self.renders >= limit:
            reason = f"{self.renders} renders"
        elif self._memory_check_due(idle=False):
            reason = self._memory_over()
        if reason:
            log.info("recycling chromium (%s)", reason)
            self.teardown(keep_playwright=True)

    def check_memory_when_idle(self):
        """Idle time: restart Chromium if it grew too big (the next render relaunches it)."""
        if self.browser is not None and self._memory_check_due(idle=True):
            reason = self._memory_over()
            if reason:
                log.info("recycling chromium while idle (%s)", reason)
                self.teardown(keep_playwright=True)

    def _memory_check_due(self, *, idle: bool) -> bool:
        """Reading the memory of Chromium's process tree costs tens of ms (the kernel walks
        every process's mappings for smaps_rollup), so it is not done per render: when the
        engine is idle, at most every RENDER_RSS_CHECK_SECONDS (5) after a render; between
        renders only once RENDER_RSS_CHECK_RENDERS (200) renders and those seconds went by
        without an idle moment."""
        since = self.renders - self.rss_checked_renders
        if since <= 0 or not self.browser_pid:
            return False
        if time.monotonic() - self.rss_checked_at < float(_setting("RENDER_RSS_CHECK_SECONDS", 5.0)):
            return False
        return idle or since >= int(_setting("RENDER_RSS_CHECK_RENDERS", 200))

    def _memory_over(self) -> str | None:
        if not self.browser_pid:
            return None
        rss = tree_rss_mb(self.browser_pid)
        self.rss_checked_at, self.rss_checked_renders = time.monotonic(), self.renders
        return f"RSS {rss:.0f} MB" if rss > _setting("RENDER_MAX_RSS_MB", 1500) else None

    def trim_frames(self, current: _Context) -> None:
        """Keeps the band-capture frames of all contexts within RENDER_FRAMES_MB: the least
        recently used contexts' go first (a frame is the PNG, and about as much again once cut
        into strips). The current context's frame of this render stays."""
        budget = float(_setting("RENDER_FRAMES_MB", 64)) * 1024 * 1024
        contexts = [c for c in self.contexts.values() if c.frames]
        total = sum(_frame_bytes(f) for c in contexts for f in c.frames.values())
        for ctx in contexts:
            if total <= budget:
                return
            for key in [k for k in ctx.frames if ctx is not current or k != ctx.built_key]:
                total -= _frame_bytes(ctx.frames.pop(key))

    # -- contexts and pages --

    def context_for(self, key: str) -> _Context:
        ctx = self.contexts.get(key)
        if ctx is not None:
            self.contexts.move_to_end(key)
            return ctx
        self._evict(max(1, _setting("RENDER_CONTEXTS", 10)) - 1)
        if self.spare is not None:
            ctx, self.spare = self.spare, None
            ctx.key = key
            self.contexts[key] = ctx
            return ctx
        ctx = _Context(key, self._new_context())
        self.contexts[key] = ctx
        return ctx

    def _evict(self, keep: int):
        while len(self.contexts) > keep:
            _, old = self.contexts.popitem(last=False)
            try:
                old.context.close()
            except Exception:
                pass

    def _new_context(self):
        assert self.browser is not None, "ensure() launches the browser first"
        context = self.browser.new_context(
            service_workers="block",
            accept_downloads=False,
            java_script_enabled=True,
            device_scale_factor=1,
            viewport={"width": 1080, "height": 1080},
            locale="en-US",
            timezone_id="UTC",
        )
        context.route("**/*", self._route)
        return context

    def prepare_spare(self, *, fresh_browser: bool = False):
        """Idle time: make the spare context (only once Chromium is up and in use, or right
        after a relaunch: `fresh_browser`)."""
        if self.spare is not None or self.browser is None or not self.browser.is_connected():
            return
        if not self.contexts and not fresh_browser:
            return
        ctx = _Context("__spare__", self._new_context())
        try:
            self.render_page(ctx)
        except Exception:
            try:
                ctx.context.close()
            except Exception:
                pass
            raise
        self.spare = ctx

    def render_page(self, ctx: _Context):
        if ctx.page is not None and not ctx.page.is_closed():
            return ctx.page
        ctx.forget_page()
        page = ctx.context.new_page()
        page.goto(ORIGIN + PAGE_PATH, wait_until="load", timeout=30_000)
        page.wait_for_function("window.__audome && window.__audome.ready", timeout=30_000)
        # Load the bundled families now, so the first render does not wait for them.
        page.evaluate(
            """async () => {
                const sample = 'Aa 09 \u0639\u0631\u0628\u064a \U0001F600';
                const fams = ['Noto Sans', 'Noto Serif', 'Noto Sans Arabic', 'Noto Naskh Arabic', 'Noto Kufi Arabic', 'Noto Color Emoji'];
                await Promise.all(fams.flatMap((f) => ['400', '700'].map((w) => document.fonts.load(`${w} 32px "${f}"`, sample).catch(() => null))));
            }"""
        )
        cdp = ctx.context.new_cdp_session(page)
        cdp.send("Emulation.setDefaultBackgroundColorOverride", {"color": {"r": 0, "g": 0, "b": 0, "a": 0}})
        ctx.page, ctx.cdp, ctx.viewport = page, cdp, (1080, 1080)
        return page

    def html_page(self, ctx: _Context):
        if ctx.html_page is not None and not ctx.html_page.is_closed():
            return ctx.html_page
        page = ctx.context.new_page()
        cdp = ctx.context.new_cdp_session(page)
        cdp.send("Emulation.setDefaultBackgroundColorOverride", {"color": {"r": 0, "g": 0, "b": 0, "a": 0}})
        ctx.html_page, ctx.html_cdp, ctx.html_viewport = page, cdp, (1080, 1080)
        return page

    # -- network --

    def _route(self, route):
        request = route.request
        url = request.url
        try:
            if url.startswith(ORIGIN + "/"):
                path = url[len(ORIGIN):].split("?", 1)[0].split("#", 1)[0]
                if path == PAGE_PATH:
                    return route.fulfill(status=200, body=self.assets.page_html, headers={  # type: ignore[union-attr]  # routed after ensure()
                        "content-type": "text/html; charset=utf-8",
                        "content-security-policy": RENDER_PAGE_CSP,
                        "cache-control": "no-store",
                    })
                if path.startswith(HTML_PREFIX) and path in self.html_docs:
                    return route.fulfill(status=200, body=self.html_docs[path], headers={
                        "content-type": "text/html; charset=utf-8",
                        "content-security-policy": HTML_PAGE_CSP,
                        "cache-control": "no-store",
                    })
                hit = self.assets.files.get(path) or self.blobs.get(path)  # type: ignore[union-attr]
                if hit is not None:
                    mime, body = hit
                    return route.fulfill(status=200, body=body, headers={
                        "content-type": mime,
                        "cache-control": "max-age=31536000, immutable",
                        "access-control-allow-origin": ORIGIN,
                        "x-content-type-options": "nosniff",
                    })
                return route.abort("blockedbyclient")
            hit = self.external.get(url)
            if hit is not None and request.resource_type == "image":
                mime, body = hit
                return route.fulfill(status=200, body=body, headers={"content-type": mime, "x-content-type-options": "nosniff"})
            return route.abort("blockedbyclient")
        except Exception:  # the page went away meanwhile
            log.debug("route handling failed for %s", url[:200], exc_info=True)

    # -- capture --

    @staticmethod
    def set_viewport(page, current: tuple[int, int], width: int, height: int) -> tuple[int, int]:
        """Sizes the page's viewport to exactly the width×height capture and returns its size.
        Exactly, also for the render page whose kept canvases have other sizes: a viewport grown to
        cover them all (as tried for #17) made every capture of the smaller ones slower — on the
        mix of bench/mixed_bench.py capture p50 65 ms against 55 with exact sizes, a whole render
        p50 86 against 76 — for the 2–4 ms a resize adds when an account switches template sizes."""
        wanted = (width, height)
        if current != wanted:
            page.set_viewport_size({"width": width, "height": height})
        return wanted

    @staticmethod
    def capture(cdp, width: int, height: int, fmt: str, quality: int, top: int = 0) -> tuple[bytes, float, float]:
        """The canvas (or its rows top … top + height) as image bytes, with the ms spent
        capturing and decoding."""
        params = {
            "format": fmt,
            "clip": {"x": 0, "y": top, "width": width, "height": height, "scale": 1},
            "fromSurface": True,
            "captureBeyondViewport": False,
            "optimizeForSpeed": True,
        }
        if fmt in ("jpeg", "webp"):
            params["quality"] = int(quality)
        t0 = time.perf_counter()
        data = cdp.send("Page.captureScreenshot", params)["data"]
        t1 = time.perf_counter()
        image = pybase64.b64decode(data, validate=True)  # SIMD: ~0.1 ms where the stdlib takes ~4 for a PNG
        t2 = time.perf_counter()
        return image, (t1 - t0) * 1000, (t2 - t1) * 1000


class Engine:
    """The engine thread and its work queue (one per process)."""

    def __init__(self):
        self.pid = os.getpid()
        self.state = BrowserState()
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="audome-render-engine", daemon=True)
        self._thread.start()
        self._busy_since: float | None = None
        # Set when a hang killed Chromium: the engine thread relaunches it (and prepares a spare
        # context) as soon as the killed job is through, so the next render finds it warm.
        self._relaunch = threading.Event()

    def _run(self):
        while True:
            try:
                item = self._queue.get(timeout=0.3)
            except queue.Empty:
                try:
                    self.state.check_memory_when_idle()
                except Exception:
                    log.debug("could not check chromium's memory", exc_info=True)
                try:
                    self.state.prepare_spare()
                except Exception:
                    log.debug("could not prepare a spare context", exc_info=True)
                continue
            if item is None:
                try:
                    self.state.teardown()
                except Exception:
                    pass
                return
            fn, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            self._busy_since = time.monotonic()
            try:
                fut.set_result(fn(self.state))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                fut.set_exception(exc)
                if _is_browser_failure(exc):
                    try:
                        self.state.teardown(keep_playwright=True)
                    except Exception:
                        pass
            finally:
                self._busy_since = None
            if self._relaunch.is_set():
                self._relaunch_now()

    def _relaunch_now(self):
        """A fresh Chromium with a spare context and its render page loaded, right after a
        hang-kill: otherwise the next render (any account's) pays the launch, a context and the
        page (~10× a warm render)."""
        self._relaunch.clear()
        started = time.perf_counter()
        try:
            self.state.teardown(keep_playwright=True)
            self.state.ensure()
            self.state.prepare_spare(fresh_browser=True)
            log.info("chromium relaunched after a hang in %.0f ms", (time.perf_counter() - started) * 1000)
        except Exception:
            log.warning("could not relaunch chromium after a hang (the next render will)", exc_info=True)

    def alive(self) -> bool:
        return self._thread.is_alive()

    def call(self, fn, timeout: float):
        """Runs fn(state) on the engine thread; a hang past `timeout` kills Chromium."""
        fut: Future = Future()
        self._queue.put((fn, fut))
        try:
            return fut.result(timeout=timeout)
        except FutureTimeout:
            if fut.cancel():  # never started: the engine is stuck on someone else's job
                self.kill_browser()
                raise RenderError("The renderer was busy past the time limit.", retryable=True) from None
            self.kill_browser()
            try:
                fut.result(timeout=10)
            except Exception:
                pass
            raise RenderError(f"The render took longer than {timeout:.0f} s and was stopped.", retryable=True) from None

    def kill_browser(self):
        pid = self.state.browser_pid
        if pid:
            log.warning("killing chromium (pid %s): render timed out", pid)
            self._relaunch.set()
            kill_tree(pid)

    def stop(self):
        self._queue.put(None)
        self._thread.join(timeout=10)


def _is_browser_failure(exc: BaseException) -> bool:
    if isinstance(exc, RenderError):
        return False
    name = type(exc).__name__
    return name in ("Error", "TargetClosedError", "TimeoutError") or "playwright" in type(exc).__module__


def browser_pids() -> list[int]:
    """Chromium browser processes (not their --type= children) started under this process.
    The children rewrite their command line into one space-separated string, so "--type="
    is looked for anywhere in it (a child taken for the browser, e.g. after the pids wrapped
    around, would be what a hung render's kill hits, leaving the browser and the engine stuck)."""
    out = []
    for pid in descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        if b"chrom" in cmdline.split(b"\0")[0] and b"--type=" not in cmdline:
            out.append(pid)
    return out
