"""What many test modules share: an engine on a database file, the CLI called in-process, a page opened under
AppTest (and switched in place), and readers for what AppTest shows."""
from __future__ import annotations

import base64
import contextlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

import db

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@contextlib.contextmanager
def engine_at(path: Path | str) -> Iterator[Engine]:
    """An engine on a SQLite file, disposed afterwards."""
    eng = db.make_engine(f"sqlite:///{path}")
    try:
        yield eng
    finally:
        eng.dispose()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, db_path: Path | str) -> CliResult:
    """cli.main in this process, on the database file, with stdout and stderr captured (argparse's exits too)."""
    import cli
    out, err = io.StringIO(), io.StringIO()
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old
    return CliResult(int(code), out.getvalue(), err.getvalue())


def open_page(page: str, year: int | None = None, region: str | None = None) -> AppTest:
    """A new AppTest session of the app on a page, with the sidebar's year and region set."""
    return set_filters(start_on(None if page == "overview" else f"pages/{page}.py").run(), year, region)


def start_on(page: str | None, timeout: int = 120) -> AppTest:
    """A new AppTest session of the app whose first run is the page (e.g. "pages/entry.py"; None: 总览), not yet
    run: starting on the page spares every test a run of 总览 first (app.py's navigation picks the page as a
    browser's URL would)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    return at.switch_page(page) if page else at


def set_filters(at: AppTest, year: int | None = None, region: str | None = None) -> AppTest:
    """Change the sidebar's as-of year and region of an open session in place, and rerun it."""
    if year is not None:
        at.sidebar.selectbox(key="as_of_year").set_value(year)
    if region is not None:
        at.sidebar.selectbox(key="region").set_value(region)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


class PageSessions:
    """One AppTest session per page for a whole test module, switched in place between tests (a fresh session
    per test costs a full app start)."""

    def __init__(self) -> None:
        self.sessions: dict[str, AppTest] = {}

    def __call__(self, page: str, year: int, region: str) -> AppTest:
        if page not in self.sessions:
            self.sessions[page] = open_page(page, year, region)
            return self.sessions[page]
        return set_filters(self.sessions[page], year, region)


def plotly_array(value) -> list:
    """A plotly JSON array, decoded when plotly wrote it as typed binary data."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def html_frames(at: AppTest) -> list[pd.DataFrame]:
    """The tables drawn as HTML (ui.html_tables, st.html) as frames keyed by their column names (the headers'
    data-col), each cell the text shown."""
    from lxml import html as lxml_html
    frames = []
    for element in at.get("html"):
        if "<table" not in element.value:
            continue
        for table in lxml_html.fromstring(f"<div>{element.value}</div>").iter("table"):
            columns = [th.get("data-col") for th in table.iter("th")]
            rows = [[td.text_content() for td in tr.iter("td")] for tr in table.find("tbody").iter("tr")]
            frames.append(pd.DataFrame(rows, columns=columns))
    return frames


def shown_frames(at: AppTest) -> list[pd.DataFrame]:
    """Every table the page shows, in page order within each kind: st.dataframe values, then HTML tables."""
    return [df.value for df in at.dataframe] + html_frames(at)


def frame_by_columns(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page (st.dataframe, then HTML) that has all these columns."""
    for value in shown_frames(at):
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with columns {columns}")


def frame_or_empty(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first dataframe with these columns, or an empty one when the page shows none (a page leaves out an
    empty table), so that a test compares with the expected rows either way instead of skipping."""
    try:
        return frame_by_columns(at, *columns)
    except AssertionError:
        return pd.DataFrame(columns=list(columns) + ["code"])


@contextlib.contextmanager
def app_pointed_at(path: Path):
    """The app (AppTest runs it in this process) reads the SQLite file at path, with empty caches before and
    after, so that no engine or frame of another test's database is reused."""
    import streamlit as st
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", f"sqlite:///{path}")
        st.cache_resource.clear()
        st.cache_data.clear()
        try:
            yield path
        finally:
            st.cache_resource.clear()
            st.cache_data.clear()
