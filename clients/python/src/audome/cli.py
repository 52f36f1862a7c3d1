"""`audome`: the command-line tool.

Exit codes: 0 ok, 1 a permanent error (bad input, not found, denied…), 2 a retryable one (rate
limited, server error, network trouble, timed out). `--json` prints the API's JSON for scripts
(and errors as `{"error", "code", "requestId"}`). `--help` on every command."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from audome import __version__
from audome.client import Audome
from audome.config import clear_token, config_path, resolve_base_url, save_config
from audome.errors import AudomeError, WebhookVerificationError
from audome.webhooks import construct_event

EXIT_OK, EXIT_PERMANENT, EXIT_RETRYABLE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """Usage errors are permanent (exit 1): exit 2 means "try again later" here."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_PERMANENT, f"{self.prog}: error: {message}\n")


# --- output -------------------------------------------------------------------------------

class Out:
    def __init__(self, as_json: bool) -> None:
        self.json = as_json

    def result(self, data: Any, human: str | None = None) -> None:
        if self.json:
            print(json.dumps(data, indent=2, ensure_ascii=False))
        elif human is not None:
            print(human)

    @staticmethod
    def note(message: str) -> None:
        print(message, file=sys.stderr)


def table(rows: list[list[Any]], header: list[str]) -> str:
    cells = [header] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip() for row in cells)


def parse_data(pairs: Sequence[str]) -> dict[str, str]:
    data: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise AudomeError(f"-d expects key=value (e.g. title.text=Hello), got {pair!r}.", code="VALIDATION_FAILED")
        if value.startswith("@") and Path(value[1:]).is_file():
            value = Path(value[1:]).read_text().rstrip("\n")
        data[key] = value
    return data


def client_of(args: argparse.Namespace) -> Audome:
    return Audome(args.token, base_url=args.base_url)


# --- commands -----------------------------------------------------------------------------

def cmd_login(args: argparse.Namespace, out: Out) -> int:
    client = Audome(None, base_url=args.base_url)
    code = client.request_device_code(args.app_name, "cli", __version__)
    Out.note(f"Your code: {code.user_code}\nApprove it in your browser: {code.verification_url}")
    if not args.no_browser:
        webbrowser.open(code.verification_url)
    Out.note("Waiting for approval…")
    token = client.poll_device_token(code)
    path = save_config({"token": token, "base_url": client.base_url})
    account = Audome(token, base_url=client.base_url).account()
    if os.environ.get("AUDOME_TOKEN"):
        Out.note("Note: AUDOME_TOKEN is set and overrides the stored token.")
    out.result({"success": True, "email": account["user"]["email"], "scope": account["token"]["scope"],
                "configPath": str(path)},
               f"Logged in as {account['user']['email']} ({account['token']['scope']}). Token stored in {path}.")
    return EXIT_OK


def cmd_logout(args: argparse.Namespace, out: Out) -> int:
    removed = clear_token()
    out.result({"success": True, "removed": removed},
               f"Removed the stored token from {config_path()}." if removed else "No stored token.")
    return EXIT_OK


def cmd_whoami(args: argparse.Namespace, out: Out) -> int:
    account = client_of(args).account()
    out.result(account, f"{account['user']['email']}\ntoken: {account['token']['name']} ({account['token']['scope']})\n"
                        f"credits: {account['credits']['balance']}\nplan: {account['plan']['name']}\n"
                        f"server: {resolve_base_url(args.base_url)}")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace, out: Out) -> int:
    info = client_of(args).plan()
    allowance = info["allowance"]
    out.result(info, f"{info['plan']['name']} plan: {allowance['used']} of {allowance['monthly']} credits used this "
                     f"cycle, {allowance['remaining']} left; balance {info['creditsBalance']}; resets {info['nextResetAt']}")
    return EXIT_OK


def cmd_projects_list(args: argparse.Namespace, out: Out) -> int:
    page = client_of(args).projects.list(search=args.search, page=args.page, limit=args.limit)
    rows = [[p["id"], p["name"], f"{p['width']}×{p['height']}", p.get("updatedAt")] for p in page["projects"]]
    out.result(page, table(rows, ["ID", "NAME", "SIZE", "UPDATED"]) if rows else "No projects.")
    return EXIT_OK


def cmd_projects_show(args: argparse.Namespace, out: Out) -> int:
    project = client_of(args).projects.get(args.project)
    project = project.get("project", project)
    keys = [[f"{e['dynamicKey']}.{'img' if e['type'] == 'image' else 'text'}", e["type"], e.get("defaultValue")]
            for e in project.get("dynamicElements", [])]
    human = f"{project['name']}  ({project['width']}×{project['height']})  {project['id']}\n\n"
    human += table(keys, ["KEY", "TYPE", "DEFAULT"]) if keys else "No dynamic keys."
    out.result(project, human)
    return EXIT_OK


def _render_once(client: Audome, args: argparse.Namespace, data: dict[str, str]) -> Any:
    render = client.render(args.project, data, format=args.format, quality=args.quality, width=args.width,
                           height=args.height, scale=args.scale, fit=args.fit, background_color=args.background,
                           wait=not args.no_wait,
                           idempotency_key=args.idempotency_key, timeout=args.timeout)
    if args.output and render.image_url:
        render.save(args.output)
    return render


