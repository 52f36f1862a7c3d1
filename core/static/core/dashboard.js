/* Audome dashboard shell: theme switch, nav, toasts, confirm dialog, copy buttons, API helper.
 * Exposed as window.audome for pages and panels:
 *   audome.toast(message, kind?)             kind: "success" | "danger" | undefined
 *   audome.confirm({title, body, ok, danger}) → Promise<boolean>   (uses <dialog id="confirm-dialog">)
 *   audome.csrf()                            → the CSRF token (cookie or a csrf form field)
 *   audome.api(method, path, body?)          → Promise<{ok, status, data}> (JSON, session + CSRF)
 *   audome.copy(text)                        → Promise<boolean>
 * Markup hooks: [data-copy="#selector"] or [data-copy-text="…"] copy on click. */
(function () {
  "use strict";
  var root = document.documentElement;

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function toast(message, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast" + (kind ? " " + kind : "");
    el.setAttribute("role", kind === "danger" ? "alert" : "status");
    el.textContent = message;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, kind === "danger" ? 6000 : 3000);
  }

  function confirmDialog(opts) {
    var dlg = document.getElementById("confirm-dialog");
    if (!dlg || typeof dlg.showModal !== "function") return Promise.resolve(window.confirm(opts.title + "\n\n" + (opts.body || "")));
    dlg.querySelector("[data-role=title]").textContent = opts.title || "";
    dlg.querySelector("[data-role=body]").textContent = opts.body || "";
    var ok = dlg.querySelector("[data-role=ok]");
    ok.textContent = opts.ok || ok.getAttribute("data-default") || ok.textContent;
    if (!ok.hasAttribute("data-default")) ok.setAttribute("data-default", ok.textContent);
    ok.className = "button " + (opts.danger ? "danger solid" : "primary");
    dlg.returnValue = "";
    dlg.showModal();
    (opts.danger ? dlg.querySelector("[data-role=cancel]") : ok).focus();
    return new Promise(function (resolve) {
      dlg.addEventListener("close", function once() {
        dlg.removeEventListener("close", once);
        resolve(dlg.returnValue === "ok");
      });
    });
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallback(); });
    }
    return Promise.resolve(fallback());
    function fallback() {
      var ta = document.createElement("textarea");
      ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
      document.body.appendChild(ta); ta.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      ta.remove();
      return done;
    }
  }

  function api(method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRFToken": csrf() } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      if (res.status === 204) return { ok: res.ok, status: res.status, data: null };
      return res.json().then(function (data) { return { ok: res.ok, status: res.status, data: data }; },
        function () { return { ok: res.ok, status: res.status, data: null }; });
    });
  }

  window.audome = { toast: toast, confirm: confirmDialog, csrf: csrf, api: api, copy: copy };

  // Active nav item.
  var active = document.body.getAttribute("data-nav");
  if (!active) {
    var p = location.pathname.replace(/\/+$/, "");
    active = p === "/render" ? "home" : (p.match(/^\/render\/([^/]+)/) || [])[1] || "";
  }
  document.querySelectorAll(".nav a[data-nav]").forEach(function (a) {
    if (a.getAttribute("data-nav") === active) a.setAttribute("aria-current", "page");
  });

  // Theme: instant switch, remembered in the audome_theme cookie (the server reads it too).
  var themeSwitch = document.getElementById("theme-switch");
  if (themeSwitch) {
    themeSwitch.addEventListener("click", function (ev) {
      var btn = ev.target.closest("button[name=theme]");
      if (!btn) return;
      ev.preventDefault();
      var theme = btn.value;
      document.cookie = "audome_theme=" + theme + "; path=/; max-age=31536000; samesite=lax";
      root.setAttribute("data-theme", theme);
      themeSwitch.querySelectorAll("button[name=theme]").forEach(function (b) {
        b.setAttribute("aria-pressed", b === btn ? "true" : "false");
      });
    });
  }

  // Narrow screens: the sidebar slides in.
  var toggle = document.getElementById("nav-toggle");
  var shell = document.getElementById("shell");
  if (toggle && shell) {
    toggle.addEventListener("click", function () {
      var open = shell.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    shell.addEventListener("click", function (ev) {
      if (shell.classList.contains("nav-open") && !ev.target.closest("#sidebar, #nav-toggle")) {
        shell.classList.remove("nav-open"); toggle.setAttribute("aria-expanded", "false");
      }
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && shell.classList.contains("nav-open")) { shell.classList.remove("nav-open"); toggle.setAttribute("aria-expanded", "false"); }
    });
  }

  // Copy buttons.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy], [data-copy-text]");
    if (!btn) return;
    var text = btn.getAttribute("data-copy-text");
    if (text === null) {
      var src = document.querySelector(btn.getAttribute("data-copy"));
      text = src ? (src.value !== undefined && src.tagName === "INPUT" ? src.value : src.textContent) : "";
    }
    copy(text.trim()).then(function (done) {
      if (!done) return;
      var label = btn.querySelector("[data-role=label]") || btn;
      var before = label.textContent;
      label.textContent = btn.getAttribute("data-copied") || "✓";
      btn.classList.add("is-copied");
      setTimeout(function () { label.textContent = before; btn.classList.remove("is-copied"); }, 1600);
    });
  });
})();
