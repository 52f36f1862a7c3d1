"""A multi-tenant mix through POST /api/render/generate on the real stack (issue #17).

    .venv/bin/python bench/mixed_bench.py [--requests 80] [--concurrency 1,2,4,8] [--cycle-accounts 100]

Starts its own stack like bench/generate_bench.py — uvicorn (ASGI) and a Celery `render`
worker (`-c 2`, prefork, as `make run`) — on its own Postgres database (`audome_bench_mixed`,
re-created) and Redis db 15 (test runs use 1–12, the other benches 13–14), and seeds:

  - 8 accounts × 4 templates each: a 1080×1080 card (photo, autoFit title, Arabic subtitle,
    shapes), a 1200×630 link preview (photo half, title, body, shapes), a 1080×1920 story
    (photo, title, Arabic text, shapes) and a 1080×1080 quote (shapes, an Arabic quote, a
    fixed background photo); every account has its own colours and wording, so no two
    accounts share a document;
  - 20 uploaded photos (JPEG and PNG, 800–1600 px, gradients and noise).

Each request takes a random account and template, random text and one of the 20 photos, and
asks for PNG 70 %, JPEG 20 %, WebP 10 % of the time. Levels c=1,2,4,8 (client threads). Then:

  - a new account's first render: a fresh account (never seen by the workers) renders one
    template, with the stack warm and idle for a second before; five of them;
  - 100 accounts cycling: one template each, rendered round-robin (`--cycle-rounds` rounds)
    while the workers' memory (Celery processes + their Chromium trees, PSS) is sampled;
  - the raw floor (bench/render_floor.measure_floor, PNG, c=1 and c=2) in the same run,
    after the stack is stopped: every figure is also printed as a ratio of it, because this
    machine is shared and absolute figures move with the neighbours' load; and the mix's own
    raw floor (bench/mix_floor.py: the same templates, photos and formats done by a bare
    Chromium), the least any renderer pays for this work.

It prints tables; it never fails. Targets (issue #17): mixed p50 ≤ 2× floor at c=1,
throughput ≥ 0.6× the floor's at c=2, p95 ≤ 4× floor, a new account's first render ≤ 300 ms,
worker memory bounded with 100 accounts cycling."""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.common import (  # noqa: E402
    Processes,
    celery_worker_cmd,
    cpu_by_group,
    cpu_snapshot,
    free_port,
    percentile,
    reset_database,
    uvicorn_cmd,
)

PHASES = ("queue", "fetch", "layout", "capture", "encode", "store", "total")
FORMATS = (("png", 0.7), ("jpeg", 0.2), ("webp", 0.1))
WORDS = ("summer sale new arrivals today only limited offer free shipping best price launch week members "
         "exclusive deal fresh collection spring winter autumn weekend flash discount bundle premium").split()
ARABIC = ("خصم ٣٠٪ على كل شيء", "وصل حديثاً", "عرض لفترة محدودة", "شحن مجاني اليوم", "أفضل سعر في المدينة",
          "تشكيلة جديدة", "عروض نهاية الأسبوع", "لأعضائنا فقط")
PALETTES = (("#0f172a", "#f59e0b", "#22c55e"), ("#1e1b4b", "#f472b6", "#a78bfa"), ("#052e16", "#facc15", "#4ade80"),
            ("#450a0a", "#fca5a5", "#fb923c"), ("#f8fafc", "#0ea5e9", "#0f172a"), ("#fff7ed", "#c2410c", "#7c2d12"),
            ("#18181b", "#e4e4e7", "#ef4444"), ("#ecfeff", "#0e7490", "#164e63"))


# --- documents -------------------------------------------------------------------------------

def _text(id, x, y, w, h, text, *, family="Noto Sans", size=48, weight=400, color="#ffffff", align="center",
          fit=False, valign="top"):
    return {"id": id, "type": "text", "x": x, "y": y, "width": w, "height": h, "dynamicKey": id, "text": text,
            "style": {"fontFamily": family, "fontSize": size, "fontWeight": weight, "color": color,
                      "textAlign": align, "verticalAlign": valign, "lineHeight": 1.2, "autoFit": fit}}


