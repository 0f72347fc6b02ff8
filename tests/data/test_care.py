import pandas as pd
import pytest

from riskmodel.data._care import care_entries, looked_after_on, periods_of_care


def _episodes(rows):
    frame = pd.DataFrame(
        rows,
        columns=["person_id", "start_date", "end_date", "legal_status", "reason_episode_ceased"],
    )
    for col in ("start_date", "end_date"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def test_x1_chains_and_same_day_restarts_join_periods():
    eps = _episodes(
        [
            ("a", "2020-01-01", "2020-02-01", "C2", "X1"),  # continues by X1
            ("a", "2020-02-01", "2020-05-01", "C2", "E13"),
            ("a", "2020-05-01", "2020-06-01", "C2", "E13"),  # same-day restart joins too
            ("a", "2021-01-01", None, "V2", None),  # re-entry: a new period
        ]
    )
    periods = periods_of_care(eps)
    assert periods["n_episodes"].tolist() == [3, 1]
    assert periods["period_number"].tolist() == [1, 2]
    assert periods["end_date"].iloc[0] == pd.Timestamp("2020-06-01")
    assert pd.isna(periods["end_date"].iloc[1])
    entries = care_entries(eps)
    assert entries["entry_date"].tolist() == [
        pd.Timestamp("2020-01-01"),
        pd.Timestamp("2021-01-01"),
    ]
    assert entries["entry_number"].tolist() == [1, 2]
    assert entries["legal_status"].tolist() == ["C2", "V2"]


def test_short_break_only_periods_are_not_care_entries():
    eps = _episodes(
        [
            ("d", "2020-01-01", "2020-01-03", "V3", "E15"),
            ("d", "2020-02-01", "2020-02-02", "V4", "E15"),
            ("d", "2020-03-01", "2020-04-01", "V3", "X1"),  # short break then a care order:
            ("d", "2020-04-01", None, "C2", None),  # the period is a care entry
        ]
    )
    periods = periods_of_care(eps)
    assert periods["short_breaks_only"].tolist() == [True, True, False]
    entries = care_entries(eps)
    # dated at the care order, not at the short break that led into it: a later
    # episode must never move an entry earlier (that would leak into older labels)
    assert entries["entry_date"].tolist() == [pd.Timestamp("2020-04-01")]
    assert entries["legal_status"].tolist() == ["C2"]
    assert looked_after_on(eps, "2020-03-15").empty
    assert looked_after_on(eps, "2020-04-01").tolist() == ["d"]


def test_later_episodes_never_move_an_earlier_entry():
    short_only = _episodes([("d", "2020-06-01", "2021-06-01", "V3", "X1")])
    continued = _episodes(
        [("d", "2020-06-01", "2021-06-01", "V3", "X1"), ("d", "2021-06-01", None, "C2", None)]
    )
    assert care_entries(short_only).empty
    assert care_entries(continued)["entry_date"].tolist() == [pd.Timestamp("2021-06-01")]
    for date in ("2020-07-01", "2021-05-31"):
        assert looked_after_on(continued, date).empty


def test_episode_order_in_input_does_not_matter():
    eps = _episodes(
        [
            ("a", "2020-02-01", "2020-05-01", "C2", "E13"),
            ("b", "2019-01-01", None, "C1", None),
            ("a", "2020-01-01", "2020-02-01", "C2", "X1"),
        ]
    )
    shuffled = periods_of_care(eps)
    ordered = periods_of_care(eps.sort_values(["person_id", "start_date"]))
    pd.testing.assert_frame_equal(shuffled, ordered)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2019-12-31", []),
        ("2020-01-01", ["a"]),  # the start day counts
        ("2020-02-01", ["a"]),  # changing episode the same day
        ("2020-05-01", []),  # the day the period ended: no longer looked after
        ("2030-01-01", ["b"]),  # open episode
    ],
)
def test_looked_after_on(date, expected):
    eps = _episodes(
        [
            ("a", "2020-01-01", "2020-02-01", "C2", "X1"),
            ("a", "2020-02-01", "2020-05-01", "C2", "E13"),
            ("b", "2021-01-01", None, "C1", None),
            ("s", "2019-12-31", "2030-06-01", "V3", None),
        ]
    )
    assert looked_after_on(eps, date).tolist() == expected
    with_breaks = looked_after_on(eps, date, include_short_breaks=True).tolist()
    assert ("s" in with_breaks) == (pd.Timestamp(date) < pd.Timestamp("2030-06-01"))


def test_empty_episodes():
    empty = _episodes([])
    assert periods_of_care(empty).empty
    assert care_entries(empty).empty
    assert looked_after_on(empty, "2020-01-01").empty