def cmd_render(args: argparse.Namespace, out: Out) -> int:
    client = client_of(args)
    data = parse_data(args.data)
    render = _render_once(client, args, data)
    saved = f" → {args.output}" if args.output and render.image_url else ""
    out.result(render.data, f"{render.generation_id} {render.status}{saved}" +
               (f"\n{render.image_url}" if render.image_url and not args.output else ""))
    if not args.watch:
        return EXIT_OK
    # --watch: render again each time the template is saved (in the Studio or through the API).
    last = client.projects.get(args.project).get("updatedAt")
    Out.note("Watching the template for changes (Ctrl-C stops)…")
    try:
        while True:
            time.sleep(args.interval)
            current = client.projects.get(args.project).get("updatedAt")
            if current == last:
                continue
            last = current
            args.idempotency_key = None
            render = _render_once(client, args, data)
            out.result(render.data, f"{render.generation_id} {render.status}{saved}")
            sys.stdout.flush()
    except KeyboardInterrupt:
        return EXIT_OK


def _progress(batch: dict[str, Any]) -> None:
    counts = batch.get("counts") or {}
    total = counts.get("total") or 0
    finished = (counts.get("done") or 0) + (counts.get("failed") or 0) + (counts.get("canceled") or 0)
    width = 30
    filled = int(width * finished / total) if total else 0
    sys.stderr.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {finished}/{total} {batch.get('status', '')}   ")
    sys.stderr.flush()


def cmd_batch(args: argparse.Namespace, out: Out) -> int:
    client = client_of(args)
    batch = client.batch(args.project, csv=Path(args.rows), format=args.format, quality=args.quality,
                         idempotency_key=args.idempotency_key)
    Out.note(f"Batch {batch['batchId']}: {batch.get('counts', {}).get('total', '?')} rows")
    done = client.wait_batch(batch["batchId"], timeout=args.timeout, on_progress=None if out.json else _progress)
    if not out.json:
        sys.stderr.write("\n")
    if args.output:
        client.download_batch(done["batchId"], args.output)
    counts = done.get("counts", {})
    out.result(done, f"{done['batchId']} {done['status']}: {counts.get('done', 0)} done, {counts.get('failed', 0)} "
                     f"failed" + (f" → {args.output}" if args.output else ""))
    return EXIT_OK if done["status"] == "completed" else EXIT_PERMANENT


def cmd_generations_list(args: argparse.Namespace, out: Out) -> int:
    page = client_of(args).generations.list(status=args.status, project_id=args.project, page=args.page,
                                            limit=args.limit)
    rows = [[g["generationId"], g["status"], g.get("projectId"), g.get("format"), g.get("createdAt")]
            for g in page["generations"]]
    out.result(page, table(rows, ["ID", "STATUS", "PROJECT", "FORMAT", "CREATED"]) if rows else "No renders.")
    return EXIT_OK


def cmd_generations_show(args: argparse.Namespace, out: Out) -> int:
    g = client_of(args).generations.get(args.generation)
    lines = [f"{k}: {g.get(k)}" for k in ("generationId", "status", "projectId", "imageUrl", "width", "height",
                                         "format", "creditsUsed", "error", "createdAt", "completedAt", "renderMs")
             if g.get(k) is not None]
    out.result(g, "\n".join(lines))
    return EXIT_OK


def cmd_generations_cancel(args: argparse.Namespace, out: Out) -> int:
    g = client_of(args).generations.cancel(args.generation)
    out.result(g, f"{g.get('generationId', args.generation)} {g.get('status', 'canceled')}")
    return EXIT_OK


def cmd_webhooks_verify(args: argparse.Namespace, out: Out) -> int:
    secret = args.secret or os.environ.get("AUDOME_WEBHOOK_SECRET")
    if not secret:
        raise AudomeError("Give --secret or set AUDOME_WEBHOOK_SECRET.", code="VALIDATION_FAILED")
    raw = Path(args.body).read_bytes() if args.body and args.body != "-" else sys.stdin.buffer.read()
    tolerance = None if args.tolerance <= 0 else args.tolerance
    try:
        event = construct_event(raw, args.signature, secret, tolerance=tolerance)
    except WebhookVerificationError as exc:
        out.result({"valid": False, "code": exc.code, "error": exc.message}, f"invalid: {exc.message}")
        return EXIT_PERMANENT
    except ValueError:
        out.result({"valid": True, "event": None}, "valid (the body is not JSON)")
        return EXIT_OK
    out.result({"valid": True, "event": event}, f"valid: {event.get('type')} {event.get('id')}")
    return EXIT_OK


