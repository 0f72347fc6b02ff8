"""Acceptance: monitor two years of quarterly lists, each scored on the data known then.

One synthetic authority, one model fitted once on dates before the first run, eight
quarterly runs into ONE output folder, each scored on ``data.known_at(as_of)`` (the
tables as that run saw them), then :func:`riskmodel.monitoring.realised_performance`
with the full data. The checks recompute from the files and the care episodes alone.

What was chosen, and why (the numbers printed while tuning are in the assertions'
messages):

- 16,000 children (about 4,900 in each run's cohort, about 570 of them Asian): fewer
  and the group's realised false-positive rate moves by chance as much as by the bias.
- The reporting bias: Asian children's needs recorded ``FACTOR`` times as often from
  ``BIAS_START`` (the model was fitted on data before it, so it learned unbiased
  weights). Asian children are selected about as often as White children without the
  bias (ratio near 1), so a flag before the switch would be a false alarm, and the
  group is large enough for a stable rate. The bias needs history to show (features
  count the last 90 to 730 days), so "after" means runs at least nine months later.
- Capacity ``CAPACITY`` (about a fifth of the cohort): most children have no recorded
  history and tie at the bottom; the extra recorded contacts and referrals lift the
  group's children above the cut-off only when the list reaches into that mass.
- ``END`` mid-month, so that whole months observed are unambiguous (9 for the last
  run), and the last run is partial.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.data.synthetic import ReportingBias
from riskmodel.monitoring import read_score_history, realised_performance

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("monitoring_acceptance"),
    pytest.mark.filterwarnings("ignore::riskmodel.DataQualityWarning"),
]

N_CHILDREN, SEED = 16_000, 0
GROUP, FACTOR, BIAS_START = "Asian", 6.0, pd.Timestamp("2021-10-01")
CAPACITY, HORIZON = 1_000, 12
END = pd.Timestamp("2023-10-15")
RUNS = pd.date_range("2021-04-01", periods=8, freq="QS-JAN")  # 2021-04-01 ... 2023-01-01
TRAIN_DATES = pd.date_range("2017-04-01", "2020-01-01", freq="QS-JAN")  # labels known by RUNS[0]
SHORT_BREAKS = {"V3", "V4"}


@pytest.fixture(scope="module")
def monitored(tmp_path_factory):
    """The authority, the output folder of the eight runs, and the monitor's result."""
    data = rm.make_local_authority(
        n_children=N_CHILDREN,
        start="2016-04-01",
        end=END,
        reporting_bias=ReportingBias(GROUP, FACTOR, start=BIAS_START),
        random_state=SEED,
    )
    frame = rm.build_training_frame(data.known_at(RUNS[0]), TRAIN_DATES, horizon_months=HORIZON)
    model = rm.RiskClassifier("hgb", calibration="sigmoid", random_state=0)
    model.fit(frame.X, frame.y, feature_spec=frame.spec)
    out = tmp_path_factory.mktemp("lists")
    for as_of in RUNS:
        rm.score(
            data.known_at(as_of),
            model,
            as_of,
            capacity=CAPACITY,
            out=out,
            reasons=1,
            model_name="acceptance",
            model_version="1",
        )
    history = read_score_history(out)
    result = realised_performance(
        data, history, horizon_months=HORIZON, n_resamples=200, random_state=0
    )
    return data, out, result


# --- an independent recomputation: the files and the care episodes, nothing else -----


def _runs_from_files(out: Path) -> dict[pd.Timestamp, pd.DataFrame]:
    """Each run's scores, read from the history partitions with pandas alone."""
    runs = {}
    for folder in sorted((out / "history").glob("as_of_date=*")):
        as_of = pd.Timestamp(folder.name.removeprefix("as_of_date="))
        runs[as_of] = pd.concat(pd.read_parquet(f) for f in sorted(folder.glob("*.parquet")))
    return runs


def _care_entries(episodes: pd.DataFrame) -> pd.DataFrame:
    """Care entries by the data model: starts of periods of care, not only short breaks.

    Episodes chain into one period where the earlier one ceased ``X1`` or the next
    starts on the day it ended; the entry is dated at the period's first episode that
    is not a short break (V3/V4).
    """
    rows = []
    for person, eps in episodes.sort_values(["person_id", "start_date"]).groupby("person_id"):
        period: list[tuple] = []
        previous = None
        for ep in eps.itertuples():
            joined = previous is not None and (
                previous.reason_episode_ceased == "X1" or ep.start_date == previous.end_date
            )
            if not joined and period:
                rows += _entry_of(person, period)
                period = []
            period.append((ep.start_date, ep.legal_status))
            previous = ep
        rows += _entry_of(person, period)
    return pd.DataFrame(rows, columns=["person_id", "entry_date"])


