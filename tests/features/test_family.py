"""EventFamily: event types and codes read together."""

import dataclasses
import re

import numpy as np
import pytest

from riskmodel.features import (
    EventFamily,
)


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