def _image(id, x, y, w, h, src, radius=0, dynamic=True):
    el = {"id": id, "type": "image", "x": x, "y": y, "width": w, "height": h, "src": src, "fit": "cover",
          "borderRadius": radius}
    if dynamic:
        el["dynamicKey"] = id
    return el


def _shape(id, shape, x, y, w, h, fill, **extra):
    return {"id": id, "type": "shape", "shape": shape, "x": x, "y": y, "width": w, "height": h, "fill": fill, **extra}


def templates(n: int, photo: str, backdrop: str) -> list[tuple[str, int, int, dict]]:
    """Account n's four templates: (name, width, height, document)."""
    bg, accent, third = PALETTES[n % len(PALETTES)]
    ink = "#0f172a" if bg.startswith("#f") or bg.startswith("#e") else "#ffffff"
    tag = f"Account {n}"
    card = {"version": 1, "background": {"color": bg}, "elements": [
        _image("hero", 0, 400, 1080, 680, photo, radius=24),
        _text("title", 80, 120, 920, 200, f"{tag} sale", size=72, weight=700, color=ink, fit=True, valign="middle"),
        _text("sub", 80, 320, 920, 60, ARABIC[n % len(ARABIC)], family="Noto Sans Arabic", size=40, color=accent),
        _shape("bar", "rect", 40, 40, 200, 8, accent, borderRadius=4),
        _shape("dot", "ellipse", 900, 40, 120, 120, third, stroke=ink, strokeWidth=6),
    ]}
    link = {"version": 1, "background": {"color": bg}, "elements": [
        _image("hero", 0, 0, 560, 630, photo),
        _text("title", 600, 80, 560, 260, f"{tag}: what's new", size=64, weight=700, color=ink, align="left", fit=True),
        _text("body", 600, 360, 560, 160, "Read the full story on our blog", size=32, color=accent, align="left",
              fit=True),
        _shape("rule", "line", 600, 540, 300, 6, accent, stroke=accent, strokeWidth=6),
        _shape("badge", "rect", 1060, 560, 100, 40, third, borderRadius=20),
    ]}
    story = {"version": 1, "background": {"color": bg}, "elements": [
        _image("hero", 60, 160, 960, 1100, photo, radius=40),
        _text("title", 80, 1300, 920, 260, f"{tag} stories", size=96, weight=800, color=ink, fit=True),
        _text("sub", 80, 1580, 920, 120, ARABIC[(n + 3) % len(ARABIC)], family="Noto Kufi Arabic", size=56,
              color=accent, fit=True),
        _shape("top", "rect", 0, 0, 1080, 120, accent),
        _shape("ring", "ellipse", 440, 1740, 200, 120, "transparent", stroke=third, strokeWidth=10),
    ]}
    quote = {"version": 1, "background": {"color": bg, "image": backdrop}, "elements": [
        _shape("panel", "rect", 90, 90, 900, 900, bg, borderRadius=48, opacity=0.85),
        _text("title", 140, 200, 800, 420, ARABIC[(n + 5) % len(ARABIC)], family="Noto Naskh Arabic", size=88,
              weight=700, color=ink, fit=True, valign="middle"),
        _text("sub", 140, 700, 800, 120, f"— {tag}", family="Noto Serif", size=44, color=accent),
        _shape("q", "ellipse", 480, 120, 120, 60, accent),
    ]}
    return [("card", 1080, 1080, card), ("link", 1200, 630, link), ("story", 1080, 1920, story),
            ("quote", 1080, 1080, quote)]


