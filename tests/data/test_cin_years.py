"""CIN census episodes restated across three census years: the latest census wins."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from riskmodel.data import read_cin_census

KEY = ["person_id", "event_date", "event_type", "code"]


def message(reference: str, children: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection>
<Year>{reference[:4]}</Year><ReferenceDate>{reference}</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel><LEA>201</LEA></Source></Header>
<Children>{children}</Children></Message>
"""


def child(pid: str, *details: str) -> str:
    return (
        f"<Child><ChildIdentifiers><LAchildID>{pid}</LAchildID>"
        "<PersonBirthDate>2009-04-01</PersonBirthDate><GenderCurrent>1</GenderCurrent>"
        "</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
        f"</ChildCharacteristics>{''.join(details)}</Child>"
    )


def episode(referral, source, need="N1", closure=None, reason=None, nfa=None, inner=""):
    text = f"<CINreferralDate>{referral}</CINreferralDate>"
    text += f"<ReferralSource>{source}</ReferralSource>"
    text += f"<PrimaryNeedCode>{need}</PrimaryNeedCode>"
    text += "" if nfa is None else f"<ReferralNFA>{nfa}</ReferralNFA>"
    text += "" if closure is None else f"<CINclosureDate>{closure}</CINclosureDate>"
    text += "" if reason is None else f"<ReasonForClosure>{reason}</ReasonForClosure>"
    return f"<CINdetails>{text}{inner}</CINdetails>"


def assessment(start, authorised=None, factors=()):
    auth = "" if authorised is None else f"<AssessmentAuthorisationDate>{authorised}"
    auth += "" if authorised is None else "</AssessmentAuthorisationDate>"
    codes = "".join(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in factors)
    return (
        f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>{auth}"
        f"<FactorsIdentifiedAtAssessment>{codes}</FactorsIdentifiedAtAssessment></Assessments>"
    )


def cin_plan(start, end=None):
    end = "" if end is None else f"<CINPlanEndDate>{end}</CINPlanEndDate>"
    return f"<CINPlanDates><CINPlanStartDate>{start}</CINPlanStartDate>{end}</CINPlanDates>"


def cp_plan(start, category, end=None):
    end = "" if end is None else f"<CPPendDate>{end}</CPPendDate>"
    return (
        f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>{end}"
        f"<InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse></ChildProtectionPlans>"
    )


YEAR_2022 = message(
    "2022-03-31",
    child(
        "C1",
        episode(
            "2021-10-01",
            "1A",
            "N1",
            inner="<DateOfInitialCPC>2022-01-08</DateOfInitialCPC>"
            + assessment("2021-10-05", "2021-11-01", ("3A", "4B"))
            + cp_plan("2022-01-10", "NEG"),
        ),
    )
    + child(
        "C3",
        episode(
            "2021-05-01",
            "5A",
            inner=assessment("2021-05-10", None, ("3A",)) + cin_plan("2021-06-01"),
        ),
    )
    + child("C4", episode("2020-01-01", "6", closure="2020-06-01", reason="RC1")),
)
YEAR_2023 = message(
    "2023-03-31",
    child(
        "C1",
        episode(
            "2021-10-01",
            "2B",
            "N2",
            closure="2022-12-01",
            reason="RC1",
            inner=cp_plan("2022-01-10", "EMO", end="2022-09-01"),
        ),
    )
    + child("C2", episode("2022-06-01", "3A", closure="2023-02-01", reason="RC8"))
    + child(
        "C3",
        episode(
            "2021-05-01",
            "5A",
            closure="2022-08-01",
            reason="RC1",
            inner=assessment("2021-05-10", "2021-06-20", ("3A", "16A"))
            + cin_plan("2021-06-01", "2022-07-15"),
        ),
    ),
)
YEAR_2024 = message(
    "2024-03-31",
    child("C2", episode("2022-06-01", "3A", inner=cin_plan("2023-04-01")))
    + child(
        "C3",
        episode(
            "2021-05-01",
            "5A",
            closure="2022-09-01",
            reason="RC1",
            inner=assessment("2021-05-10", "2021-06-20", ("3A",))
            + cin_plan("2021-06-01", "2022-07-15"),
        ),
        episode("2023-06-01", "1B", nfa="true"),
    ),
)

