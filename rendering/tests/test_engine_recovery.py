"""Chromium crashes, hangs and grows: the engine restarts it, retries once, then gives up cleanly."""
from __future__ import annotations

import os
import signal

import pytest

from rendering import engine
from rendering.tests.test_engine_helpers import close, doc, pixel, rect_el, render

DOC = doc(rect_el(x=0, y=0, width=50, height=50, fill="#00ff00"))


def browser_pid():
    return engine.get_engine().state.browser_pid


def test_a_killed_chromium_is_relaunched_for_the_next_render():
    render(DOC, width=60, height=60)
    pid = browser_pid()
    os.kill(pid, signal.SIGKILL)
    r = render(DOC, width=60, height=60)
    assert close(pixel(r, 25, 25)[:3], (0, 255, 0))
    assert browser_pid() != pid


def test_a_crash_during_a_render_is_retried_once(monkeypatch):
    real = engine.page.in_browser
    calls = []

    def crash_first(state, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            state.ensure()
            os.kill(state.browser_pid, signal.SIGKILL)
            state.browser.new_context().new_page().goto("about:blank")  # fails: the browser is gone
        return real(state, *args, **kwargs)

    monkeypatch.setattr(engine.page, "in_browser", crash_first)
    render(DOC, width=60, height=60)
    pid = browser_pid()
    calls.clear()
    monkeypatch.setattr(engine.page, "in_browser", crash_first)
    r = render(DOC, width=60, height=60)
    assert len(calls) == 2 and close(pixel(r, 25, 25)[:3], (0, 255, 0))
    assert browser_pid() != pid


def test_a_render_failing_twice_raises_a_final_error(monkeypatch):
    real = engine.page.in_browser
    calls = []

    def always_fail(state, *args, **kwargs):
        calls.append(1)
        raise RuntimeError("the page fell over")

    monkeypatch.setattr(engine.page, "in_browser", always_fail)
    with pytest.raises(engine.RenderError) as exc:
        render(DOC, width=60, height=60)
    assert exc.value.retryable is False and len(calls) == 2
    monkeypatch.setattr(engine.page, "in_browser", real)
    assert close(pixel(render(DOC, width=60, height=60), 25, 25)[:3], (0, 255, 0))  # the engine goes on


def test_a_hang_is_stopped_at_the_time_limit_and_chromium_restarted():
    render(DOC, width=60, height=60)
    pid = browser_pid()

    def hang(state):
        ctx = state.context_for("acct-a")
        return state.render_page(ctx).evaluate("() => new Promise(() => {})")

    with pytest.raises(engine.RenderError) as exc:
        engine.get_engine().call(hang, timeout=2)
    assert exc.value.retryable is True
    r = render(DOC, width=60, height=60)
    assert close(pixel(r, 25, 25)[:3], (0, 255, 0)) and browser_pid() != pid


def test_after_a_hang_kill_chromium_is_relaunched_warm_before_the_next_render():
    import time

    render(DOC, width=60, height=60, key="acct-hang")
    eng = engine.get_engine()
    pid, launches = browser_pid(), eng.state.launches

    def hang(state):
        return state.render_page(state.context_for("acct-hang")).evaluate("() => new Promise(() => {})")

    with pytest.raises(engine.RenderError):
        eng.call(hang, timeout=2)
    # No render asked for it: the engine thread relaunches Chromium and prepares a spare
    # context with the render page loaded on its own.
    ready = None
    for _ in range(60):
        ready = eng.call(lambda s: (s.browser_pid, s.launches, s.spare is not None and s.spare.page is not None),
                         timeout=30)
        if ready[2]:
            break
        time.sleep(0.25)
    assert ready[0] not in (None, pid) and ready[1] == launches + 1 and ready[2]
    # The next render (a new account's) neither launches Chromium nor makes a context: it takes the spare.
    spare = eng.call(lambda s: s.spare, timeout=10)
    r = render(DOC, width=60, height=60, key="acct-after-hang")
    assert close(pixel(r, 25, 25)[:3], (0, 255, 0))
    assert eng.state.launches == launches + 1 and browser_pid() == ready[0]
    assert eng.call(lambda s: s.contexts["acct-after-hang"], timeout=10) is spare


def test_a_render_that_hangs_every_time_fails_within_its_budget(monkeypatch):
    real = engine.page.in_browser

    def hang(state, *args, **kwargs):
        state.ensure()
        state.render_page(state.context_for("acct-a")).evaluate("() => new Promise(() => {})")

    monkeypatch.setattr(engine.page, "in_browser", hang)
    with pytest.raises(engine.RenderError) as exc:
        render(DOC, width=60, height=60, timeout=6)
    assert exc.value.retryable is False and "twice" in str(exc.value)
    monkeypatch.setattr(engine.page, "in_browser", real)
    assert close(pixel(render(DOC, width=60, height=60), 25, 25)[:3], (0, 255, 0))


def test_chromium_is_recycled_after_n_renders(settings):
    settings.RENDER_RECYCLE_AFTER = 3
    render(DOC, width=60, height=60)
    pids = set()
    for _ in range(7):
        render(DOC, width=60, height=60)
        pids.add(browser_pid())
    assert len(pids) >= 2


def test_warm_page_is_reused_between_renders():
    render(DOC, width=60, height=60, key="acct-warm")
    marker = engine.get_engine().call(
        lambda s: s.render_page(s.context_for("acct-warm")).evaluate("() => (window.__marker = 42)"), timeout=10)
    render(doc(rect_el(fill="#0000ff")), width=80, height=80, key="acct-warm", data={"x.text": "y"})
    again = engine.get_engine().call(
        lambda s: s.render_page(s.context_for("acct-warm")).evaluate("() => window.__marker"), timeout=10)
    assert marker == again == 42  # same page: no load per render
