"""Tests of the CIN census XML reader, on the real-format fixtures and hand-made files."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from riskmodel.data import read_cin_census
from riskmodel.exceptions import SchemaError

KEY = ["person_id", "event_date", "event_type", "code"]


# -- helpers ---------------------------------------------------------------------------


def message(children: str, reference: str = "2024-03-31", lea: str = "201") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
      <ReferenceDate>{reference}</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>{lea}</LEA></Source>
  </Header>
  <Children>{children}</Children>
</Message>
"""


def child(
    pid: str | None = "C1",
    birth: str | None = "2010-05-01",
    sex: str = "<GenderCurrent>1</GenderCurrent>",
    ethnicity: str | None = "WBRI",
    extra_ids: str = "",
    characteristics: str = "",
    details: str = "",
) -> str:
    ids = "" if pid is None else f"<LAchildID>{pid}</LAchildID>"
    ids += "" if birth is None else f"<PersonBirthDate>{birth}</PersonBirthDate>"
    chars = "" if ethnicity is None else f"<Ethnicity>{ethnicity}</Ethnicity>"
    return (
        f"<Child><ChildIdentifiers>{ids}{sex}{extra_ids}</ChildIdentifiers>"
        f"<ChildCharacteristics>{chars}{characteristics}</ChildCharacteristics>"
        f"{details}</Child>"
    )


def cin(referral: str = "2022-01-10", source: str = "1A", inner: str = "") -> str:
    return (
        f"<CINdetails><CINreferralDate>{referral}</CINreferralDate>"
        f"<ReferralSource>{source}</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
        f"{inner}</CINdetails>"
    )


def assessment(start="2022-01-12", authorised="2022-02-01", factors=("3A",)) -> str:
    auth = (
        ""
        if authorised is None
        else (f"<AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>")
    )
    codes = "".join(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in factors)
    return (
        f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>{auth}"
        f"<FactorsIdentifiedAtAssessment>{codes}</FactorsIdentifiedAtAssessment></Assessments>"
    )


