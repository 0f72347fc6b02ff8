"""ReportingBias(start=...): a reporting bias that is switched on part-way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskmodel.data import ETHNIC_GROUPS
from riskmodel.data.synthetic import ReportingBias, make_local_authority

pytestmark = pytest.mark.xdist_group("bias_start")

SEED, N = 21, 12_000
START = pd.Timestamp("2019-04-01")


@pytest.fixture(scope="module")
def runs():
    """The same authority (seed) without bias, with it throughout, and from START."""
    make = lambda bias: make_local_authority(n_children=N, random_state=SEED, reporting_bias=bias)  # noqa: E731
    return {
        "none": make(None),
        "always": make(ReportingBias("Black", 2.0)),
        "from_start": make(ReportingBias("Black", 2.0, start=START)),
    }


def test_before_start_the_events_are_those_of_the_unbiased_run(runs):
    def before(data):
        events = data.events
        return events[events["event_date"] < START].reset_index(drop=True)

    pd.testing.assert_frame_equal(
        before(runs["from_start"]), before(runs["none"]), check_exact=True
    )
    # and the switch is real: from START on, the events differ
    assert len(runs["from_start"].events) > len(runs["none"].events)


def test_care_episodes_and_truth_do_not_depend_on_the_bias_or_its_start(runs):
    ids = runs["none"].persons["person_id"].to_numpy()[::11]
    for name in ("always", "from_start"):
        pd.testing.assert_frame_equal(runs[name].care_episodes, runs["none"].care_episodes)
        pd.testing.assert_frame_equal(runs[name].persons, runs["none"].persons)
        for date in ("2017-01-01", "2021-06-01"):
            np.testing.assert_array_equal(
                runs[name].truth.probability(ids, date), runs["none"].truth.probability(ids, date)
            )


def _counts(data, kind: str, after: bool) -> tuple[int, int]:
    """(group's, others') events of ``kind`` from START on (or before it)."""
    black = data.persons["ethnicity"].map(ETHNIC_GROUPS).eq("Black")
    group = set(data.persons.loc[black, "person_id"])
    ev = data.events
    ev = ev[(ev["event_type"] == kind) & ((ev["event_date"] >= START) == after)]
    in_group = ev["person_id"].isin(group)
    return int(in_group.sum()), int((~in_group).sum())


@pytest.mark.parametrize("kind", ["contact", "referral"])
def test_after_start_the_groups_rates_rise_by_about_the_factor(runs, kind):
    biased_g, biased_o = _counts(runs["from_start"], kind, after=True)
    fair_g, fair_o = _counts(runs["none"], kind, after=True)
    # factor 2: contacts are drawn at twice the rate; over-recorded referrals end with no
    # further action, so they rarely block a later needed one (as with the bias throughout)
    assert 1.6 < biased_g / fair_g < 2.3, (biased_g, fair_g)
    assert 0.93 < biased_o / fair_o < 1.07, (biased_o, fair_o)
    # from START on, the switched-on bias records as much as the bias throughout
    always_g, _ = _counts(runs["always"], kind, after=True)
    assert 0.9 < biased_g / always_g < 1.1, (biased_g, always_g)


def test_a_start_before_recording_is_the_bias_throughout_and_after_the_end_none():
    make = lambda bias: make_local_authority(n_children=600, random_state=2, reporting_bias=bias)  # noqa: E731
    always = make(ReportingBias("Asian", 1.7))
    pd.testing.assert_frame_equal(
        make(ReportingBias("Asian", 1.7, start="2000-01-01")).events, always.events
    )
    pd.testing.assert_frame_equal(
        make(ReportingBias("Asian", 1.7, start="2030-01-01")).events, make(None).events
    )


def test_start_in_a_mapping_equals_the_dataclass():
    a = make_local_authority(
        n_children=600,
        random_state=3,
        reporting_bias={"ethnic_group": "Mixed", "factor": 1.5, "start": "2020-07-01"},
    )
    b = make_local_authority(
        n_children=600, random_state=3, reporting_bias=ReportingBias("Mixed", 1.5, "2020-07-01")
    )
    pd.testing.assert_frame_equal(a.events, b.events)


@pytest.mark.parametrize("start", ["2020-07-15", "not a date", "2020-07-01 12:00"])
def test_start_must_be_the_first_day_of_a_month(start):
    with pytest.raises(ValueError, match="start must be the first day of a month"):
        ReportingBias("Black", 2.0, start=start)
