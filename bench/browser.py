"""Benchmark: the dashboard in a real browser (Playwright driving /usr/bin/chromium) against a server started by
scripts/serve.sh on a province-scale database, against a baseline measured in the same run.

  health    GET /_stcore/health on the running server: the round trip every browser request pays at least
  first     the first 总览 after the server starts: from opening it (the server answers its health check) to the
            page drawn (its headline cards shown and the script run finished), in a browser that used the
            dashboard before (its script files cached: one untimed visit of every page on an earlier start of the
            same address) — what a user waits for after a restart (serve.sh warms the imports, the engine and the
            first pages' caches before it listens); printed too for a browser new to the dashboard
  switch    a click on a page in the sidebar to that page drawn (its key text shown and the script run finished),
            every page in turn, --repeat rounds; "first" is the first round (the page's first visit after the
            start), "median" the median of every round

Goals (issue 19 §7): every switch ≤ 0.5 s, the first page after a start ≤ 1.5 s. Medians; reading is open
(TRACKER_PUBLIC_READ=true) so that no login is timed.

    .venv/bin/python bench/browser.py [--repeat 5] [--starts 3] [--regions 160] [--db FILE] [--database-url URL]
                                      [--pages overview detail …]
    .venv/bin/python bench/browser.py --url http://127.0.0.1:8501 [--repeat 5] [--pages …]   # a running server

--db reuses (or creates) a SQLite file, so that repeated runs skip building 600,000 rows (bench/database.py).
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from bench.database import add_database_argument, bench_url, ensure_province  # noqa: E402
from bench.timing import median_seconds  # noqa: E402
from vocab import labels  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# page → (navigation title, a text the page draws once its content is there)
PAGES = {"overview": (labels.PAGE_TITLES["overview"], "核心指标"),
         "detail": (labels.PAGE_TITLES["detail"], "政策依据"),
         "areas": (labels.PAGE_TITLES["areas"], "领域目标进展"),   # the chosen area's charts
         "departments": (labels.PAGE_TITLES["departments"], "任务台账"),
         "compare": (labels.PAGE_TITLES["compare"], "逐项对比"),
         "quality": (labels.PAGE_TITLES["quality"], labels.QUALITY_LABELS["no_source"]),
         "report": (labels.REPORT_PAGE_TITLE, "会议快照")}
GOALS = {"switch": 0.5, "first": 1.5}
IDLE = ("() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && app.getAttribute('data-test-connection-state') === 'CONNECTED'"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]'); }")

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200
    except OSError:
        return False


@contextmanager
def served(database_url: str, log: Path, port: int | None = None, timeout: float = 180):
    """scripts/serve.sh on a port (default: a free one; reading open); yields (url, seconds from the start to a
    healthy server) and stops the server after (serve.sh execs the server, so its process is the one started)."""
    port = port or free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "TRACKER_PUBLIC_READ": "true"}
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve.sh"), "--server.address", "127.0.0.1"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        while not healthy(url):
            if proc.poll() is not None or time.perf_counter() - start > timeout:
                raise RuntimeError(f"serve.sh did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.05)
        yield url, time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def drawn(page, text: str, timeout: float = 120_000) -> None:
    """Wait until the page shows `text` and its script run has finished."""
    page.get_by_text(text).first.wait_for(timeout=timeout)
    page.wait_for_function(IDLE, timeout=timeout)


def new_context(browser):
    return browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")


def first_page(ctx, url: str) -> float:
    """Seconds from opening 总览 in a new tab of the browser context to its headline cards drawn and the run
    finished."""
    page = ctx.new_page()
    try:
        start = time.perf_counter()
        page.goto(url)
        drawn(page, PAGES["overview"][1])
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
        return time.perf_counter() - start
    finally:
        page.close()


def visit_all(ctx, url: str, pages: list[str]) -> None:
    """Every page once, untimed (a browser that has used the dashboard keeps its scripts cached)."""
    page = ctx.new_page()
    try:
        page.goto(url)
        drawn(page, PAGES["overview"][1])
        for name in pages:
            if name != "overview":
                switch(page, name)
    finally:
        page.close()


def switch(page, name: str) -> float:
    """Seconds from a click on the page's link in the sidebar to the page drawn: its address shown, its own key
    text drawn (no other page shows it) and the script run finished."""
    title, text = PAGES[name]
    path = "" if name == "overview" else name
    start = time.perf_counter()
    page.get_by_role("link", name=title).first.click()
    page.wait_for_url(lambda address: urlparse(address).path.strip("/") == path, timeout=120_000)
    drawn(page, text)
    return time.perf_counter() - start


def switches(browser, url: str, pages: list[str], repeat: int) -> dict[str, list[float]]:
    """Every page in turn (starting from 总览), `repeat` rounds, in one browser session: {page: [seconds, …]}."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    times: dict[str, list[float]] = {p: [] for p in pages}
    try:
        page.goto(url)
        drawn(page, PAGES["overview"][1])
        for _ in range(repeat):
            for name in pages:
                if name == "overview" and page.url.rstrip("/") == url:   # a round starts elsewhere next time
                    continue
                times[name].append(switch(page, name))
            if "overview" in pages:
                times["overview"].append(switch(page, "overview"))
    finally:
        ctx.close()
    return times