def write(tmp_path: Path, text: str | bytes, name: str = "cin.xml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def read(tmp_path: Path, children: str, **kwargs):
    return read_cin_census(write(tmp_path, message(children, **kwargs)))


def events_of(data, event_type: str) -> pd.DataFrame:
    return data.events[data.events["event_type"] == event_type]


def validate_quietly(data) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data.validate()


# -- the real-format fixtures ----------------------------------------------------------


@pytest.fixture(scope="module")
def cin_dir(fixtures_dir: Path) -> Path:
    folder = fixtures_dir / "cin_census"
    assert (folder / "fake_CIN_data.xml").is_file(), f"CIN fixtures missing in {folder}"
    return folder


@pytest.fixture(scope="module")
def fake(cin_dir: Path):
    return read_cin_census(cin_dir / "fake_CIN_data.xml")


def test_fake_file_accounts_for_every_child(fake, cin_dir):
    data, issues = fake
    root = ET.parse(cin_dir / "fake_CIN_data.xml").getroot()
    children = root.findall("Children/Child")
    assert len(children) == 332
    dropped = issues[(issues["table"] == "persons") & (issues["consequence"] == "record dropped")]
    assert len(data.persons) + dropped["location"].nunique() == 332
    assert data.persons["person_id"].is_unique


@pytest.mark.parametrize(
    ("event_type", "tag", "field", "n"),
    [
        ("referral", "CINreferralDate", "CINreferralDate", 402),
        ("referral_nfa", "ReferralNFA", "CINreferralDate", 402),  # all true in the fixture
        ("cin_closure", "CINclosureDate", "CINclosureDate", 252),
    ],
)
def test_fake_file_accounts_for_every_dated_fact(fake, cin_dir, event_type, tag, field, n):
    data, issues = fake
    root = ET.parse(cin_dir / "fake_CIN_data.xml").getroot()
    assert len(root.findall(f"Children/Child/CINdetails/{tag}")) == n
    reported = issues[
        (issues["table"] == "events")
        & (issues["field"] == field)
        & (issues["consequence"] == "record dropped")
        & issues["reason"].str.match(rf"{event_type}[ :]")
    ]
    assert len(reported) > 0  # the fixture has dates after its reference date
    assert len(events_of(data, event_type)) + len(reported) == n


def test_fake_file_maps_persons_like_an_independent_reading(fake, cin_dir):
    data, _ = fake
    root = ET.parse(cin_dir / "fake_CIN_data.xml").getroot()
    expected = {}
    for element in root.iter("Child"):
        codes = [d.text for d in element.iter("Disability")]
        expected[element.findtext("ChildIdentifiers/LAchildID")] = (
            {"1": "M", "2": "F", "0": "U", "9": "U"}[element.findtext(".//GenderCurrent")],
            element.findtext(".//Ethnicity"),
            pd.NA if not codes else any(c != "NONE" for c in codes),
            pd.Timestamp(element.findtext(".//PersonBirthDate")),
        )
    persons = data.persons.set_index("person_id")
    for pid, (sex, ethnicity, disability, birth) in expected.items():
        row = persons.loc[pid]
        assert (row["sex"], row["ethnicity"], row["date_of_birth"]) == (sex, ethnicity, birth)
        assert row["disability"] is disability or row["disability"] == disability
    assert persons["sex"].value_counts().to_dict() == {"U": 176, "M": 82, "F": 74}


def test_fake_file_output_validates_and_respects_reference_date(fake):
    data, issues = fake
    validate_quietly(data)
    assert data.extract_date == pd.Timestamp("2022-07-21")
    assert data.events["event_date"].max() <= data.extract_date
    assert data.care_episodes.empty
    assert not data.events.duplicated(KEY).any()
    assert set(issues["consequence"]) <= {"record dropped", "value dropped", "value assumed"}
    deaths = issues[issues["field"] == "PersonDeathDate"]
    assert len(deaths) == 21 and set(deaths["consequence"]) == {"value dropped"}


def test_2024_fixture_errors_are_reported(cin_dir):
    data, issues = read_cin_census(cin_dir / "CIN_Census_2024.xml")
    validate_quietly(data)
    persons = data.persons.set_index("person_id")
    assert persons.loc["DfEX0000001", "sex"] == "M"  # Sex 1
    assert persons.loc["child_fails_assessments", "sex"] == "M"  # Sex M
    assert bool(persons.loc["DfEX0000001", "disability"]) is True
    assert bool(persons.loc["child_fails_assessments", "disability"]) is False
    stray = issues[issues["reason"] == "stray text between elements"]
    assert stray["value"].tolist() == ["PersonBirthDate"]
    factor = issues[issues["field"] == "AssessmentFactors"]
    assert factor["value"].tolist() == ["RB"]
    assert (issues["value"] == "2028-04-28").any()  # assessment start in the future
    assert events_of(data, "assessment_factor").empty  # authorised before it started
    # plans and the s47 of the first child are read, with initial / latest categories
    first = data.events[data.events["person_id"] == "DfEX0000001"]
    assert {
        "cin_plan_start",
        "cin_plan_end",
        "s47_start",
        "icpc",
        "cp_plan_start",
        "cp_plan_end",
    } <= set(first["event_type"])
    assert first.loc[first["event_type"] == "cp_plan_start", "code"].tolist() == ["PHY"]


def test_2024_and_2026_together_merge_without_duplicates(cin_dir):
    files = [cin_dir / "CIN_Census_2024.xml", cin_dir / "CIN_Census_2026.xml"]
    alone = [read_cin_census(f)[0] for f in files]
    both, issues = read_cin_census(files)
    validate_quietly(both)
    assert not both.events.duplicated(KEY).any()
    assert len(both.persons) >= max(len(d.persons) for d in alone)
    union = pd.concat([d.events for d in alone]).drop_duplicates(KEY)
    pd.testing.assert_frame_equal(
        both.events[KEY], union.sort_values(KEY)[KEY].reset_index(drop=True)
    )
    assert issues["reason"].str.contains("PPStartDate").any()  # 2026 pre-proceedings block


def test_reading_a_file_twice_is_reading_it_once(cin_dir):
    path = cin_dir / "CIN_Census_2024.xml"
    once, issues_once = read_cin_census(path)
    twice, issues_twice = read_cin_census([path, str(path)])
    pd.testing.assert_frame_equal(once.events, twice.events)
    pd.testing.assert_frame_equal(once.persons, twice.persons)
    pd.testing.assert_frame_equal(issues_once, issues_twice)


def test_directory_reads_every_xml_file(cin_dir, tmp_path):
    data, _ = read_cin_census(cin_dir)
    assert len(data.persons) == 332 + 2
    with pytest.raises(SchemaError, match=r"no \*\.xml files"):
        read_cin_census(tmp_path)


# -- format variants -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "value", "expected"),
    [("GenderCurrent", v, s) for v, s in [("1", "M"), ("2", "F"), ("0", "U"), ("9", "U")]]
    + [("Sex", v, s) for v, s in [("1", "M"), ("2", "F"), ("M", "M"), ("F", "F"), ("U", "U")]],
)
def test_sex_from_gender_current_or_sex(tmp_path, element, value, expected):
    data, issues = read(tmp_path, child(sex=f"<{element}>{value}</{element}>", details=cin()))
    assert data.persons["sex"].tolist() == [expected]
    assert issues.empty