def _entry_of(person: str, period: list[tuple]) -> list[tuple]:
    in_care = [start for start, legal in period if legal not in SHORT_BREAKS]
    return [(person, in_care[0])] if in_care else []


def _months_observed(as_of: pd.Timestamp) -> int:
    return max(k for k in range(HORIZON + 1) if as_of + pd.DateOffset(months=k) <= END)


def _expected(out: Path, episodes: pd.DataFrame) -> pd.DataFrame:
    entries = _care_entries(episodes)
    rows = []
    for as_of, scores in _runs_from_files(out).items():
        until = min(as_of + pd.DateOffset(months=HORIZON), END)
        window = entries[(entries["entry_date"] > as_of) & (entries["entry_date"] <= until)]
        entered = scores["person_id"].isin(window["person_id"]).to_numpy()
        flagged = scores["flagged"].to_numpy(dtype=bool)
        rows.append(
            {
                "as_of_date": as_of,
                "precision_at_capacity": entered[flagged].sum() / flagged.sum(),
                "recall_at_capacity": entered[flagged].sum() / entered.sum(),
                "observed_expected_ratio": entered.sum() / scores["risk_score"].sum(),
                "months_observed": _months_observed(as_of),
                "complete": _months_observed(as_of) == HORIZON,
                "scored": len(scores),
                "entrants": int(entered.sum()),
            }
        )
    return pd.DataFrame(rows).set_index("as_of_date")


def test_realised_figures_equal_an_independent_recomputation(monitored):
    data, out, result = monitored
    expected = _expected(out, data.care_episodes)
    assert list(expected.index) == list(RUNS)
    overall = result.overall().set_index(["as_of_date", "metric"])
    complete = expected[expected["complete"]]
    assert len(complete) == 7  # 2021-04-01 ... 2022-10-01
    for as_of, row in complete.iterrows():
        for metric in ("precision_at_capacity", "recall_at_capacity", "observed_expected_ratio"):
            got = overall.loc[(as_of, metric), "value"]
            assert np.isclose(got, row[metric], rtol=1e-12, atol=0), (as_of, metric, got, row)
            assert bool(overall.loc[(as_of, metric), "complete"])
            assert overall.loc[(as_of, metric), "entrants"] == row["entrants"]
            assert overall.loc[(as_of, metric), "n"] == row["scored"]
    runs = result.runs.set_index("as_of_date")
    for as_of, row in expected.iterrows():
        assert bool(runs.loc[as_of, "complete"]) == row["complete"], as_of
        assert runs.loc[as_of, "months_observed"] == row["months_observed"], as_of
        assert runs.loc[as_of, "scored"] == row["scored"], as_of
        assert runs.loc[as_of, "flagged"] == CAPACITY, as_of
    # the partial run: 2023-01-01, nine whole months seen by 2023-10-15, never "complete"
    partial = overall[overall.index.get_level_values("as_of_date") == RUNS[-1]]
    assert len(partial) and not partial["complete"].astype(bool).any()
    assert (partial["months_observed"] == 9).all()


def test_the_monitor_flags_the_groups_false_positive_rate_only_after_the_bias(monitored):
    _, _, result = monitored
    table = result.realised
    fpr = table[
        (table["attribute"] == "ethnic_group")
        & (table["group"] == GROUP)
        & (table["metric"] == "fpr")
    ].set_index("as_of_date")
    seen = {d.date().isoformat(): round(float(r), 2) for d, r in fpr["ratio"].items()}
    before = [d for d in RUNS if d <= BIAS_START]  # the cut is the day before: no bias known
    after = [d for d in RUNS if d >= BIAS_START + pd.DateOffset(months=9)]
    assert len(before) == 3 and len(after) == 3
    for as_of in before:
        assert not bool(fpr.loc[as_of, "disparity"]), (as_of, seen)
        assert 0.8 < fpr.loc[as_of, "ratio"] < 1.25, (as_of, seen)
    for as_of in after:
        assert bool(fpr.loc[as_of, "disparity"]), (as_of, seen)
        assert fpr.loc[as_of, "ratio"] > 1.5, (as_of, seen)
        assert fpr.loc[as_of, "ratio_lower"] > 1.0, (as_of, seen)
