"""Paths through the lists against plain loops over runs, and hand-made histories."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.exceptions import SchemaError
from riskmodel.monitoring import persistently_high, time_on_list
from riskmodel.scoring._streaks import HIGH_BAND, PERSISTENT_RUNS

DATES = pd.date_range("2024-01-01", periods=7, freq="QS")


def _history(cells) -> pd.DataFrame:
    """Cells of (person, run number, band, flagged) as a score history."""
    return pd.DataFrame(
        [(p, DATES[d], b, f, 0) for p, d, b, f in cells],
        columns=["person_id", "as_of_date", "risk_band", "flagged", "rank"],
    )


def _stretches_by_loop(history: pd.DataFrame, test) -> dict[str, list[list[tuple]]]:
    """For each child, its stretches of consecutive runs in which ``test(row)`` holds."""
    runs = sorted(history["as_of_date"].unique())
    rows = {(r.person_id, r.as_of_date): r for r in history.itertuples()}
    out: dict[str, list[list[tuple]]] = {}
    for person in sorted(set(history["person_id"])):
        current: list[tuple] = []
        for run in runs:
            row = rows.get((person, run))
            if row is not None and test(row):
                current.append((run, row.risk_band))
            elif current:
                out.setdefault(person, []).append(current)
                current = []
        if current:
            out.setdefault(person, []).append(current)
    return out


cells_strategy = st.lists(
    st.tuples(st.sampled_from("abcdef"), st.integers(0, 6), st.integers(15, 20), st.booleans()),
    max_size=40,
    unique_by=lambda c: c[:2],
)


@settings(max_examples=40, deadline=None)
@given(cells=cells_strategy, seed=st.integers(0, 2**16))
def test_persistently_high_matches_a_loop(cells, seed):
    history = _history(cells).sample(frac=1, random_state=seed)
    got = persistently_high(history).set_index("person_id")
    stretches = _stretches_by_loop(history, lambda r: r.risk_band >= HIGH_BAND)
    latest_run = history["as_of_date"].max() if len(history) else None
    expected = {}
    for person, found in stretches.items():
        long = [s for s in found if len(s) >= PERSISTENT_RUNS]
        if long:
            last = long[-1]
            expected[person] = (
                last[0][0],
                last[-1][0],
                len(last),
                max(len(s) for s in long),
                len(long),
                last[-1][0] == latest_run,
                " → ".join(str(b) for _, b in last),
            )
    assert set(got.index) == set(expected)
    for person, row in got.iterrows():
        assert (
            row["streak_start"],
            row["streak_end"],
            row["streak_runs"],
            row["longest_runs"],
            row["persistent_streaks"],
            row["still_high"],
            row["bands"],
        ) == expected[person]


@settings(max_examples=40, deadline=None)
@given(cells=cells_strategy, seed=st.integers(0, 2**16))
def test_time_on_list_matches_a_loop(cells, seed):
    history = _history(cells).sample(frac=1, random_state=seed)
    got = time_on_list(history).set_index("person_id")
    spells = _stretches_by_loop(history, lambda r: r.flagged)
    latest_run = history["as_of_date"].max() if len(history) else None
    assert set(got.index) == set(spells)
    for person, found in spells.items():
        row = got.loc[person]
        assert row["first_flagged"] == found[0][0][0]
        assert row["last_flagged"] == found[-1][-1][0]
        assert row["runs_on_list"] == sum(len(s) for s in found)
        assert row["spells"] == len(found)
        assert row["longest_spell"] == max(len(s) for s in found)
        assert row["still_on_list"] == (found[-1][-1][0] == latest_run)
    summary = time_on_list(history, summarise=True)
    assert summary["children"].sum() == len(spells)
    counts = got["runs_on_list"].value_counts()
    assert dict(zip(summary["runs_on_list"], summary["children"], strict=True)) == counts.to_dict()
    if len(spells):
        assert summary["share"].sum() == pytest.approx(1.0)
    still = got.groupby("runs_on_list")["still_on_list"].sum()
    assert summary.set_index("runs_on_list")["still_on_list"].to_dict() == still.to_dict()


def test_a_gap_in_scoring_breaks_a_streak_and_a_spell():
    # "a" is high and flagged in runs 0, 1, 3, 4, 5 but not scored in run 2; "z" fills run 2
    cells = [("a", d, 20, True) for d in (0, 1, 3, 4, 5)] + [("z", 2, 1, False)]
    high = persistently_high(_history(cells))
    assert high["person_id"].tolist() == ["a"]
    row = high.iloc[0]
    assert (row["streak_start"], row["streak_end"]) == (DATES[3], DATES[5])
    assert (row["streak_runs"], row["persistent_streaks"], row["still_high"]) == (3, 1, True)
    spells = time_on_list(_history(cells)).set_index("person_id").loc["a"]
    assert (spells["runs_on_list"], spells["spells"], spells["longest_spell"]) == (5, 2, 3)


def test_a_band_below_the_top_ends_a_streak_and_the_latest_streak_is_reported():
    bands = [20, 20, 20, 20, 18, 19, 20]
    cells = [("a", d, b, False) for d, b in enumerate(bands)] + [("b", 6, 1, False)]
    row = persistently_high(_history(cells)).iloc[0]
    # the latest streak (runs 5-6) is too short; the one reported is runs 0-3
    assert (row["streak_start"], row["streak_end"], row["streak_runs"]) == (
        DATES[0],
        DATES[3],
        4,
    )
    assert not row["still_high"]
    assert row["bands"] == "20 → 20 → 20 → 20"


def test_re_entering_the_list_counts_a_second_spell_and_still_on_list():
    flags = [True, True, False, False, True, True, True]
    cells = [("a", d, 10, f) for d, f in enumerate(flags)] + [("b", 0, 5, True)]
    table = time_on_list(_history(cells)).set_index("person_id")
    assert table.loc["a", "spells"] == 2 and table.loc["a", "runs_on_list"] == 5
    assert table.loc["a", "still_on_list"] and not table.loc["b", "still_on_list"]
    assert table.index.tolist() == ["a", "b"]  # most runs first


def test_empty_and_never_flagged_histories_give_empty_tables_with_columns():
    empty = _history([])
    assert persistently_high(empty).empty
    assert list(persistently_high(empty).columns)[0] == "person_id"
    quiet = _history([("a", 0, 3, False), ("a", 1, 4, False)])
    assert time_on_list(quiet).empty
    assert time_on_list(quiet, summarise=True).empty


def test_bad_history_is_refused_naming_the_column_and_rows():
    with pytest.raises(SchemaError, match="missing column.*risk_band"):
        persistently_high(pd.DataFrame({"person_id": ["a"], "as_of_date": [DATES[0]]}))
    twice = _history([("a", 0, 20, True), ("a", 0, 19, True)])
    with pytest.raises(SchemaError, match=r"2 rows repeat a child.*rows 0, 1.*'a'"):
        time_on_list(twice)