def test_unknown_sex_and_ethnicity_are_assumed_and_reported(tmp_path):
    data, issues = read(tmp_path, child(sex="<Sex>X</Sex>", ethnicity="ZZZZ"))
    assert data.persons[["sex", "ethnicity"]].values.tolist() == [["U", "NOBT"]]
    assumed = issues[issues["consequence"] == "value assumed"]
    assert assumed["field"].tolist() == ["Sex", "Ethnicity"]
    assert assumed["value"].tolist() == ["X", "ZZZZ"]


@pytest.mark.parametrize(
    ("reference", "factors"),
    [
        ("2021-03-31", ["18A", "19A", "3A"]),  # before 2022: child-only abuse factors
        ("2024-03-31", ["18B", "18C", "19B", "19C", "24A"]),
        ("2024-03-31", ["18B", "19C", "4B"]),  # no 24A
    ],
)
def test_assessment_factors_of_each_year(tmp_path, reference, factors):
    inner = assessment(authorised="2020-11-05", start="2020-10-01", factors=factors)
    data, issues = read(
        tmp_path, child(details=cin("2020-09-30", inner=inner)), reference=reference
    )
    found = events_of(data, "assessment_factor")
    assert sorted(found["code"]) == sorted(factors)
    assert set(found["event_date"]) == {pd.Timestamp("2020-11-05")}
    assert events_of(data, "assessment_start")["event_date"].tolist() == [
        pd.Timestamp("2020-10-01")
    ]
    assert issues.empty
    validate_quietly(data)


def test_unknown_factor_is_dropped_and_the_others_kept(tmp_path):
    data, issues = read(tmp_path, child(details=cin(inner=assessment(factors=("3A", "RB")))))
    assert events_of(data, "assessment_factor")["code"].tolist() == ["3A"]
    assert issues[["field", "value", "consequence"]].values.tolist() == [
        ["AssessmentFactors", "RB", "value dropped"]
    ]


def test_unauthorised_assessment_factors_are_not_yet_known(tmp_path):
    inner = assessment(authorised=None, factors=("3A", "4B"))
    data, issues = read(tmp_path, child(details=cin(inner=inner)))
    assert events_of(data, "assessment_factor").empty
    assert len(events_of(data, "assessment_start")) == 1
    assert issues["value"].tolist() == ["3A", "4B"]
    assert set(issues["consequence"]) == {"value dropped"}


