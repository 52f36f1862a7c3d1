/* /render/api-tokens: create, rename and revoke through the REST API (/api/tokens) with the
 * dashboard session + CSRF. The plain token exists only in this page's memory after creation:
 * a reload shows the list without it. Strings come from data-msg-* on #tokens-page. */
(function () {
  "use strict";
  var page = document.getElementById("tokens-page");
  if (!page || !window.audome) return;
  var A = window.audome;
  var msg = function (k) { return page.getAttribute("data-msg-" + k) || ""; };
  var lang = document.documentElement.lang || "en";
  var rows = page.querySelector("[data-role=rows]");
  var createForm = document.getElementById("token-create-form");
  var createError = page.querySelector("[data-role=create-error]");
  var newBox = page.querySelector("[data-role=new-token]");
  var newValue = document.getElementById("new-token-value");
  var max = parseInt(page.getAttribute("data-max"), 10) || 10;

  function fmtDate(iso, withTime) {
    if (!iso) return "";
    var opts = { day: "numeric", month: "short", year: "numeric" };
    if (withTime) { opts.hour = "2-digit"; opts.minute = "2-digit"; }
    // Same shape as the server-rendered rows ("24 Nov 2026", Latin digits, Gregorian calendar).
    var locale = lang.indexOf("ar") === 0 ? "ar-u-nu-latn-ca-gregory" : "en-GB";
    try { return new Intl.DateTimeFormat(locale, opts).format(new Date(iso)); } catch (e) { return iso; }
  }

  function errorText(res) {
    var d = res.data || {};
    var details = d.details || {};
    if (details.tokens) return msg("limit");
    if (details.name) return msg("name");
    return msg("error");
  }

  function refreshCount() {
    var active = rows.querySelectorAll("tr[data-token-id]:not(.is-inactive)").length;
    page.querySelector("[data-role=count]").textContent = msg("count").replace("{n}", active).replace("{max}", max);
    var any = rows.querySelectorAll("tr[data-token-id]").length > 0;
    page.querySelector("[data-role=empty]").hidden = any;
    page.querySelector("[data-role=table]").hidden = !any;
  }

  function scopeBadge(scope) {
    var b = document.querySelector("#scope-badges").content.querySelector('[data-scope="' + scope + '"]');
    return b ? b.cloneNode(true) : document.createTextNode(scope);
  }

  function buildRow(t) {
    var tr = document.getElementById("token-row-template").content.querySelector("tr").cloneNode(true);
    tr.setAttribute("data-token-id", t.id);
    tr.querySelector("[data-field=name]").textContent = t.name;
    tr.querySelector("[data-field=prefix]").textContent = "aud_" + t.prefix + "…";
    var scopeCell = tr.querySelector("[data-field=scope]");
    scopeCell.textContent = ""; scopeCell.appendChild(scopeBadge(t.scope));
    var created = tr.querySelector("[data-field=created]");
    created.setAttribute("datetime", t.createdAt); created.textContent = fmtDate(t.createdAt);
    var last = tr.querySelector("[data-field=last-used]");
    last.textContent = "";
    if (t.lastUsedAt) { var tm = document.createElement("time"); tm.dateTime = t.lastUsedAt; tm.textContent = fmtDate(t.lastUsedAt, true); last.appendChild(tm); }
    else { var s = document.createElement("span"); s.className = "faint"; s.textContent = msg("never"); last.appendChild(s); }
    tr.querySelector("[data-field=usage]").textContent = String(t.usageCount);
    return tr;
  }

  function markRevoked(tr) {
    tr.classList.add("is-inactive");
    var status = tr.querySelector("[data-field=status]");
    status.innerHTML = "";
    var b = document.createElement("span"); b.className = "badge neutral"; b.textContent = msg("revoked-badge");
    status.appendChild(b);
    tr.querySelector(".actions").innerHTML = "";
  }

  createForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var name = createForm.elements.name.value.trim();
    var scopeInput = createForm.querySelector("input[name=scope]:checked");
    createError.hidden = true;
    if (!name || name.length > 100) { createError.textContent = msg("name"); createError.hidden = false; createForm.elements.name.focus(); return; }
    var btn = createForm.querySelector("button[type=submit]");
    btn.disabled = true;
    A.api("POST", "/api/tokens", { name: name, scope: scopeInput ? scopeInput.value : "render-only" }).then(function (res) {
      btn.disabled = false;
      if (res.status !== 201) { createError.textContent = errorText(res); createError.hidden = false; return; }
      newValue.textContent = res.data.token;
      newBox.hidden = false;
      rows.insertBefore(buildRow(res.data.tokenData), rows.firstChild);
      createForm.reset();
      refreshCount();
      A.toast(msg("created"), "success");
      newBox.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }, function () { btn.disabled = false; createError.textContent = msg("error"); createError.hidden = false; });
  });

  newBox.querySelector("[data-action=dismiss]").addEventListener("click", function () {
    newValue.textContent = "";
    newBox.hidden = true;
  });

  // Rename (dialog) and revoke (confirm) from the table.
  var renameDialog = document.getElementById("rename-dialog");
  var renameInput = document.getElementById("rename-input");
  var renameError = renameDialog.querySelector("[data-role=rename-error]");
  var renaming = null;

  rows.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-action]");
    if (!btn) return;
    var tr = btn.closest("tr[data-token-id]");
    var id = tr.getAttribute("data-token-id");
    if (btn.getAttribute("data-action") === "rename") {
      renaming = tr;
      renameInput.value = tr.querySelector("[data-field=name]").textContent;
      renameError.hidden = true;
      renameDialog.showModal();
      renameInput.select();
    } else if (btn.getAttribute("data-action") === "revoke") {
      A.confirm({ title: msg("revoke-title"), body: msg("revoke-body"), ok: msg("revoke-ok"), danger: true }).then(function (yes) {
        if (!yes) return;
        A.api("DELETE", "/api/tokens/" + encodeURIComponent(id)).then(function (res) {
          if (!res.ok) { A.toast(errorText(res), "danger"); return; }
          markRevoked(tr);
          refreshCount();
          A.toast(msg("revoked"), "success");
        });
      });
    }
  });

  renameDialog.querySelector("[data-action=close]").addEventListener("click", function () { renameDialog.close(); });
  renameDialog.querySelector("form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var name = renameInput.value.trim();
    if (!name || name.length > 100) { renameError.textContent = msg("name"); renameError.hidden = false; return; }
    var tr = renaming;
    A.api("PATCH", "/api/tokens/" + encodeURIComponent(tr.getAttribute("data-token-id")), { name: name }).then(function (res) {
      if (!res.ok) { renameError.textContent = errorText(res); renameError.hidden = false; return; }
      tr.querySelector("[data-field=name]").textContent = res.data.tokenData.name;
      renameDialog.close();
      A.toast(msg("renamed"), "success");
    });
  });
})();