def photos(count: int, seed: int = 7) -> list[tuple[str, bytes]]:
    """count photo-like images (gradients + noise): (extension, bytes), 2 in 3 JPEG, 1 in 3 PNG."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    out = []
    for i in range(count):
        w, h = rng.choice(((1600, 1067), (1200, 800), (800, 1200), (1080, 1080), (1400, 933)))
        noise = Image.effect_noise((w, h), 40 + 4 * i).convert("L").filter(ImageFilter.GaussianBlur(1 + i % 3))
        grad = Image.linear_gradient("L").resize((w, h)).rotate(rng.choice((0, 90, 180, 270)), expand=False)
        bands = [grad, noise, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
        rng.shuffle(bands)
        im = Image.merge("RGB", bands)
        buf = io.BytesIO()
        if i % 3 == 2:
            im.save(buf, "PNG", compress_level=6)
            out.append(("png", buf.getvalue()))
        else:
            im.save(buf, "JPEG", quality=85)
            out.append(("jpg", buf.getvalue()))
    return out


# --- the stack -------------------------------------------------------------------------------

def bench_env(args, port: int, media: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS", "config.settings.test"),
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PORT=str(port),
        MEDIA_ROOT=media,
        LOG_LEVEL="WARNING",
        API_RATE_LIMIT_PER_MINUTE="1000000",
        MAX_RENDERS_IN_FLIGHT="1000",
        PYTHONUNBUFFERED="1",
        # config.settings.test would claim a test slot (its own Redis db) per process: the
        # stack's processes must share the bench's Redis database instead.
        AUDOME_TEST_SLOT=args.redis_url.rsplit("/", 1)[1],
    )
    return env


def _upload(media: str, ext: str, body: bytes) -> str:
    from projects.document import asset_url_prefix

    asset = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{ext}"
    path = Path(media) / "assets" / asset
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return asset_url_prefix() + asset


def seed_account(n: int, photo_urls: list[str], only: str | None = None) -> dict:
    """An account with credits, a token and its templates (all four, or only the one named)."""
    from accounts.services import token_create, user_create
    from projects.models import Project

    account = user_create(email=f"mixed-{n}-{uuid.uuid4().hex[:6]}@example.com", password=None,
                          starting_credits=1_000_000)
    _token, plain = token_create(account=account, name="bench", scope="render-only")
    projects = []
    for name, w, h, document in templates(n, photo_urls[n % len(photo_urls)], photo_urls[(n + 7) % len(photo_urls)]):
        if only and name != only:
            continue
        project = Project.objects.create(account=account, name=f"{name} {n}", width=w, height=h, document=document)
        projects.append({"id": str(project.pk), "name": name, "keys": _keys(document)})
    return {"token": plain, "projects": projects}


def _keys(document: dict) -> list[tuple[str, str]]:
    return [(el["dynamicKey"], el["type"]) for el in document["elements"] if el.get("dynamicKey")]


class Stack:
    def __init__(self, args):
        self.args = args
        self.port = free_port()
        self.media = tempfile.mkdtemp(prefix="audome-bench-media-")
        self.env = bench_env(args, self.port, self.media)
        self.processes = Processes(BASE_DIR)

    def start(self) -> None:
        os.environ.update(self.env)
        reset_database(self.args.database_url)
        import django
        import redis

        redis.Redis.from_url(self.args.redis_url).flushdb()
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        self.photos = [_upload(self.media, ext, body) for ext, body in photos(self.args.photos)]
        self.accounts = [seed_account(n, self.photos) for n in range(self.args.accounts)]
        self.processes.spawn("web", uvicorn_cmd(self.port), dict(self.env, DB_POOL="true"))
        self.worker_name = f"mixed-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        celery = os.environ.get("BENCH_CELERY_CMD", "").split() or None
        self.processes.spawn("worker", celery_worker_cmd("render", self.args.workers, self.worker_name, celery),
                             self.env)
        self.processes.wait_ready(self.port, [self.worker_name], timeout=90)
        self.worker_pid = self.processes.procs[-1].pid

    def stop(self) -> None:
        self.processes.stop()


# --- memory ----------------------------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    table: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            table.setdefault(ppid, []).append(int(entry))
    return table


def tree_pss_mb(pid: int) -> dict[str, float]:
    """Memory (PSS, MB) of a process tree: {'celery': …, 'chromium': …, 'all': …}."""
    table = _children()
    out = {"celery": 0.0, "chromium": 0.0, "driver": 0.0}
    frontier = [pid]
    while frontier:
        p = frontier.pop()
        frontier.extend(table.get(p, []))
        try:
            with open(f"/proc/{p}/cmdline", "rb") as fh:
                cmd = fh.read()
            with open(f"/proc/{p}/smaps_rollup") as fh:
                kb = next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
        group = "chromium" if b"chrom" in cmd.split(b"\0")[0] else "driver" if b"playwright" in cmd or b"node" in cmd.split(b"\0")[0] else "celery"
        out[group] += kb / 1024
    out["all"] = sum(out.values())
    return {k: round(v, 1) for k, v in out.items()}


# --- load ------------------------------------------------------------------------------------

def _data(rng: random.Random, keys: list[tuple[str, str]], photo_urls: list[str]) -> dict:
    data = {}
    for key, kind in keys:
        if kind == "image":
            data[f"{key}.img"] = rng.choice(photo_urls)
        elif key == "sub" and rng.random() < 0.5:
            data[f"{key}.text"] = rng.choice(ARABIC) + f" {rng.randint(1, 99)}"
        else:
            data[f"{key}.text"] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).title() + f" {rng.randint(1, 999)}"
    return data


def _format(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for fmt, share in FORMATS:
        acc += share
        if x < acc:
            return fmt
    return "png"


class Client:
    """Sends generate requests and records latency, server timings and errors."""

    def __init__(self, stack: Stack):
        self.url = f"http://127.0.0.1:{stack.port}/api/render/generate"

    def generate(self, client, token: str, project: dict, data: dict, fmt: str) -> tuple[float, dict | None, str | None]:
        body = {"projectId": project["id"], "format": fmt, "data": data}
        started = time.perf_counter()
        response = client.post(self.url, content=json.dumps(body),
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            return elapsed, None, f"{response.status_code} {response.text[:200]}"
        return elapsed, response.json().get("timings") or {}, None


def run_level(stack: Stack, concurrency: int, count: int, seed: int) -> dict:
    import httpx

    rng = random.Random(seed)
    plan = []
    for _ in range(count):
        account = rng.choice(stack.accounts)
        project = rng.choice(account["projects"])
        plan.append((account["token"], project, _data(rng, project["keys"], stack.photos), _format(rng)))
    client = Client(stack)
    latencies: list[float] = []
    by_format: dict[str, list[float]] = {}
    phases: dict[str, list[float]] = {p: [] for p in PHASES}
    errors: list[str] = []
    todo = iter(plan)
    lock = threading.Lock()

    def worker():
        with httpx.Client(timeout=120) as http:
            while True:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                token, project, data, fmt = item
                elapsed, timings, error = client.generate(http, token, project, data, fmt)
                with lock:
                    if error:
                        errors.append(error)
                        continue
                    latencies.append(elapsed)
                    by_format.setdefault(fmt, []).append(elapsed)
                    for phase, value in timings.items():
                        if phase in phases and isinstance(value, (int, float)):
                            phases[phase].append(value)

    cpu_before = cpu_snapshot()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = cpu_by_group(cpu_before, cpu_snapshot())
    return {
        "concurrency": concurrency, "ok": len(latencies), "errors": errors,
        "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
        "rps": len(latencies) / wall if wall else 0.0,
        "by_format": {f: (len(v), percentile(v, 50)) for f, v in sorted(by_format.items())},
        "phases": {p: (statistics.mean(v), percentile(v, 50), percentile(v, 95)) if v else None
                   for p, v in phases.items()},
        "cpu_ms_per_render": {g: v * 1000 / max(1, len(latencies)) for g, v in cpu.items()},
    }


def first_renders(stack: Stack, count: int, seed: int) -> list[dict]:
    """A new account's first render, the stack warm and idle for a second before each."""
    import httpx

    rng = random.Random(seed)
    client = Client(stack)
    out = []
    with httpx.Client(timeout=120) as http:
        for i in range(count):
            account = seed_account(1000 + i, stack.photos, only=("card", "link", "story", "quote")[i % 4])
            time.sleep(1.0)
            project = account["projects"][0]
            elapsed, timings, error = client.generate(http, account["token"], project,
                                                      _data(rng, project["keys"], stack.photos), "png")
            out.append({"template": project["name"], "ms": round(elapsed, 1), "error": error,
                        "layout": (timings or {}).get("layout"), "total": (timings or {}).get("total")})
    return out