EXPECTED = [
    ("C1", "2021-10-01", "referral", "2B"),
    ("C1", "2021-10-05", "assessment_start", None),
    ("C1", "2021-11-01", "assessment_factor", "3A"),  # not restated: kept from 2022
    ("C1", "2021-11-01", "assessment_factor", "4B"),
    ("C1", "2022-01-08", "icpc", None),  # not restated either
    ("C1", "2022-01-10", "cp_plan_start", "EMO"),
    ("C1", "2022-09-01", "cp_plan_end", "EMO"),
    ("C1", "2022-12-01", "cin_closure", "RC1"),
    ("C2", "2022-06-01", "referral", "3A"),  # its 2023 closure vanished in 2024
    ("C2", "2023-04-01", "cin_plan_start", None),
    ("C3", "2021-05-01", "referral", "5A"),
    ("C3", "2021-05-10", "assessment_start", None),
    ("C3", "2021-06-01", "cin_plan_start", None),
    ("C3", "2021-06-20", "assessment_factor", "3A"),
    ("C3", "2022-07-15", "cin_plan_end", None),
    ("C3", "2022-09-01", "cin_closure", "RC1"),  # moved from 2022-08-01
    ("C3", "2023-06-01", "referral", "1B"),
    ("C3", "2023-06-01", "referral_nfa", None),
    ("C4", "2020-01-01", "referral", "6"),  # only in 2022: kept as it was
    ("C4", "2020-06-01", "cin_closure", "RC1"),
]


@pytest.fixture
def years(tmp_path: Path) -> list[Path]:
    paths = []
    for year, text in (("2022", YEAR_2022), ("2023", YEAR_2023), ("2024", YEAR_2024)):
        path = tmp_path / f"CIN_Census_{year}.xml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def as_tuples(events: pd.DataFrame) -> list[tuple]:
    rows = events[KEY].astype(object).where(events[KEY].notna(), None)
    return [(p, d.date().isoformat(), t, c) for p, d, t, c in rows.itertuples(index=False)]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_three_years_give_one_version_of_each_episode(years, order):
    data, issues = read_cin_census([years[i] for i in order])
    assert as_tuples(data.events) == EXPECTED
    data.validate()
    assert sorted(data.persons["person_id"]) == ["C1", "C2", "C3", "C4"]
    assert issues["person_id"].notna().all()


def test_each_disagreement_is_reported_once_in_the_earlier_file(years):
    _, issues = read_cin_census(years)
    rows = issues[issues["reason"].str.contains("later census")]
    columns = ["file", "person_id", "field", "value", "consequence"]
    got = sorted(rows[columns].itertuples(index=False, name=None))
    y22, y23, _ = (str(p) for p in years)
    assert got == sorted(
        [
            (y22, "C1", "ReferralSource", "1A", "value assumed"),
            (y22, "C1", "PrimaryNeedCode", "N1", "value dropped"),
            (y22, "C1", "InitialCategoryOfAbuse", "NEG", "value assumed"),
            (y23, "C2", "CINclosureDate", "2023-02-01", "record dropped"),
            (y23, "C3", "CINclosureDate", "2022-08-01", "record dropped"),
            (y23, "C3", "AssessmentAuthorisationDate", "2021-06-20", "record dropped"),
        ]
    )
    moved = rows[(rows["person_id"] == "C3") & (rows["field"] == "CINclosureDate")]
    assert "with CINclosureDate 2022-09-01" in moved["reason"].item()
    vanished = rows[rows["person_id"] == "C2"]
    assert "without this cin_closure" in vanished["reason"].item()
    factor = rows[rows["field"] == "AssessmentAuthorisationDate"]
    assert "assessment started 2021-05-10" in factor["reason"].item()


def test_a_single_year_is_read_as_before(years):
    for path in years:
        alone, issues = read_cin_census(path)
        assert not issues["reason"].str.contains("later census").any()
        assert not alone.events.duplicated(KEY).any()


def test_restated_unchanged_episode_is_kept_once_without_issues(tmp_path):
    text = child("C9", episode("2023-01-05", "1A", inner=assessment("2023-01-06")))
    paths = []
    for reference in ("2023-03-31", "2024-03-31"):
        path = tmp_path / f"{reference}.xml"
        path.write_text(message(reference, text), encoding="utf-8")
        paths.append(path)
    data, issues = read_cin_census(paths)
    assert as_tuples(data.events) == [
        ("C9", "2023-01-05", "referral", "1A"),
        ("C9", "2023-01-06", "assessment_start", None),
    ]
    assert issues.empty
