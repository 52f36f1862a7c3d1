"""A tiny customer site on another origin that embeds the Studio the way the getting-started
guide does, for trying the embed and for the browser tests.

    python -m embed.demo_host --port 8001 [--audome http://127.0.0.1:8000] [--token-file var/demo-token-8000]

GET / mints an embed session server-side (POST /api/embed/sessions with the demo API token,
allowedOrigins = this page's origin), then serves a page that loads /embed/audome-embed.js from
Audome and logs every event it receives. Query: projectId, categoryId, readOnly=1, ttl=<s>,
theme, locale, token=<use this embed token instead of minting one>.
Standard library only; it is a separate process, like a customer's own server would be."""
import argparse
import html
import json
import os
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, urlsplit

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Cards — embedded Audome Studio (demo host)</title>
<style>
  body {{ margin: 0; font: 14px/1.5 system-ui, sans-serif; background: #f3f4f6; color: #111827; }}
  header {{ display: flex; align-items: center; gap: 12px; padding: 12px 20px; background: #111827; color: #fff; }}
  header b {{ font-size: 16px; }} header small {{ opacity: .7; }}
  main {{ display: grid; grid-template-columns: 1fr 340px; gap: 16px; padding: 16px 20px; }}
  #audome-studio {{ border-radius: 12px; overflow: hidden; box-shadow: 0 8px 30px rgba(0,0,0,.15); background: #0d0f14; }}
  aside {{ background: #fff; border-radius: 12px; padding: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.08); min-width: 0; }}
  aside h2 {{ font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: #6b7280; margin: 4px 0 8px; }}
  .controls {{ display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 10px; }}
  button {{ font: inherit; padding: 5px 10px; border-radius: 6px; border: 1px solid #d1d5db; background: #fff; cursor: pointer; }}
  #log {{ list-style: none; margin: 0; padding: 0; font: 12px/1.4 ui-monospace, monospace; max-height: 560px; overflow: auto; }}
  #log li {{ border-top: 1px solid #f3f4f6; padding: 6px 2px; word-break: break-all; }}
  #log b {{ color: #6d28d9; }} #log .err b {{ color: #dc2626; }}
  #export img {{ max-width: 100%; border-radius: 8px; margin-top: 8px; }}
</style>
</head>
<body>
<header><b>Acme Cards</b><small>a customer app on {host_origin} embedding Audome from {audome}</small></header>
<main>
  <div id="audome-studio"></div>
  <aside>
    <h2>Controls</h2>
    <div class="controls">
      <button data-do="theme">Toggle theme</button>
      <button data-do="locale">Toggle language</button>
      <button data-do="export">exportImage()</button>
      <button data-do="reload">reload()</button>
      <button data-do="destroy">destroy()</button>
    </div>
    <div id="export"></div>
    <h2>Events</h2>
    <ol id="log"></ol>
  </aside>
</main>
<script id="embed-settings" type="application/json">{settings}</script>
<script src="{audome}/embed/audome-embed.js"></script>
<script>
  const settings = JSON.parse(document.getElementById('embed-settings').textContent);
  const AUDOME_ORIGIN = new URL({audome_json}).origin;
  window.__audomeLog = [];
  function log(via, type, payload, origin) {{
    const entry = {{ via, type, payload, origin }};
    window.__audomeLog.push(entry);
    const li = document.createElement('li');
    if (/error/i.test(type)) li.className = 'err';
    li.innerHTML = '<b></b> <span></span>';
    li.querySelector('b').textContent = via + ' ' + type;
    li.querySelector('span').textContent = JSON.stringify(payload) + (origin ? '  from ' + origin : '');
    document.getElementById('log').prepend(li);
  }}
  // Every postMessage event from the Studio, as the docs show (origin checked first).
  window.addEventListener('message', (event) => {{
    if (event.origin !== AUDOME_ORIGIN) return;
    if (!event.data || event.data.source !== 'audome') return;
    log('message', event.data.type, event.data.payload, event.origin);
  }});
  let theme = settings.theme || 'dark', locale = settings.locale || 'en';
  const handle = window.AudomeEmbed.studio({{
    container: '#audome-studio',
    token: settings.token,
    theme, locale,
    height: '760px',
    projectId: settings.projectId || undefined,
    categoryId: settings.categoryId || undefined,
    readOnly: !!settings.readOnly,
    onReady: () => log('callback', 'onReady', null),
    onProjectCreate: (p) => log('callback', 'onProjectCreate', p),
    onProjectSave: (p) => log('callback', 'onProjectSave', p),
    onRender: (url) => log('callback', 'onRender', url),
    onFontUpload: (f) => log('callback', 'onFontUpload', f),
    onError: (e) => log('callback', 'onError', e),
  }});
  window.__audomeHandle = handle;
  document.querySelector('.controls').addEventListener('click', async (e) => {{
    const what = e.target.dataset.do;
    if (what === 'theme') handle.setTheme(theme = theme === 'dark' ? 'light' : 'dark');
    if (what === 'locale') handle.setLocale(locale = locale === 'ar' ? 'en' : 'ar');
    if (what === 'reload') handle.reload();
    if (what === 'destroy') handle.destroy();
    if (what === 'export') {{
      try {{
        const url = await handle.exportImage({{ format: 'png' }});
        log('promise', 'exportImage', url);
        document.getElementById('export').innerHTML = '<img alt="export">';
        document.querySelector('#export img').src = url;
      }} catch (err) {{ log('promise', 'exportImage error', {{ code: err.code, message: err.message }}); }}
    }}
  }});
</script>
</body>
</html>
"""


def mint(audome: str, api_token: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{audome}/api/embed/sessions",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read() or b"{}") | {"status": exc.code}


def make_handler(audome: str, token_file: Path):
    class Handler(BaseHTTPRequestHandler):
        server_version = "AudomeDemoHost/1.0"

        def log_message(self, fmt, *args):  # quiet, like a test fixture should be
            if os.environ.get("DEMO_HOST_VERBOSE"):
                super().log_message(fmt, *args)

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/healthz":
                return self._send(200, b"ok", "text/plain")
            if url.path != "/":
                return self._send(404, b"not found", "text/plain")
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            bound = cast("tuple[str, int]", self.server.server_address)  # a TCP server's (host, port)
            host_origin = f"http://{self.headers.get('Host') or bound[0]}"
            settings = {
                "projectId": q.get("projectId"),
                "categoryId": q.get("categoryId"),
                "readOnly": q.get("readOnly") in ("1", "true"),
                "theme": q.get("theme", "dark"),
                "locale": q.get("locale", "en"),
            }
            token = q.get("token")
            if not token:
                api_token = token_file.read_text().strip() if token_file.exists() else ""
                body = {"allowedOrigins": [host_origin], "ttlSeconds": int(q.get("ttl", "900"))}
                for field in ("projectId", "categoryId"):
                    if settings[field]:
                        body[field] = settings[field]
                if settings["readOnly"]:
                    body["readOnly"] = True
                answer = mint(audome, api_token, body)
                if not answer.get("token"):
                    message = html.escape(json.dumps(answer))
                    return self._send(502, f"<h1>Could not mint an embed session</h1><pre>{message}</pre>".encode(), "text/html")
                token = answer["token"]
            settings["token"] = token
            page = PAGE.format(
                settings=json.dumps(settings).replace("</", "<\\/"),
                audome=html.escape(audome),
                audome_json=json.dumps(audome),
                host_origin=html.escape(host_origin),
            )
            self._send(200, page.encode(), "text/html; charset=utf-8")

        def _send(self, status, body, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def default_token_file(environ=os.environ) -> str:
    """The demo API token's file: one per Audome instance (keyed by its PORT), so a second
    `make run` from the same checkout (PORT=9000, its own database) keeps its own token instead
    of overwriting the first one's. AUDOME_DEMO_TOKEN_FILE (set by scripts/run.sh) wins."""
    return environ.get("AUDOME_DEMO_TOKEN_FILE") or f"var/demo-token-{environ.get('PORT', '8000')}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("AUDOME_DEMO_HOST_PORT", "8001")))
    parser.add_argument("--host", default="127.0.0.1")
    default_audome = os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    parser.add_argument("--audome", default=default_audome.rstrip("/"))
    parser.add_argument("--token-file", default=default_token_file())
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.audome.rstrip("/"), Path(args.token_file)))
    print(f"Embed demo host on http://{args.host}:{args.port}/ (Audome: {args.audome})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