def cycle_accounts(stack: Stack, accounts: int, rounds: int, seed: int) -> dict:
    """`accounts` accounts (one template each) rendered round-robin; the worker's memory sampled."""
    import httpx

    rng = random.Random(seed)
    names = ("card", "link", "story", "quote")
    cyclers = [seed_account(2000 + i, stack.photos, only=names[i % 4]) for i in range(accounts)]
    client = Client(stack)
    latencies, errors, samples = [], [], [tree_pss_mb(stack.worker_pid)]
    with httpx.Client(timeout=120) as http:
        for _ in range(rounds):
            for i, account in enumerate(cyclers):
                project = account["projects"][0]
                elapsed, _timings, error = client.generate(http, account["token"], project,
                                                           _data(rng, project["keys"], stack.photos), _format(rng))
                (errors.append(error) if error else latencies.append(elapsed))
                if (i + 1) % 20 == 0:
                    samples.append(tree_pss_mb(stack.worker_pid))
    time.sleep(2)
    samples.append(tree_pss_mb(stack.worker_pid))
    return {"accounts": accounts, "rounds": rounds, "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "errors": errors, "pss_first": samples[0], "pss_max": max(s["all"] for s in samples),
            "pss_last": samples[-1], "samples": [s["all"] for s in samples]}


