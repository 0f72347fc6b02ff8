"""FeatureSpec: names, families, and generic counts of unknown event types."""

import dataclasses

import pytest
from feature_data import CP, CP_END, S47

from riskmodel.features import (
    Count,
    DaysSince,
    EventFamily,
    Ever,
    FeatureSpec,
    OpenAt,
)


def test_spec_checks_names_families_and_types():
    with pytest.raises(ValueError, match=r"names must be unique; repeated: \['s47_count_365d'\]"):
        FeatureSpec((Count(S47), Count(S47)))
    other = EventFamily("s47", "s47_start", "enquiries")
    with pytest.raises(ValueError, match="two different event families are named 's47'"):
        FeatureSpec((Count(S47), DaysSince(other)))
    with pytest.raises(TypeError, match="must hold Feature objects"):
        FeatureSpec((Count(S47), "s47_ever"))
    with pytest.raises(TypeError, match="Count.family must be an EventFamily"):
        Count("s47")
    spec = FeatureSpec([Count(S47, 90), Ever(S47), OpenAt(CP, CP_END)])
    assert spec.names == ("s47_count_90d", "s47_ever", "cp_plan_open")
    assert spec.families == (S47, CP, CP_END)
    assert spec.event_types == {"s47_start", "cp_plan_start", "cp_plan_end"}
    assert spec["s47_ever"] == Ever(S47)
    assert len(spec) == 3 and list(spec) == list(spec.features)
    with pytest.raises(KeyError, match="no feature named 'nope'"):
        spec["nope"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.features = ()


def test_resolve_adds_sorted_counts_of_unknown_types_once():
    spec = FeatureSpec((Count(S47),))
    types = ["referral", "s47_start", "zeta", "Foo Bar", "foo_bar", "mystery", None]
    resolved = spec.resolve(types)
    assert resolved.names == (
        "s47_count_365d",
        "other_foo_bar_count_365d",
        "other_foo_bar_2_count_365d",
        "other_mystery_count_365d",
        "other_zeta_count_365d",
    )
    assert resolved.count_other_event_types is False
    assert resolved.resolve(["another"]) is resolved
    assert resolved["other_foo_bar_count_365d"].family.event_types == ("Foo Bar",)
    covered = FeatureSpec((Count(EventFamily("zeta", "zeta", "zetas")),)).resolve(types)
    assert "other_zeta_count_365d" not in covered.names  # read by a family of the spec
    fixed = FeatureSpec((Count(S47),), count_other_event_types=False)
    assert fixed.resolve(types) is fixed
