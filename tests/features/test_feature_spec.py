import dataclasses
import re

import numpy as np
import pytest

from riskmodel.data import EVENT_TYPES
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
    feature_descriptions,
)
from riskmodel.features._descriptions import period_words, singular_of

POLICE = EventFamily("police_da", "police_domestic_abuse", "police domestic-abuse notifications")
S47 = EventFamily("s47", "s47_start", "section 47 enquiries")
CP = EventFamily("cp_plan", "cp_plan_start", "child protection plans")
CP_END = EventFamily("cp_plan_end", "cp_plan_end", "ends of child protection plans")


@pytest.mark.parametrize(
    ("days", "words"),
    [(90, "3 months"), (180, "6 months"), (365, "year"), (730, "2 years"), (30, "month"),
     (7, "week"), (14, "2 weeks"), (1, "day"), (45, "45 days"), (1095, "3 years")],
)  # fmt: skip
def test_windows_in_words(days, words):
    assert period_words(days) == words


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("referrals", "referral"), ("section 47 enquiries", "section 47 enquiry"),
     ("school absence rates", "school absence rate"), ("boxes", "box"), ("class", "class"),
     ("initial child protection conferences", "initial child protection conference")],
)  # fmt: skip
def test_singular_of_the_last_word(plural, singular):
    assert singular_of(plural) == singular


def test_count_names_templates_and_descriptions():
    feature = Count(POLICE, 365)
    assert feature.name == "police_da_count_365d"
    assert feature.template == "{value} police domestic-abuse notifications in the last year"
    assert feature.describe(3) == "3 police domestic-abuse notifications in the last year"
    assert feature.describe(np.int32(1)) == "1 police domestic-abuse notification in the last year"
    assert feature.describe(0.0) == "no police domestic-abuse notifications in the last year"
    ever = Count(S47, None)
    assert ever.name == "s47_count_ever"
    assert ever.describe(1) == "1 section 47 enquiry ever"
    assert Count(S47, 90).describe(2) == "2 section 47 enquiries in the last 3 months"
    assert Count(S47, np.int64(730)).name == "s47_count_730d"


@pytest.mark.parametrize("window", [0, -5, 1.5, True, "365", 10**6])
def test_count_rejects_bad_windows(window):
    with pytest.raises(ValueError, match="window_days must be a whole number of days"):
        Count(S47, window)


def test_days_since_ever_open_and_latest_descriptions():
    since = DaysSince(S47)
    assert since.name == "s47_days_since_last"
    assert since.describe(40.0) == "40 days since the last section 47 enquiry"
    assert since.describe(1) == "1 day since the last section 47 enquiry"
    assert since.describe(200) == "about 7 months since the last section 47 enquiry"
    assert since.describe(3818.0) == "about 10 years since the last section 47 enquiry"
    assert since.describe(np.nan) == "no section 47 enquiries ever"
    ever = Ever(S47)
    assert (ever.name, ever.dtype) == ("s47_ever", "bool")
    assert ever.describe(True) == "at least one section 47 enquiry ever"
    assert ever.describe(np.False_) == "no section 47 enquiries ever"
    assert ever.describe(1.0) == ever.template
    plan = OpenAt(CP, CP_END, "on a child protection plan")
    assert plan.template == "on a child protection plan at the as-of date"
    assert plan.describe(False) == "not on a child protection plan at the as-of date"
    unnamed = OpenAt(CP, CP_END)
    assert unnamed.describe(1) == "an open child protection plan at the as-of date"
    assert unnamed.describe(0) == "no open child protection plan at the as-of date"
    absence = EventFamily("absence", "absence_rate", "school absence rates")
    latest = LatestValue(absence, percent=True)
    assert latest.name == "absence_latest"
    assert latest.describe(0.123) == "latest school absence rate: 12%"
    assert latest.describe(np.nan) == "no school absence rates on record"
    assert LatestValue(absence).describe(0.5) == "latest school absence rate: 0.5"