def test_uasc_from_factor_9a(tmp_path):
    kids = child("A", details=cin(inner=assessment(factors=("9A",)))) + child("B", details=cin())
    data, _ = read(tmp_path, kids)
    uasc = data.persons.set_index("person_id")["uasc"]
    assert bool(uasc["A"]) is True and uasc.isna()["B"]


@pytest.mark.parametrize(("nfa", "expected"), [("true", 1), ("1", 1), ("false", 0), ("0", 0)])
def test_referral_nfa_is_dated_at_the_referral(tmp_path, nfa, expected):
    data, issues = read(tmp_path, child(details=cin(inner=f"<ReferralNFA>{nfa}</ReferralNFA>")))
    found = events_of(data, "referral_nfa")
    assert len(found) == expected
    assert (found["event_date"] == pd.Timestamp("2022-01-10")).all()
    assert issues.empty


def test_referral_closure_and_codes(tmp_path):
    inner = "<CINclosureDate>2022-06-01</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure>"
    data, issues = read(tmp_path, child(details=cin(source="5c", inner=inner)))
    assert data.events[["event_type", "code"]].values.tolist() == [
        ["referral", "5C"],
        ["cin_closure", "RC8"],
    ]
    assert issues.empty


def test_unknown_referral_source_keeps_the_referral(tmp_path):
    data, issues = read(tmp_path, child(details=cin(source="ZZ")))
    assert events_of(data, "referral")["code"].isna().tolist() == [True]
    assert issues[["field", "value", "consequence"]].values.tolist() == [
        ["ReferralSource", "ZZ", "value dropped"]
    ]


def test_protection_plan_categories(tmp_path):
    plans = (
        "<ChildProtectionPlans><CPPstartDate>2022-02-01</CPPstartDate>"
        "<CPPendDate>2022-09-01</CPPendDate><InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
        "<LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse></ChildProtectionPlans>"
        "<ChildProtectionPlans><CPPstartDate>2023-01-01</CPPstartDate>"
        "<CategoryOfAbuse>PHY</CategoryOfAbuse><CategoryOfAbuse>SAB</CategoryOfAbuse>"
        "</ChildProtectionPlans>"
    )
    data, issues = read(tmp_path, child(details=cin(inner=plans)))
    plan = data.events[data.events["event_type"].str.startswith("cp_plan")]
    assert plan[["event_type", "code"]].values.tolist() == [
        ["cp_plan_start", "NEG"],
        ["cp_plan_end", "EMO"],
        ["cp_plan_start", "MUL"],
    ]
    assert issues[["value", "consequence"]].values.tolist() == [["PHY, SAB", "value assumed"]]


def test_disability(tmp_path):
    kids = (
        child("none", characteristics="<Disabilities><Disability>NONE</Disability></Disabilities>")
        + child(
            "hand", characteristics="<Disabilities><Disability>HAND</Disability></Disabilities>"
        )
        + child("absent")
    )
    data, _ = read(tmp_path, kids)
    disability = data.persons.set_index("person_id")["disability"]
    assert bool(disability["hand"]) is True and bool(disability["none"]) is False
    assert disability.isna()["absent"]


def test_namespaced_file(tmp_path):
    text = message(child(details=cin())).replace("<Message>", '<Message xmlns="http://x/cin">')
    data, issues = read_cin_census(write(tmp_path, text))
    assert len(data.persons) == 1 and len(data.events) == 1 and issues.empty


# -- errors ----------------------------------------------------------------------------


