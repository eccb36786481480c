"""Colour bands of the scorecard (metrics.bands): hand-computed cases and rules that hold for all scores."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.bands import BAND_KEYS, band_history, score_bands, with_bands
from tests.metrics_helpers import SETTINGS

ORDER = {k: i for i, k in enumerate(BAND_KEYS)}


def card(scores, ranked=None) -> pd.DataFrame:
    n = len(scores)
    return pd.DataFrame({"unit": [f"U{i:02d}" for i in range(n)], "score": [float(s) for s in scores],
                         "ranked": ranked if ranked is not None else [True] * n})


def with_rule(rule: str, cuts=(85, 70, 60)) -> dict:
    return {**SETTINGS, "scorecard": {**SETTINGS["scorecard"], "bands": rule, "band_thresholds": list(cuts)}}


def test_quartiles_of_eight_units():
    """8 ranked units, ranks 1..8: ⌊(rank − 1) × 4 ÷ 8⌋ = 0,0,1,1,2,2,3,3."""
    bands = score_bands(card([90, 80, 70, 60, 50, 40, 30, 20]), with_rule("quartile"))
    assert list(bands) == ["green", "green", "yellow", "yellow", "orange", "orange", "red", "red"]


def test_ties_share_the_better_band_and_unranked_units_get_none():
    """Scores 90, 90, 50, 40, 10 (+ one unranked): ranks 1, 1, 3, 4, 5 of n = 5 → ⌊0⌋, ⌊0⌋, ⌊1.6⌋, ⌊2.4⌋, ⌊3.2⌋."""
    bands = score_bands(card([90, 90, 50, 40, 10, 99], ranked=[True] * 5 + [False]), with_rule("quartile"))
    assert list(bands) == ["green", "green", "yellow", "orange", "red", ""]


@pytest.mark.parametrize("score, band", [(85, "green"), (84.9, "yellow"), (70, "yellow"), (69.9, "orange"),
                                         (60, "orange"), (59.9, "red"), (0, "red")])
def test_fixed_thresholds_are_inclusive(score, band):
    assert score_bands(card([score]), with_rule("thresholds"))[0] == band


def test_bad_band_settings_say_what_to_write():
    with pytest.raises(ValueError, match="quartile 或 thresholds"):
        score_bands(card([50]), with_rule("median"))
    with pytest.raises(ValueError, match="从高到低"):
        score_bands(card([50]), with_rule("thresholds", (60, 70, 85)))


def test_with_bands_labels_icon_and_word():
    out = with_bands(card([90, 10, 50, 30]), with_rule("quartile"))
    assert list(out["band_label"]) == ["● 绿", "■ 红", "◆ 黄", "▲ 橙"]


def test_band_history_one_column_per_period_best_band_first():
    # Q3: three ranked units (ranks 1, 3, 2 of n = 3 → ⌊0⌋, ⌊2.67⌋, ⌊1.33⌋); U03 not ranked
    cards = {"2020Q2": card([10, 90, 50, 60]), "2020Q3": card([90, 10, 50, 60], ranked=[True, True, True, False])}
    h = band_history(cards, with_rule("quartile"))
    assert list(h.columns) == ["unit", "2020Q2", "2020Q3"]
    assert h.set_index("unit").to_dict("index") == {
        "U00": {"2020Q2": "red", "2020Q3": "green"}, "U01": {"2020Q2": "green", "2020Q3": "orange"},
        "U02": {"2020Q2": "orange", "2020Q3": "yellow"}, "U03": {"2020Q2": "yellow", "2020Q3": ""}}
    assert list(h["unit"]) == ["U00", "U02", "U01", "U03"]  # by the latest band, unbanded last


scores = st.lists(st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=4, max_size=30, unique=True))
def test_quartile_bands_are_all_used_with_four_or_more_ranked_units(values):
    """Every band has a unit when four or more ranked units have distinct scores."""
    bands = score_bands(card([v / 10 for v in values]), with_rule("quartile"))
    assert set(bands) == set(BAND_KEYS)


@settings(max_examples=60, deadline=None)
@given(scores, st.sampled_from(["quartile", "thresholds"]))
def test_bands_are_monotone_in_the_score(values, rule):
    """A higher score never sits in a worse band; equal scores share a band."""
    bands = score_bands(card(values), with_rule(rule))
    frame = pd.DataFrame({"score": values, "o": bands.map(ORDER)}).sort_values("score")
    assert frame["o"].is_monotonic_decreasing
    assert (frame.groupby("score")["o"].nunique() == 1).all()


@settings(max_examples=40, deadline=None)
@given(scores, st.lists(st.booleans(), min_size=30, max_size=30))
def test_only_ranked_units_get_a_band(values, flags):
    ranked = flags[:len(values)]
    bands = score_bands(card(values, ranked=ranked), with_rule("quartile"))
    assert ((bands != "") == pd.Series(ranked)).all()
