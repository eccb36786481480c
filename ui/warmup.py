"""A server that starts warm (scripts/serve.py calls warm() before the server listens): every module the pages
import, the engine (schema check, catalogue load), the shared frames, and what the first visitor's pages show
with the sidebar's defaults — statuses, 总览, the small charts, the scorecard, the deadlines, the comparison, 数据质量,
the deck's plan — computed into the same caches the pages read, and plotly's, pandas' Styler's and Arrow's first
uses done. The first page after a restart then costs what any page switch costs."""
from __future__ import annotations

import ast
import gc
import importlib
import logging
import time
from datetime import date
from pathlib import Path

import plotly.io as pio

ROOT = Path(__file__).resolve().parent.parent


def page_modules(root: Path = ROOT) -> list[str]:
    """Every module app.py and the page files import (read from their source, so a new page is warmed too)."""
    names: list[str] = []
    for script in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                names += [f"{node.module}.{a.name}" for a in node.names]
    return list(dict.fromkeys(names))


def import_pages(root: Path = ROOT) -> int:
    """Import what the pages import (a name that is not a module, e.g. a function, is skipped); how many."""
    done = 0
    for name in page_modules(root):
        try:
            importlib.import_module(name)
            done += 1
        except ModuleNotFoundError:
            continue   # `from x import some_function`: x itself is imported
    return done


def fill_caches(today: date | None = None) -> dict[str, float]:
    """The caches the first page of each kind reads, for the sidebar's default policy, region and year; seconds
    per step."""
    import ui
    from deck import DeckOptions
    from ui import overview_data, sidebar, status_tables
    from vocab import labels

    steps: dict[str, float] = {}

    def step(name: str, fn) -> object:
        start = time.perf_counter()
        out = fn()
        steps[name] = time.perf_counter() - start
        return out

    step("engine", ui.engine)
    policies = step("catalogue", ui.catalogue_frames)["policies"]
    policy = str(policies["code"].iloc[0])
    region = str(policies["region"].iloc[0])
    version, today = ui.data_version(), today or date.today()
    years, year = step("years", lambda: sidebar._as_of_years(version, policy, region, today.year))
    view = step("overview", lambda: overview_data.overview(policy, region, year))
    step("area charts", lambda: [pio.to_json(ui.area_figure(policy, region, year, a)) for a in labels.AREAS
                                 if (view.status["area"] == a).any()])
    first = view.status.set_index("code").loc[status_tables.first_headline(view.status) or view.status["code"].iloc[0]]
    step("detail", lambda: (ui.chart_series(policy, region, year), ui.audit(f"{region}/{first['indicator']}/")))
    step("scorecard", lambda: (ui.scorecard(policy, region, year), ui.band_history(policy, region, year),
                               ui.deadlines(policy, min(today, date(year, 12, 31)))))   # 部门督办's default day
    step("compare", lambda: ui.growth_comparison(policy, region, year))
    step("quality", lambda: ui.quality(policy, region, year))
    meeting = ui.last_meeting(policy, region)   # 汇报材料 compares with it by default
    snapshot = int(meeting[0]["id"]) if meeting else None
    step("deck plan", lambda: ui.deck_plan(policy, region, year, snapshot, DeckOptions(areas=tuple(labels.AREAS))))
    step("styler", lambda: view.attention.head(3).style.map(lambda _: "").to_html())
    return steps


def streamlit_first_uses() -> None:
    """What Streamlit does once per process on the first page of the first visitor: the emoji catalogue
    st.set_page_config's page_icon is checked against (a regular expression of every emoji, 0.28 s in a profile of
    that run, tests/test_warmup.py), and its "not run with `streamlit run`" check on the first element, which reads
    the source of every frame on the call stack (78 ms on the first visitor's script thread). Done here, that
    check's warning is kept out of the log: the server does run the app with `streamlit run`."""
    from streamlit import delta_generator
    from streamlit.logger import get_logger
    from streamlit.string_util import is_emoji

    is_emoji("📊")
    log = get_logger("root")   # the "streamlit" logger the check writes to
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        delta_generator._maybe_print_use_warning()
    finally:
        log.setLevel(level)


def freeze_heap() -> int:
    """Move everything alive after the warm-up (modules, the catalogue, the caches: some 260,000 objects) out of
    the garbage collector's reach; how many. Streamlit runs a full collection after every script run
    (runner.postScriptGC), holding the interpreter lock: 110-140 ms per page on the warm server, during which the
    page's last messages wait. After the freeze it scans only what the sessions made since (gc.freeze, the
    documented way for a process that keeps its start-up objects for life). What dies later is still freed by
    reference counting; only cycles among the frozen objects stay, and the warm-up's garbage is collected first."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


QUIET = ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils.script_run_context")


def warm() -> dict[str, float]:
    """import_pages, then fill_caches; seconds per step (with 'imports'). Streamlit's notes that a cache is used
    outside a script run (expected here) are kept out of the log."""
    loggers = [logging.getLogger(name) for name in QUIET]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.ERROR)
    try:
        start = time.perf_counter()
        import_pages()
        imports = time.perf_counter() - start
        start = time.perf_counter()
        streamlit_first_uses()
        return {"imports": imports, "streamlit": time.perf_counter() - start, **fill_caches()}
    finally:
        for log, level in zip(loggers, levels):
            log.setLevel(level)