# --- parser -------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON (for scripts)")
    common.add_argument("--token", default=argparse.SUPPRESS,
                        help="API token (default: AUDOME_TOKEN, then the stored login)")
    common.add_argument("--base-url", default=argparse.SUPPRESS,
                        help="server (default: AUDOME_BASE_URL, then the stored login's, then https://audome.io)")

    parser = Parser(prog="audome", parents=[common], description="Render images with Audome from the command line.",
                    epilog="Exit codes: 0 ok, 1 permanent error, 2 retryable error.")
    parser.add_argument("--version", action="version", version=f"audome {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)

    def command(name: str, help_text: str, func: Any, parent: Any = sub) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = parent.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(func=func)
        return p

    p = command("login", "Log in through your browser (device code) and store the token (mode 600).", cmd_login)
    p.add_argument("--no-browser", action="store_true", help="print the URL only, don't open a browser")
    p.add_argument("--app-name", default="Audome CLI", help="the name the approval page and the token get")
    command("logout", "Forget the stored token.", cmd_logout)
    command("whoami", "Show the account, token scope, credits and plan.", cmd_whoami)
    command("plan", "Show the plan, this cycle's usage and the next reset.", cmd_plan)

    projects = command("projects", "List templates or show one with its dynamic keys.", None)
    projects_sub = projects.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    p = command("list", "List templates.", cmd_projects_list, projects_sub)
    p.add_argument("--search")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--limit", type=int, default=50)
    p = command("show", "Show a template and the keys -d can set.", cmd_projects_show, projects_sub)
    p.add_argument("project", help="project id")

    p = command("render", "Render a template to an image file.", cmd_render)
    p.add_argument("project", help="project id")
    p.add_argument("-d", "--data", action="append", default=[], metavar="KEY=VALUE",
                   help="a dynamic value, e.g. -d title.text=Hello -d hero.img=https://… (value @file reads a file)")
    p.add_argument("-o", "--output", help="write the image here")
    p.add_argument("--format", choices=["png", "jpeg", "webp"])
    p.add_argument("--quality", type=int, help="1–100 (jpeg, webp)")
    p.add_argument("--width", type=int, help="output width (default: the template's); the template is scaled into it")
    p.add_argument("--height", type=int, help="output height (default: the template's); the template is scaled into it")
    p.add_argument("--scale", type=float, help="the template's size times this (2: retina); not with --width/--height")
    p.add_argument("--fit", choices=["contain", "cover"], help="another ratio than the template's: show all "
                                                               "(contain, default) or fill and crop (cover)")
    p.add_argument("--background", help="CSS colour, or transparent")
    p.add_argument("--idempotency-key", help="default: a new one per render")
    p.add_argument("--no-wait", action="store_true", help="queue the render and return its id at once")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the render")
    p.add_argument("--watch", action="store_true", help="render again each time the template is saved")
    p.add_argument("--interval", type=float, default=2.0, help="--watch: seconds between checks")

    p = command("batch", "Render one image per CSV row and download them as a ZIP.", cmd_batch)
    p.add_argument("project", help="project id")
    p.add_argument("rows", help="CSV whose columns are <key>.text / <key>.img")
    p.add_argument("-o", "--output", help="write the ZIP (images + manifest.csv) here")
    p.add_argument("--format", choices=["png", "jpeg", "webp"])
    p.add_argument("--quality", type=int)
    p.add_argument("--idempotency-key")
    p.add_argument("--timeout", type=float, default=3600.0)

    generations = command("generations", "List, show or cancel renders.", None)
    gen_sub = generations.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    p = command("list", "List renders, newest first.", cmd_generations_list, gen_sub)
    p.add_argument("--status", choices=["pending", "processing", "completed", "failed", "canceled"])
    p.add_argument("--project")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--limit", type=int, default=50)
    p = command("show", "Show one render.", cmd_generations_show, gen_sub)
    p.add_argument("generation", help="gen_… id")
    p = command("cancel", "Cancel a pending render.", cmd_generations_cancel, gen_sub)
    p.add_argument("generation", help="gen_… id")

    webhooks = command("webhooks", "Webhook tools.", None)
    wh_sub = webhooks.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    p = command("verify", "Check a webhook body against its Audome-Signature header.", cmd_webhooks_verify, wh_sub)
    p.add_argument("--signature", required=True, help="the Audome-Signature header's value")
    p.add_argument("--secret", help="whsec_… (default: AUDOME_WEBHOOK_SECRET)")
    p.add_argument("--body", default="-", help="file with the raw body (default: stdin)")
    p.add_argument("--tolerance", type=float, default=300, help="seconds; 0 = don't check the age")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for name, default in (("json", False), ("token", None), ("base_url", None)):
        if not hasattr(args, name):
            setattr(args, name, default)
    out = Out(args.json)
    try:
        return int(args.func(args, out))
    except AudomeError as exc:
        if out.json:
            print(json.dumps({"success": False, "error": exc.message, "code": exc.code, "requestId": exc.request_id,
                              **({"details": exc.details} if exc.details else {})}, indent=2))
        else:
            print(f"audome: {exc}", file=sys.stderr)
            for field, messages in (exc.details or {}).items():
                print(f"  {field}: {'; '.join(map(str, messages if isinstance(messages, list) else [messages]))}",
                      file=sys.stderr)
        return EXIT_RETRYABLE if exc.retryable else EXIT_PERMANENT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
