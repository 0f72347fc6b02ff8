"""Tests of import_returns: returns and extracts in, one validated data set and issues out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.data import import_returns, merge_data, read_cin_census, read_ssda903
from riskmodel.data._cin_upns import cin_census_upns
from riskmodel.data._issues import ISSUE_COLUMNS
from riskmodel.exceptions import SchemaError

POLICE_YAML = """source: police
person_id: ChildID
date: NotifiedOn
date_format: "%d/%m/%Y"
event_type: police_domestic_abuse
"""
SCHOOL = {
    "source": "school",
    "upn": "UPN",
    "date": "TermEnd",
    "type": "Kind",
    "types": {"ABS": "absence_rate", "EXC": "permanent_exclusion", "MOVE": "school_move"},
    "value": "Rate",
}


@pytest.fixture(scope="module")
def returns(fixtures_dir: Path) -> dict:
    header = pd.read_csv(fixtures_dir / "ssda903" / "header.csv", dtype=str)
    cin = fixtures_dir / "cin_census" / "fake_CIN_data.xml"
    root = ET.parse(cin).getroot()
    cin_ids = [c.findtext("ChildIdentifiers/LAchildID") for c in root.iter("Child")]
    return {
        "ssda903": fixtures_dir / "ssda903",
        "cin": cin,
        "header_ids": set(header["CHILD"].dropna()),
        "cin_ids": {i.strip() for i in cin_ids if i and i.strip()},
        "upns": cin_census_upns(cin),
    }


@pytest.fixture
def extracts(tmp_path: Path, returns: dict) -> dict:
    ids_903 = sorted(returns["header_ids"])[:3]
    ids_cin = sorted(returns["cin_ids"])[:2]
    police = ["ChildID,NotifiedOn"]
    police += [f"{pid},0{n + 1}/02/2017" for n, pid in enumerate(ids_903 + ids_cin)]
    police += ["ZZ404,03/02/2017", ",04/02/2017", f"{ids_903[0]},32/01/2017"]
    upns = returns["upns"].drop_duplicates("person_id")
    first, second = upns["upn"].iloc[0], upns["upn"].iloc[1]
    school = [
        "UPN,Kind,TermEnd,Rate",
        f"{first.lower()},ABS,2017-03-31,0.25",
        f"{second},EXC,2017-05-02,",
        f"{second},MOVE,2017-06-02,",
        "Q999999999999,ABS,2017-03-31,0.1",
        f"{first},HOLIDAY,2017-03-31,",
    ]
    police_csv, school_csv = tmp_path / "police.csv", tmp_path / "school.csv"
    police_csv.write_text("\n".join(police) + "\n", encoding="utf-8")
    school_csv.write_text("\n".join(school) + "\n", encoding="utf-8")
    police_yaml = tmp_path / "police.yaml"
    police_yaml.write_text(POLICE_YAML, encoding="utf-8")
    return {
        str(police_csv): police_yaml,
        str(school_csv): SCHOOL,
        "_police_ids": set(ids_903 + ids_cin) | {"ZZ404"},
    }


def run(returns: dict, extracts: dict, **kwargs):
    given = {k: v for k, v in extracts.items() if not k.startswith("_")}
    return import_returns(returns["ssda903"], returns["cin"], given, **kwargs)


def test_public_names():
    assert rm.import_returns is import_returns
    assert rm.ImportResult is rm.data.ImportResult


def test_children_in_the_files_are_in_the_tables_or_reported(returns, extracts):
    result = run(returns, extracts)
    persons = set(result.data.persons["person_id"])
    issues = result.issues
    reported = set(issues["person_id"].dropna()) - persons
    children_in = returns["header_ids"] | returns["cin_ids"] | extracts["_police_ids"]
    assert children_in == persons | reported
    assert "ZZ404" in reported
    unlinked = issues[(issues["source"] == "school") & issues["person_id"].isna()]
    assert set(unlinked["value"]) == {"Q999999999999"}
    s = result.summary
    assert s["children"] == len(persons)
    assert s["children_reported"] == len(reported) + 1


def test_events_are_the_returns_plus_the_mapped_rows(returns, extracts):
    result = run(returns, extracts)
    d903, i903 = read_ssda903(returns["ssda903"])
    dcin, icin = read_cin_census(returns["cin"])
    from_returns = merge_data(d903, dcin)
    pd.testing.assert_frame_equal(result.data.persons, from_returns.persons)
    events = result.data.events
    police = events[events["event_type"] == "police_domestic_abuse"]
    assert len(police) == 5
    school = events[
        events["event_type"].isin(["absence_rate", "permanent_exclusion", "school_move"])
    ]
    assert sorted(school["event_type"]) == ["absence_rate", "permanent_exclusion", "school_move"]
    assert school.loc[school["event_type"] == "absence_rate", "value"].tolist() == [0.25]
    assert len(events) == len(from_returns.events) + len(police) + len(school)
    assert list(result.issues.columns) == ["source", *ISSUE_COLUMNS]
    by_source = result.issues["source"].value_counts()
    assert by_source["ssda903"] == len(i903)
    assert by_source["cin_census"] == len(icin)
    assert by_source["police"] == 3 and by_source["school"] == 2


def test_summary_counts_add_up(returns, extracts):
    result = run(returns, extracts)
    s = result.summary
    assert int(s["events"].to_numpy().sum()) == len(result.data.events)
    assert set(s["events"].index) == set(result.data.events["event_type"])
    assert int(s["issues"]["issues"].sum()) == len(result.issues)
    assert s["unknown_event_types"] == ["school_move"]
    assert s["care_episodes"] == len(result.data.care_episodes)
    assert "Q999999999999" not in s["issues"].to_string()  # no UPN leaves the issues table


def test_extract_date_cuts_the_extracts(returns, extracts):
    result = run(returns, extracts, extract_date="2017-02-02")
    late = result.issues[result.issues["reason"].str.contains("after the extract date 2017-02-02")]
    assert set(late["source"]) >= {"police"}
    assert (result.data.events["event_date"] <= pd.Timestamp("2017-02-02")).all()


def test_no_returns_is_an_error():
    with pytest.raises(SchemaError, match="needs the SSDA903 return or the CIN census"):
        import_returns()


def cin_file(tmp_path: Path, name: str, children: str, reference: str = "2024-03-31") -> Path:
    path = tmp_path / name
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
<ReferenceDate>{reference}</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel><LEA>201</LEA></Source></Header>
<Children>{children}</Children></Message>""",
        encoding="utf-8",
    )
    return path