def test_malformed_xml_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "<Message>\n  <Header>\n  </Heder>\n</Message>\n", "bad.xml")
    with pytest.raises(SchemaError, match=r"bad\.xml: not well-formed XML: .* line 3, column"):
        read_cin_census(path)


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", "empty"),
        ("<Message><Header/></Message>".encode("latin-1") + b"\xe9", "not UTF-8"),
        (b"<Foo/>", r"the root element is <Foo>, expected <Message>"),
        (message("").replace(">CIN<", ">SC<").encode(), r"Collection is 'SC', expected 'CIN'"),
        (message("", reference="31/03/2024").encode(), "ReferenceDate is '31/03/2024' is not"),
    ],
)
def test_unreadable_files(tmp_path, content, pattern):
    path = write(tmp_path, content, "census.xml")
    with pytest.raises(SchemaError, match=rf"census\.xml: .*{pattern}"):
        read_cin_census(path)


def test_missing_reference_date_uses_the_extract_date(tmp_path):
    text = message(child(details=cin()), reference="")
    data, issues = read_cin_census(write(tmp_path, text), extract_date="2023-01-01")
    assert data.extract_date == pd.Timestamp("2023-01-01") and len(data.events) == 1
    assert issues["consequence"].tolist() == ["value assumed"]


def test_future_events_are_dropped(tmp_path):
    details = cin(inner="<CINclosureDate>2024-05-01</CINclosureDate>")
    data, issues = read(tmp_path, child(details=details))
    validate_quietly(data)
    assert data.events["event_type"].tolist() == ["referral"]
    assert issues["reason"].tolist() == [
        "cin_closure: CINclosureDate is after the census reference date 2024-03-31"
    ]


def test_extract_date_earlier_than_reference_cuts_events(tmp_path):
    path = write(tmp_path, message(child(details=cin("2022-01-10") + cin("2023-06-01"))))
    data, issues = read_cin_census(path, extract_date="2023-01-01")
    assert data.extract_date == pd.Timestamp("2023-01-01")
    assert events_of(data, "referral")["event_date"].tolist() == [pd.Timestamp("2022-01-10")]
    assert issues["reason"].str.contains("after the extract date 2023-01-01").all()


def test_end_before_start_drops_the_end(tmp_path):
    inner = (
        "<CINPlanDates><CINPlanStartDate>2022-03-01</CINPlanStartDate>"
        "<CINPlanEndDate>2022-02-01</CINPlanEndDate></CINPlanDates>"
        "<ChildProtectionPlans><CPPstartDate>2022-03-01</CPPstartDate>"
        "<CPPendDate>2022-02-28</CPPendDate></ChildProtectionPlans>"
    )
    data, issues = read(tmp_path, child(details=cin(inner=inner)))
    assert set(data.events["event_type"]) == {"referral", "cin_plan_start", "cp_plan_start"}
    assert issues["field"].tolist() == ["CINPlanEndDate", "CPPendDate"]
    assert issues["reason"].str.contains("is before").all()
    assert set(issues["consequence"]) == {"record dropped"}


@pytest.mark.parametrize("bad", ["2022-02-30", "06/10/2022", "soon"])
def test_unreadable_dates_are_dropped(tmp_path, bad):
    data, issues = read(tmp_path, child(details=cin(bad)))
    assert data.events.empty and len(data.persons) == 1
    assert issues[["field", "value", "consequence"]].values.tolist() == [
        ["CINreferralDate", bad, "record dropped"]
    ]


EXPECTED = "<ExpectedPersonBirthDate>2024-06-01</ExpectedPersonBirthDate>"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"pid": None}, "no LAchildID"),
        ({"birth": None}, "no PersonBirthDate"),
        ({"birth": "2011-13-01"}, "not a date"),
        ({"birth": "2025-01-01"}, "after the census reference date"),
        ({"birth": None, "extra_ids": EXPECTED}, "unborn"),
    ],
)
def test_unusable_children_are_dropped_with_their_events(tmp_path, kwargs, reason):
    kids = child(**{"details": cin(), **kwargs}) + child("ok", details=cin())
    data, issues = read(tmp_path, kids)
    validate_quietly(data)
    assert data.persons["person_id"].tolist() == ["ok"]
    assert data.events["person_id"].tolist() == ["ok"]
    person = issues[issues["table"] == "persons"]
    assert len(person) == 1 and reason in person["reason"].iloc[0]
    assert person["consequence"].iloc[0] == "record dropped"
    event = issues[issues["table"] == "events"]
    assert event["reason"].str.contains("the child's record was dropped").tolist() == [True]