def measure_floor_figures(n: int, seed: int) -> dict:
    """Two floors: the card's (render_floor: one 1080² card, its title changing — the issue's
    baseline) and the mix's own (bench/mix_floor: these templates, photos and formats, raw)."""
    from bench.mix_floor import measure_mix_floor
    from bench.render_floor import measure_floor

    single = measure_floor(n=n, fmt="png", concurrency=1)
    double = measure_floor(n=n, fmt="png", concurrency=2)
    mix1 = measure_mix_floor(n=2 * n, concurrency=1, seed=seed)
    mix2 = measure_mix_floor(n=2 * n, concurrency=2, seed=seed)
    return {"p50": single["p50_ms"], "p95": single["p95_ms"], "rps1": single["renders_per_s"],
            "rps2": double["renders_per_s"], "mix_p50": mix1["p50_ms"], "mix_p95": mix1["p95_ms"],
            "mix_rps1": mix1["renders_per_s"], "mix_rps2": mix2["renders_per_s"], "raw": [single, double, mix1, mix2]}


# --- the report ------------------------------------------------------------------------------

def print_report(args, results, firsts, cycle, rss, floor) -> None:
    print(f"\n## Mixed multi-tenant generate — {args.accounts} accounts × 4 templates, {args.photos} photos, "
          f"png/jpeg/webp 70/20/10, {args.requests} requests per level, {args.workers} render worker processes\n")
    fp50 = floor["p50"] if floor else None
    print("| c | p50 ms | p95 ms | renders/s | floor png p50 | p50 ÷ floor | p95 ÷ floor | floor renders/s | "
          "renders/s ÷ floor's |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        c = r["concurrency"]
        frps = (floor["rps1"] if c == 1 else floor["rps2"]) if floor else None
        print(f"| {c} | {r['p50']:.0f} | {r['p95']:.0f} | {r['rps']:.1f} | {fp50 or float('nan'):.0f} | "
              + (f"{r['p50'] / fp50:.2f}× | {r['p95'] / fp50:.2f}× | " if fp50 else "– | – | ")
              + f"{frps or float('nan'):.1f} | " + (f"{r['rps'] / frps:.2f}× |" if frps else "– |"))
    if floor:
        print("\nThe same levels against the mix's own raw floor (bench/mix_floor.py: these templates, photos and "
              f"formats with nothing around them; c=1 p50 {floor['mix_p50']:.0f} ms, p95 {floor['mix_p95']:.0f} ms, "
              f"{floor['mix_rps1']:.1f}/s; c=2 {floor['mix_rps2']:.1f}/s):\n")
        print("| c | p50 ÷ mix floor p50 | p95 ÷ mix floor p95 | renders/s ÷ mix floor's |")
        print("|---|---|---|---|")
        for r in results:
            c = r["concurrency"]
            mrps = floor["mix_rps1"] if c == 1 else floor["mix_rps2"]
            print(f"| {c} | {r['p50'] / floor['mix_p50']:.2f}× | {r['p95'] / floor['mix_p95']:.2f}× | "
                  f"{r['rps'] / mrps:.2f}× |")
    print("\nServer phases (mean / p50 / p95 ms, from the responses' `timings`):\n")
    print("| c | " + " | ".join(PHASES) + " |")
    print("|---|" + "---|" * len(PHASES))
    for r in results:
        cells = []
        for p in PHASES:
            v = r["phases"].get(p)
            cells.append(f"{v[0]:.0f} / {v[1]:.0f} / {v[2]:.0f}" if v else "–")
        print(f"| {r['concurrency']} | " + " | ".join(cells) + " |")
    print("\nBy format (n, p50 ms): " + "; ".join(
        f"c={r['concurrency']}: " + ", ".join(f"{f} {n} {p:.0f}" for f, (n, p) in r["by_format"].items())
        for r in results))
    groups = sorted({g for r in results for g, v in r["cpu_ms_per_render"].items() if v > 0.05},
                    key=lambda g: -results[0]["cpu_ms_per_render"].get(g, 0.0))
    print("\nCPU ms per render, by process (all processes of this machine):\n")
    print("| c | " + " | ".join(groups) + " | all |")
    print("|---|" + "---|" * (len(groups) + 1))
    for r in results:
        cpu = r["cpu_ms_per_render"]
        print(f"| {r['concurrency']} | " + " | ".join(f"{cpu.get(g, 0.0):.1f}" for g in groups)
              + f" | {sum(cpu.values()):.1f} |")
    if firsts:
        ms = [f["ms"] for f in firsts if not f["error"]]
        print("\nA new account's first render (png, stack warm and idle 1 s before): "
              + ", ".join(f"{f['template']} {f['ms']:.0f} ms (layout {f['layout']})" for f in firsts)
              + (f" — p50 {statistics.median(ms):.0f}, max {max(ms):.0f} ms" if ms else ""))
    print(f"\nWorker memory (PSS MB, Celery main + pool processes + their Chromium and drivers): "
          f"after warm-up {rss['before']}, after the levels {rss['after_levels']}")
    if cycle:
        print(f"{cycle['accounts']} accounts cycling ({cycle['rounds']} rounds, one template each): "
              f"p50 {cycle['p50']:.0f} ms, p95 {cycle['p95']:.0f} ms, worker PSS {cycle['pss_first']['all']} → "
              f"max {cycle['pss_max']:.0f} → last {cycle['pss_last']} MB; samples {cycle['samples']}")
        if cycle["errors"]:
            print(f"  {len(cycle['errors'])} errors, first: {cycle['errors'][0]}")
    for r in results:
        if r["errors"]:
            print(f"\nc={r['concurrency']}: {len(r['errors'])} errors, first: {r['errors'][0]}")
    if floor:
        print(f"\nfloor raw figures: {json.dumps(floor['raw'], default=str)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=80, help="requests per concurrency level")
    parser.add_argument("--concurrency", default="1,2,4,8")
    parser.add_argument("--accounts", type=int, default=8)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="Celery render worker processes (-c)")
    parser.add_argument("--warmup", type=int, default=64,
                        help="mixed requests before the first level (64: most of the 32 templates seen by both workers)")
    parser.add_argument("--new-accounts", type=int, default=5)
    parser.add_argument("--cycle-accounts", type=int, default=100)
    parser.add_argument("--cycle-rounds", type=int, default=2)
    parser.add_argument("--floor-requests", type=int, default=40)
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/audome_bench_mixed"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on `timeout`/kill too

    stack = Stack(args)
    results, firsts, cycle, rss = [], [], None, {}
    try:
        stack.start()
        run_level(stack, args.workers, args.warmup, args.seed - 1)
        rss["before"] = tree_pss_mb(stack.worker_pid)
        for i, concurrency in enumerate(levels):
            results.append(run_level(stack, concurrency, args.requests, args.seed + i))
            print(f"c={concurrency}: p50 {results[-1]['p50']:.0f} ms, {results[-1]['rps']:.1f}/s", flush=True)
        rss["after_levels"] = tree_pss_mb(stack.worker_pid)
        if args.new_accounts:
            firsts = first_renders(stack, args.new_accounts, args.seed)
        if args.cycle_accounts:
            cycle = cycle_accounts(stack, args.cycle_accounts, args.cycle_rounds, args.seed)
    finally:
        print(f"logs: {stack.processes.logs}", flush=True)
        stack.stop()
    floor = None if args.skip_floor else measure_floor_figures(args.floor_requests, args.seed)
    print_report(args, results, firsts, cycle, rss, floor)


if __name__ == "__main__":
    main()
