"""The default event families."""

from riskmodel.features import (
    default_spec,
)


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