def test_stray_text_is_tolerated_and_reported(tmp_path):
    kid = child(extra_ids="<UPNunknown>UN3</UPNunknown>PersonBirthDate", details=cin())
    data, issues = read(tmp_path, kid.replace("<CINreferralDate>", "junk<CINreferralDate>"))
    assert len(data.persons) == 1 and len(data.events) == 1
    assert issues[["location", "field", "value"]].values.tolist() == [
        ["Child 1 / ChildIdentifiers 1", "UPNunknown", "PersonBirthDate"],
        ["Child 1 / CINdetails 1", "CINdetails", "junk"],
    ]


def test_death_date_keeps_the_child(tmp_path):
    kid = child(extra_ids="<PersonDeathDate>2020-01-01</PersonDeathDate>")
    data, issues = read(tmp_path, kid)
    assert len(data.persons) == 1
    assert issues[["field", "consequence"]].values.tolist() == [
        ["PersonDeathDate", "value dropped"]
    ]


def test_unmapped_dated_elements_are_reported(tmp_path):
    inner = (
        "<Section47><S47ActualStartDate>2022-01-11</S47ActualStartDate>"
        "<InitialCPCtarget>2022-01-25</InitialCPCtarget>"
        "<DateOfInitialCPC>2022-01-20</DateOfInitialCPC></Section47>"
    )
    data, issues = read(tmp_path, child(details=cin(inner=inner)))
    assert set(data.events["event_type"]) == {"referral", "s47_start", "icpc"}
    assert issues[["field", "value"]].values.tolist() == [["InitialCPCtarget", "2022-01-25"]]


# -- several files ---------------------------------------------------------------------


def test_latest_file_wins_person_conflicts(tmp_path):
    unknown = child(birth="2010-05-01", sex="<GenderCurrent>0</GenderCurrent>", details=cin())
    female = child(birth="2010-06-01", sex="<Sex>F</Sex>", details=cin())
    old = write(tmp_path, message(unknown, reference="2023-03-31"), "a.xml")
    new = write(tmp_path, message(female, reference="2024-03-31"), "b.xml")
    for order in ([old, new], [new, old]):
        data, issues = read_cin_census(order)
        row = data.persons.iloc[0]
        assert (row["date_of_birth"], row["sex"]) == (pd.Timestamp("2010-06-01"), "F")
        assert len(data.events) == 1
        conflict = issues[issues["consequence"] == "value assumed"]
        assert conflict["field"].tolist() == ["PersonBirthDate"]  # U does not conflict with F
        assert conflict["file"].tolist() == [str(new)]
        assert data.extract_date == pd.Timestamp("2024-03-31")


def test_later_census_corrects_an_event_code(tmp_path):
    old = write(
        tmp_path, message(child(details=cin(source="1A")), reference="2023-03-31"), "a.xml"
    )
    new = write(
        tmp_path, message(child(details=cin(source="2B")), reference="2024-03-31"), "b.xml"
    )
    data, issues = read_cin_census([new, old])
    assert data.events[["event_type", "code"]].values.tolist() == [["referral", "2B"]]
    assert issues[["file", "field", "value"]].values.tolist() == [
        [str(old), "ReferralSource", "1A"]
    ]


def test_duplicate_within_a_file_is_kept_once_and_reported(tmp_path):
    data, issues = read(tmp_path, child(details=cin() + cin()))
    assert len(data.events) == 1
    assert issues["reason"].tolist() == [
        "referral: identical to the event at Child 1 / CINdetails 1"
    ]