def test_person_and_care_descriptions():
    assert AgeYears().describe(14.0) == "aged 14"
    assert AgeYears().describe(np.nan) == "age unknown"
    assert PreviousCarePeriods().describe(1) == "1 previous period of care"
    assert PreviousCarePeriods().describe(0) == "no previous periods of care"
    assert DaysSinceLeftCare().describe(np.nan) == "no previous period of care"
    assert DaysSinceLeftCare().describe(200) == "about 7 months since last leaving care"
    assert DaysSinceLeftCare().describe(45) == "45 days since last leaving care"
    assert SiblingsLookedAfter().describe(2) == "2 siblings looked after at the as-of date"
    assert SiblingsLookedAfter().describe(1) == "1 sibling looked after at the as-of date"
    assert PreviousCPPlans().describe(1) == "1 previous child protection plan"
    assert PreviousCPPlans().describe(3) == "3 previous child protection plans"


def test_event_family_codes_apply_per_type_or_to_all_types():
    family = EventFamily(
        "domestic_abuse",
        ("police_domestic_abuse", "assessment_factor"),
        "records of domestic abuse",
        "record of domestic abuse",
        codes={"assessment_factor": ("3A", "3B", "3C")},
    )
    assert family.selects("police_domestic_abuse", None)
    assert family.selects("assessment_factor", "3C")
    assert not family.selects("assessment_factor", "4B")
    assert not family.selects("assessment_factor", np.nan)
    assert not family.selects("referral", None)
    assert family.codes == (("assessment_factor", ("3A", "3B", "3C")),)
    both = EventFamily("x", ("a", "b"), "xs", codes=("1",))
    assert both.selects("a", "1") and both.selects("b", "1") and not both.selects("b", "2")
    assert hash(family) == hash(dataclasses.replace(family))  # frozen, hashable, re-creatable
    assert EventFamily("x", "a", "records").singular == "record"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Domestic abuse"}, "must be a lower-case name"),
        ({"event_types": ()}, "event_types must be one or more"),
        ({"noun": " "}, "noun must be a non-empty phrase"),
        ({"codes": {"referral": ("1",)}}, "codes name event types not in the family: 'referral'"),
        ({"codes": {"a": ()}}, "codes for 'a' must be one or more strings"),
        ({"codes": 3}, "codes must be a tuple of codes or a mapping"),
    ],
)
def test_event_family_rejects_bad_definitions(kwargs, message):
    arguments = {"name": "x", "event_types": ("a",), "noun": "xs"} | kwargs
    with pytest.raises(ValueError, match=re.escape(message)):
        EventFamily(**arguments)


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


def test_default_families_combine_sources():
    families = {f.name: f for f in default_spec().families}
    da = families["domestic_abuse"]
    assert da.selects("police_domestic_abuse", None)
    assert [c for c in ("3A", "3B", "3C", "4B") if da.selects("assessment_factor", c)] == [
        "3A", "3B", "3C",
    ]  # fmt: skip
    factors = {
        "parental_mental_health": {"4B", "4C"},
        "substance_misuse": {"1B", "1C", "2B", "2C"},
        "exploitation": {"11A", "12A", "13A", "24A"},
    }
    for name, codes in factors.items():
        assert set(families[name].codes_for("assessment_factor")) == codes
    assert families["missing_episode"].selects("assessment_factor", "10A")
    assert families["missing_episode"].selects("missing_episode", "M")
    assert families["neglect"].selects("cp_plan_start", "NEG")
    assert families["neglect"].selects("assessment_factor", "16A")
    assert not families["neglect"].selects("cp_plan_start", "PHY")


@pytest.mark.parametrize("value", [0, 1, 2, 3.0, np.nan, True, False])
def test_every_default_description_renders(value):
    for feature in default_spec():
        if isinstance(value, float) and np.isnan(value):
            if feature.dtype != "float64":
                continue  # only float features are ever missing
        text = feature.describe(value)
        assert text and "{" not in text and "nan" not in text.lower()
