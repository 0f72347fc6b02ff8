"""FeatureSpec.to_dict / from_dict: a plain description that builds the same spec back."""

import json
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.features import (
    AgeYears,
    Count,
    DaysSince,
    DaysSinceLeftCare,
    EventFamily,
    Ever,
    FeatureSpec,
    LatestValue,
    OpenAt,
    PreviousCarePeriods,
    PreviousCPPlans,
    SiblingsLookedAfter,
    default_spec,
)

PLAIN = (str, int, float, bool, type(None))


def _only_plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _only_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_only_plain(v) for v in value)
    return isinstance(value, PLAIN)


def _custom_spec() -> FeatureSpec:
    police = EventFamily("police_da", "police_domestic_abuse", "police notifications")
    factors = EventFamily(
        "neglect",
        ("assessment_factor", "cp_plan_start"),
        "records of neglect",
        "record of neglect",
        codes={"assessment_factor": ("16A",), "cp_plan_start": ("NEG",)},
    )
    start = EventFamily("eh", "early_help_start", "early help episodes")
    end = EventFamily("eh_end", "early_help_end", "ends of early help", "end of early help")
    school = EventFamily("attendance", "absence_rate", "absence rates", codes=("T1", "T2"))
    return FeatureSpec(
        (
            Count(police, 90),
            Count(police, None),
            DaysSince(factors),
            Ever(factors),
            LatestValue(school, percent=True),
            OpenAt(start, end, "receiving early help"),
            OpenAt(end, start),
            PreviousCPPlans(),
            AgeYears(),
            DaysSinceLeftCare(),
            PreviousCarePeriods(),
            SiblingsLookedAfter(),
        ),
        count_other_event_types=False,
    )


@pytest.mark.parametrize(
    "spec",
    [
        default_spec(),
        default_spec().resolve(["zeta", "Police Note", "contact"]),
        _custom_spec(),
    ],
    ids=["default", "resolved", "custom"],
)
def test_round_trip_through_plain_values_and_json(spec):
    description = spec.to_dict()
    assert _only_plain(description)
    assert FeatureSpec.from_dict(description) == spec
    assert FeatureSpec.from_dict(json.loads(json.dumps(description))) == spec


def test_every_exported_feature_kind_is_described():
    kinds = {f["kind"] for f in _custom_spec().to_dict()["features"]}
    assert kinds == {
        "Count", "DaysSince", "Ever", "LatestValue", "OpenAt", "PreviousCPPlans",
        "AgeYears", "DaysSinceLeftCare", "PreviousCarePeriods", "SiblingsLookedAfter",
    }  # fmt: skip


def test_families_are_described_once_and_named_by_features():
    description = _custom_spec().to_dict()
    names = [f["name"] for f in description["families"]]
    assert len(names) == len(set(names))
    neglect = next(f for f in description["families"] if f["name"] == "neglect")
    assert neglect["codes"] == {"assessment_factor": ["16A"], "cp_plan_start": ["NEG"]}
    assert {"kind": "Count", "family": "police_da", "window_days": None} in description["features"]


_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_types = st.lists(
    st.sampled_from(["referral", "contact", "x y", "assessment_factor"]), min_size=1, max_size=3
)
_codes = st.lists(st.sampled_from(["1A", "3B", "NEG"]), min_size=1, max_size=2)


@st.composite
def _families(draw):
    types = tuple(dict.fromkeys(draw(_types)))
    codes = draw(st.one_of(st.none(), _codes))
    noun = draw(st.sampled_from(["referrals", "records of neglect", "contacts"]))
    return EventFamily(draw(_names), types, noun, codes=None if codes is None else tuple(codes))


@st.composite
def _specs(draw):
    families = draw(st.lists(_families(), min_size=2, max_size=4, unique_by=lambda f: f.name))
    pick = st.sampled_from(families)
    builders = [
        lambda: Count(draw(pick), draw(st.one_of(st.none(), st.integers(1, 3000)))),
        lambda: DaysSince(draw(pick)),
        lambda: Ever(draw(pick)),
        lambda: LatestValue(draw(pick), percent=draw(st.booleans())),
        lambda: OpenAt(draw(pick), draw(pick), draw(st.one_of(st.none(), st.just("open")))),
        lambda: PreviousCPPlans(draw(pick), draw(pick)),
        AgeYears,
        SiblingsLookedAfter,
    ]
    features, names = [], set()
    for choice in draw(st.lists(st.integers(0, len(builders) - 1), min_size=1, max_size=12)):
        feature = builders[choice]()
        if feature.name not in names:
            names.add(feature.name)
            features.append(feature)
    return FeatureSpec(tuple(features), count_other_event_types=draw(st.booleans()))


@settings(max_examples=60, deadline=None)
@given(_specs())
def test_round_trip_property(spec):
    description = spec.to_dict()
    assert _only_plain(description)
    assert FeatureSpec.from_dict(json.loads(json.dumps(description))) == spec


def _with(description, **changes):
    out = json.loads(json.dumps(description))
    out.update(changes)
    return out


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["features"].__setitem__(0, {"kind": "os.system"}), "unknown kind 'os.sys"),
        (lambda d: d["features"][0].update(kind="Feature"), "unknown kind 'Feature'"),
        (lambda d: d["features"][0].update(window_days=-3), r"feature 0 \(Count\) cannot be"),
        (lambda d: d["features"][0].update(family="nowhere"), "'nowhere', which the description"),
        (lambda d: d["features"][0].update(colour="red"), r"unknown field\(s\) colour"),
        (lambda d: d["families"][0].update(name="Bad Name"), "event family 'Bad Name' cannot be"),
        (lambda d: d["families"][0].update(shape=1), "expected the keys"),
        (lambda d: d["families"].append(dict(d["families"][0])), "is repeated"),
        (lambda d: d.update(format=99), "format 99"),
        (lambda d: d.update(features="Count"), "features must be a list"),
        (lambda d: d.update(extra=1), r"unknown key\(s\) extra"),
        (lambda d: d["features"].append(dict(d["features"][0])), "names must be unique"),
    ],
)
def test_descriptions_that_cannot_be_built_are_clear_errors(mutate, message):
    description = _with(_custom_spec().to_dict())
    mutate(description)
    with pytest.raises(ValueError, match=message):
        FeatureSpec.from_dict(description)


def test_not_a_dict_is_an_error():
    with pytest.raises(ValueError, match="described by a dict"):
        FeatureSpec.from_dict(["Count"])


def test_a_feature_class_of_ones_own_has_no_plain_description():
    @dataclass(frozen=True)
    class Mine(Count):
        pass

    family = EventFamily("s47", "s47_start", "section 47 enquiries")
    with pytest.raises(TypeError, match="no plain description"):
        FeatureSpec((Mine(family, 90),)).to_dict()
