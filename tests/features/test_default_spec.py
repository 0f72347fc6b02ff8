"""The default specification and its descriptions."""

import re

import numpy as np
import pytest

from riskmodel.data import EVENT_TYPES
from riskmodel.features import (
    default_spec,
    feature_descriptions,
)


def test_default_spec_reads_every_event_type_with_unique_readable_names():
    spec = default_spec()
    assert set(EVENT_TYPES) <= spec.event_types
    assert len(set(spec.names)) == len(spec.names)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in spec.names)
    assert default_spec() == spec
    assert spec.describe("missing_episode_count_180d", 2) == (
        "2 missing from home episodes in the last 6 months"
    )
    assert feature_descriptions()["missing_episode_count_180d"] == (
        "{value} missing from home episodes in the last 6 months"
    )
    assert feature_descriptions(spec) == spec.descriptions()
    for name in ("age_years", "previous_care_periods", "days_since_left_care",
                 "siblings_looked_after", "previous_cp_plans", "cp_plan_open",
                 "early_help_open", "absence_latest", "referral_count_730d"):  # fmt: skip
        assert name in spec.names


@pytest.mark.parametrize("value", [0, 1, 2, 3.0, np.nan, True, False])
def test_every_default_description_renders(value):
    for feature in default_spec():
        if isinstance(value, float) and np.isnan(value):
            if feature.dtype != "float64":
                continue  # only float features are ever missing
        text = feature.describe(value)
        assert text and "{" not in text and "nan" not in text.lower()