def cin_child(pid: str, upns: str) -> str:
    return (
        f"<Child><ChildIdentifiers><LAchildID>{pid}</LAchildID>{upns}"
        "<PersonBirthDate>2009-04-01</PersonBirthDate><GenderCurrent>2</GenderCurrent>"
        "</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
        "</ChildCharacteristics><CINdetails><CINreferralDate>2023-05-01</CINreferralDate>"
        "<ReferralSource>1A</ReferralSource></CINdetails></Child>"
    )


def test_upns_link_through_upn_and_former_upn_across_census_years(tmp_path):
    old = cin_file(
        tmp_path, "a.xml", cin_child("K1", "<UPN>OLD000000001</UPN>"), reference="2023-03-31"
    )
    new = cin_file(
        tmp_path,
        "b.xml",
        cin_child("K1", "<UPN>NEW000000001</UPN><FormerUPN>OLD000000001</FormerUPN>")
        + cin_child("K2", "<UPN>SHARED000001</UPN>")
        + cin_child("K3", "<UPN>SHARED000001</UPN>"),
    )
    school = tmp_path / "school.csv"
    school.write_text(
        "UPN,Kind,TermEnd,Rate\nOLD000000001,ABS,2023-07-20,0.1\nnew000000001,ABS,2023-12-20,0.2\n"
        "SHARED000001,ABS,2023-12-20,0.3\n",
        encoding="utf-8",
    )
    result = import_returns(cin_census=[old, new], extracts={school: SCHOOL})
    rates = result.data.events[result.data.events["event_type"] == "absence_rate"]
    assert rates[["person_id", "value"]].values.tolist() == [["K1", 0.1], ["K1", 0.2]]
    shared = result.issues[result.issues["source"] == "school"]
    assert shared[["location", "value"]].values.tolist() == [["line 4", "SHARED000001"]]
    assert shared["person_id"].isna().all()
    assert "links to 2 children (K2, K3)" in shared["reason"].item()


def test_several_census_years_import_as_the_reader_reads_them(tmp_path):
    first = cin_child("K1", "")
    second = first.replace(
        "<ReferralSource>1A</ReferralSource>", "<ReferralSource>2B</ReferralSource>"
    )
    old = cin_file(tmp_path, "a.xml", first, reference="2023-03-31")
    new = cin_file(tmp_path, "b.xml", second)
    result = import_returns(cin_census=[new, old])
    data, issues = read_cin_census([old, new])
    pd.testing.assert_frame_equal(result.data.events, data.events)
    assert result.data.events["code"].tolist() == ["2B"]
    assert len(result.issues) == len(issues) == 1


def test_upns_from_the_903_header(returns, tmp_path):
    header = pd.read_csv(returns["ssda903"] / "header.csv", dtype=str).dropna(subset=["UPN"])
    child, upn = header[["CHILD", "UPN"]].iloc[0]
    school = tmp_path / "school.csv"
    school.write_text(f"UPN,Kind,TermEnd,Rate\n{upn},ABS,2017-03-31,0.4\n", encoding="utf-8")
    result = import_returns(returns["ssda903"], extracts={school: SCHOOL})
    rates = result.data.events[result.data.events["event_type"] == "absence_rate"]
    assert rates[["person_id", "value"]].values.tolist() == [[child, 0.4]]


def test_903_and_cin_disagreements_on_a_child_are_reported(returns, tmp_path):
    header = pd.read_csv(returns["ssda903"] / "header.csv", dtype=str)
    pid = header["CHILD"].iloc[0]
    cin = cin_file(tmp_path, "cin.xml", cin_child(pid, "").replace("2009-04-01", "2001-01-01"))
    result = import_returns(returns["ssda903"], cin)
    d903, _ = read_ssda903(returns["ssda903"])
    kept = result.data.persons.set_index("person_id").loc[pid]
    assert kept["date_of_birth"] == d903.persons.set_index("person_id").loc[pid, "date_of_birth"]
    found = result.issues[result.issues["source"] == "import"]
    assert found["person_id"].unique().tolist() == [pid]
    dob = found[found["field"] == "date_of_birth"]
    assert dob[["file", "value", "consequence"]].values.tolist() == [
        [str(cin), "2001-01-01", "value assumed"]
    ]
    assert "the SSDA903 value is kept" in dob["reason"].item()
