"""The store as every page shares it: one engine per process, the data version, the catalogue frames and the
observations read once per data version and shared by every session, the settings, and figures kept as objects.
Everything is keyed by the data version, so any write invalidates it. Nothing here computes a metric."""
from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import db
from store import catalogue
from views import policy as views_policy


@st.cache_resource
def engine():
    """One engine per process; the first run creates or upgrades the schema and loads the catalogue (the built-in
    sample data only into a database that never held data)."""
    eng = db.make_engine()
    db.open_db(eng)
    return eng


def data_version() -> int:
    return db.data_version(engine())


@st.cache_data(show_spinner=False)
def settings() -> dict:
    return catalogue.load_settings()


@st.cache_resource(show_spinner=False, max_entries=64)
def _figure(version: int, name: str, key: tuple, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def figure(name: str, key: tuple, build: Callable[[], go.Figure]) -> go.Figure:
    """A chart built once per data version and key (everything the chart depends on besides the data, e.g.
    policy, region, year, target) and kept as the figure object: a plotly figure costs more to build and to copy
    than to send. Figures are never changed after they are built, so sessions may share them."""
    return _figure(data_version(), name, tuple(key), build)


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared_catalogue(version: int) -> views_policy.Frames:
    return views_policy.load_catalogue_frames(engine())


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared_observations(version: int, regions: tuple[str, ...]) -> pd.DataFrame:
    return db.read_observations(engine(), regions=list(regions))


class SharedFrames(MutableMapping):
    """Frames shared by every session, handed out as shallow copies when first looked up: pandas' copy-on-write
    gives a caller that changes one its own copy, so the shared frames never change (and, unlike st.cache_data, no
    run pays for unpickling them); a caller pays only for the frames it reads. Keys set or deleted change this
    mapping only."""

    def __init__(self, shared: dict[str, pd.DataFrame]) -> None:
        self._shared, self._mine = shared, {}
        self._gone: set[str] = set()

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name in self._gone:
            raise KeyError(name)
        if name not in self._mine:
            self._mine[name] = self._shared[name].copy(deep=False)
        return self._mine[name]

    def __setitem__(self, name: str, value) -> None:
        self._gone.discard(name)
        self._mine[name] = value

    def __delitem__(self, name: str) -> None:
        self[name]   # KeyError when absent
        self._mine.pop(name, None)
        self._gone.add(name)

    def __iter__(self) -> Iterator[str]:
        yield from (n for n in dict.fromkeys([*self._shared, *self._mine]) if n not in self._gone)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def catalogue_at(version: int) -> SharedFrames:
    """The catalogue frames read once per data version and shared by every session (SharedFrames)."""
    return SharedFrames(_shared_catalogue(version))


def regions_frames_at(version: int, regions: tuple[str, ...]) -> SharedFrames:
    """The catalogue frames and the observations of these regions."""
    return SharedFrames({**_shared_catalogue(version), "observations": _shared_observations(version, regions)})


def observations_at(version: int, regions: tuple[str, ...]) -> pd.DataFrame:
    """The observations of these regions, shared like catalogue_at."""
    return _shared_observations(version, regions).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def _regions_for(version: int, policy: str, region: str) -> tuple[str, ...]:
    return tuple(views_policy.regions_for(_shared_catalogue(version), policy, region))


def frames_at(version: int, policy: str, region: str) -> SharedFrames:
    """The catalogue frames and the observations of the region and the policy's benchmark regions (what a page
    about one region shows; other regions are never read)."""
    regions = _regions_for(version, policy, region)
    return SharedFrames({**_shared_catalogue(version), "observations": _shared_observations(version, regions)})


def catalogue_frames() -> SharedFrames:
    """Policies, indicators, targets, tasks, units, progress and regions, cached per data version."""
    return catalogue_at(data_version())


def frames(policy: str, region: str) -> SharedFrames:
    """catalogue_frames() plus the observations of the region and its benchmark regions, cached per data version."""
    return frames_at(data_version(), policy, region)


def clear_shared() -> None:
    """Forget the shared frames and figures (not the engine)."""
    _shared_catalogue.clear()
    _shared_observations.clear()
    _regions_for.clear()
    _figure.clear()