def ensure_database(args: argparse.Namespace, tmp: str) -> tuple[str, int]:
    """The database URL (--db, else --database-url, else a temporary file), filled with the province when it has no
    observations yet, and how many regions it holds."""
    url = f"sqlite:///{args.db}" if args.db else bench_url(args.database_url, tmp, "province")
    ensure_province(url, args.regions)
    engine = db.make_engine(url)
    n_regions = len(db.read_regions(engine))
    engine.dispose()
    return url, n_regions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds of page switches")
    parser.add_argument("--starts", type=int, default=3, help="server starts (one first page each)")
    parser.add_argument("--pages", nargs="+", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--regions", type=int, default=160)
    parser.add_argument("--db", default=None, help="SQLite file to reuse or create")
    parser.add_argument("--url", default=None, help="time a server already running at this address (no starts: "
                                                   "the first page in a browser new to it, then the switches)")
    add_database_argument(parser)
    args = parser.parse_args(argv)
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: install Debian's chromium"
    from playwright.sync_api import sync_playwright

    if args.url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            ctx = new_context(browser)
            first = first_page(ctx, args.url)
            ctx.close()
            times = switches(browser, args.url, args.pages, args.repeat)
            browser.close()
        base = median_seconds(lambda: healthy(args.url), 20)
        print(f"server {args.url}: health check (baseline) median {base * 1000:.1f} ms; first 总览 in a new browser "
              f"{first:.2f} s")
        return print_switches(times, base)

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        url, n_regions = ensure_database(args, tmp)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        returning = new_context(browser)   # one origin (a fixed port) and one browser cache across the starts
        port = free_port()
        with served(url, Path(tmp) / "prime.log", port) as (app, _):
            visit_all(returning, app, list(PAGES))
        firsts, fresh, starts, health, times = [], [], [], [], {}
        for i in range(args.starts):
            with served(url, Path(tmp) / f"serve{i}.log", port) as (app, started):
                starts.append(started)
                firsts.append(first_page(returning, app))
                ctx = new_context(browser)
                fresh.append(first_page(ctx, app))
                ctx.close()
                health.append(median_seconds(lambda app=app: healthy(app), 20))
                if i == 0:
                    times = switches(browser, app, args.pages, args.repeat)
        returning.close()
        browser.close()
    base = statistics.median(health)
    first = statistics.median(firsts)
    ok = first <= GOALS["first"]
    print(f"database: {url.split('://')[0]}, {n_regions} regions; {args.starts} server starts, "
          f"{args.repeat} rounds of page switches")
    print(f"health check (baseline) median {base * 1000:8.1f} ms")
    print(f"serve.sh start → healthy median {statistics.median(starts):8.2f} s (samples "
          f"{', '.join(f'{s:.2f}' for s in starts)})")
    print(f"first 总览 after a start    median {first:8.2f} s  goal ≤ {GOALS['first']} s "
          f"{'✓' if first <= GOALS['first'] else '✗'}  ({first / base:.0f}× the health check; samples "
          f"{', '.join(f'{s:.2f}' for s in firsts)}; a browser that used the dashboard before)")
    print(f"  … in a browser new to it   median {statistics.median(fresh):8.2f} s  (samples "
          f"{', '.join(f'{s:.2f}' for s in fresh)}; it first downloads the page scripts, e.g. plotly's 4.7 MB)")
    return print_switches(times, base, ok)


def print_switches(times: dict[str, list[float]], base: float, ok: bool = True) -> int:
    """The switch table (first round, median, max, goal, × the health check) and the goals' verdict; 0 (a benchmark
    reports, it does not fail on a slow machine)."""
    print(f"{'page':<12} {'first (s)':>10} {'median (s)':>11} {'max (s)':>8} {'goal':>6} {'×health':>8}")
    for name, values in times.items():
        if not values:
            continue
        median = statistics.median(values)
        ok &= median <= GOALS["switch"]
        print(f"{name:<12} {values[0]:10.2f} {median:11.2f} {max(values):8.2f} "
              f"{'✓' if median <= GOALS['switch'] else '✗':>6} {median / base:8.0f}")
    print("all goals met" if ok else "some goals missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
