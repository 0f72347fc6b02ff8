"""``missed_entrants`` on hand-made authorities, against a plain loop over entries and runs."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.data import LocalAuthorityData, care_entries
from riskmodel.monitoring import missed_entrants

RUNS = pd.to_datetime(["2022-01-01", "2022-04-01", "2022-07-01", "2022-10-01"])
PEOPLE = list("abcdefgh")


def _data(entries: dict[str, str]) -> LocalAuthorityData:
    persons = pd.DataFrame(
        {
            "person_id": PEOPLE,
            "sex": ["F"] * len(PEOPLE),
            "date_of_birth": pd.to_datetime(["2008-05-01"] * len(PEOPLE)),
        }
    )
    episodes = pd.DataFrame(
        {
            "person_id": list(entries),
            "legal_status": ["C2"] * len(entries),
            "start_date": pd.to_datetime(list(entries.values())),
        }
    )
    events = pd.DataFrame(columns=["person_id", "event_date", "event_type"])
    return LocalAuthorityData(persons, events, episodes, extract_date="2024-03-31")


def _history(cells) -> pd.DataFrame:
    """Cells of (person, run number, band, flagged); rank from the band."""
    return pd.DataFrame(
        [(p, RUNS[d], b, 21 - b, f) for p, d, b, f in cells],
        columns=["person_id", "as_of_date", "risk_band", "rank", "flagged"],
    )


def test_a_child_scored_and_never_flagged_before_entry_is_missed():
    data = _data({"a": "2022-08-15", "b": "2022-08-15", "c": "2022-08-15"})
    history = _history(
        [
            ("a", 0, 12, False),
            ("a", 1, 15, False),
            ("a", 2, 17, False),
            ("a", 3, 20, True),  # flagged after the entry: does not count
            ("b", 1, 19, True),  # flagged in a run whose horizon holds the entry: found
            ("b", 2, 14, False),
            ("d", 0, 5, False),  # c is never scored
        ]
    )
    misses = missed_entrants(data, history, horizon_months=12)
    assert misses["person_id"].tolist() == ["a"]
    row = misses.iloc[0]
    assert row["entry_date"] == pd.Timestamp("2022-08-15")
    assert row["runs_scored"] == 3 and row["last_as_of"] == RUNS[2]
    assert (row["last_band"], row["last_rank"], row["best_band"]) == (17, 4, 17)
    assert row["bands"] == "12 → 15 → 17" and row["status"] == "missed"
    everyone = missed_entrants(data, history, horizon_months=12, include_unscored=True)
    assert everyone.set_index("person_id")["status"].to_dict() == {
        "a": "missed",
        "c": "not scored",
    }
    assert everyone.set_index("person_id").loc["c", "runs_scored"] == 0


def test_entry_on_the_as_of_date_does_not_count_and_on_the_horizons_last_day_does():
    # "a" enters on run 1's as-of date: only run 0's horizon holds it
    # "b" enters on the last day of run 0's 3-month horizon; "c" the day after
    data = _data({"a": "2022-04-01", "b": "2022-04-01", "c": "2022-07-02"})
    history = _history(
        [
            ("a", 0, 10, False),
            ("a", 1, 20, True),
            ("b", 0, 20, True),
            ("c", 0, 11, False),
            ("c", 1, 19, True),
            ("c", 2, 18, False),
        ]
    )
    misses = missed_entrants(data, history, horizon_months=3).set_index("person_id")
    assert set(misses.index) == {"a", "c"}
    assert misses.loc["a", "runs_scored"] == 1 and misses.loc["a", "bands"] == "10"
    # c's entry 2022-07-02 is outside run 0's horizon (ends 2022-04-01) and run 1's
    # (ends 2022-07-01): only run 2 counts, where c was not flagged
    assert misses.loc["c", "runs_scored"] == 1 and misses.loc["c", "last_as_of"] == RUNS[2]
    b_flagged_elsewhere = _history([("b", 0, 10, False), ("b", 1, 20, True)])
    one = missed_entrants(_data({"b": "2022-04-01"}), b_flagged_elsewhere, horizon_months=3)
    assert one["person_id"].tolist() == ["b"]  # run 1 is on the entry date: not counted


def test_entries_outside_every_runs_horizon_are_left_out():
    data = _data({"a": "2021-06-01", "b": "2024-01-01"})
    history = _history([("a", 0, 10, False), ("b", 3, 10, False)])
    assert missed_entrants(data, history, horizon_months=12, include_unscored=True).empty


def _reference(data, history, months):
    entries = care_entries(data.care_episodes)
    runs = sorted(history["as_of_date"].unique())
    out = {}
    for entry in entries.itertuples():
        window = [r for r in runs if r < entry.entry_date <= r + pd.DateOffset(months=months)]
        if not window:
            continue
        rows = history[
            (history["person_id"] == entry.person_id) & history["as_of_date"].isin(window)
        ].sort_values("as_of_date")
        if rows.empty:
            out[(entry.person_id, entry.entry_date)] = ("not scored", 0, "")
        elif not rows["flagged"].any():
            bands = " → ".join(str(b) for b in rows["risk_band"])
            out[(entry.person_id, entry.entry_date)] = ("missed", len(rows), bands)
    return out


@settings(max_examples=25, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.sampled_from(PEOPLE), st.integers(0, 3), st.integers(1, 20), st.booleans()),
        max_size=25,
        unique_by=lambda c: c[:2],
    ),
    entry_days=st.lists(st.integers(-100, 800), min_size=len(PEOPLE), max_size=len(PEOPLE)),
    months=st.sampled_from([3, 6, 12]),
)
def test_misses_match_a_loop_over_entries_and_runs(cells, entry_days, months):
    entries = {
        p: str((RUNS[0] + pd.Timedelta(days=d)).date())
        for p, d in zip(PEOPLE, entry_days, strict=True)
        if d % 7  # some children never enter care
    }
    data = _data(entries)
    history = _history(cells)
    got = missed_entrants(data, history, horizon_months=months, include_unscored=True)
    as_dict = {
        (r.person_id, r.entry_date): (r.status, r.runs_scored, r.bands) for r in got.itertuples()
    }
    assert as_dict == _reference(data, history, months)


def test_bad_horizon_and_history_are_refused():
    data = _data({"a": "2022-08-15"})
    with pytest.raises(ValueError, match="horizon_months"):
        missed_entrants(data, _history([("a", 0, 1, False)]), horizon_months=0)
    with pytest.raises(ValueError, match="missing column.*rank"):
        missed_entrants(data, _history([]).drop(columns="rank"))
