"""The synthetic authority written as its returns: SSDA903 (CSV, XML), CIN census, extracts."""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
import yaml

import riskmodel as rm
from riskmodel.data import CIN_CENSUS_EVENT_TYPES, looked_after_on
from riskmodel.data.synthetic._cin_episodes import build_episodes
from riskmodel.exceptions import DataQualityWarning

lxml_etree = pytest.importorskip("lxml.etree")

XSD = Path(__file__).resolve().parents[2] / "fixtures" / "cin_census_xsd"
YEARS = list(range(2017, 2027))
FULL_LAYOUT = pd.Timestamp("2022-04-01")  # from the 2023 census on, no code is recoded
KEY = ["person_id", "event_date", "event_type", "code"]
_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


@pytest.fixture(scope="module")
def authority() -> rm.LocalAuthorityData:
    return rm.make_local_authority(
        n_children=2_000, start="2018-04-01", end="2026-03-31", random_state=3
    )


@pytest.fixture(scope="module")
def returns(authority, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("returns")
    with pytest.warns(DataQualityWarning, match="CIN events dated within the years written"):
        assert rm.write_returns(authority, out, years=YEARS) == out
    return out


def _window(frame: pd.DataFrame, column: str, first=None) -> pd.DataFrame:
    first = pd.Timestamp(YEARS[0] - 1, 4, 1) if first is None else first
    last = pd.Timestamp(YEARS[-1], 3, 31)
    return frame[(frame[column] >= first) & (frame[column] <= last)]


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_layout_has_every_year_in_each_form(returns):
    for year in YEARS:
        folder = returns / "ssda903" / str(year)
        assert sorted(p.name for p in folder.iterdir()) == [
            "episodes.csv", "header.csv", "missing.csv", "uasc.csv",
        ]  # fmt: skip
        assert (returns / "ssda903_xml" / f"SSDA903_{year}.xml").is_file()
        assert (returns / "cin_census" / f"CIN_Census_{year}.xml").is_file()
    header = _read_csv(returns / "ssda903" / "2024" / "header.csv")
    assert list(header) == ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
    episodes = _read_csv(returns / "ssda903" / "2024" / "episodes.csv")
    assert list(episodes) == [
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ]  # fmt: skip
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", episodes["DECOM"].iloc[0])
    extracts = returns / "extracts"
    stems = {p.stem for p in extracts.glob("*.csv")}
    assert stems == {p.stem for p in extracts.glob("*.yaml")}
    assert {"contacts", "early_help", "police_notifications", "school", "youth_justice"} <= stems


@pytest.mark.parametrize("year", [2019, 2024, 2026])
def test_each_903_year_read_alone_passes_validation(returns, authority, year):
    data, issues = rm.read_ssda903(returns / "ssda903" / str(year))
    data.validate()
    assert issues.empty, issues.head().to_string()
    first, last = pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
    care = authority.care_episodes
    expected = care[
        (care["start_date"] <= last) & (care["end_date"].isna() | (care["end_date"] >= first))
    ]
    got = data.care_episodes.sort_values(["person_id", "start_date"]).reset_index(drop=True)
    expected = expected.sort_values(["person_id", "start_date"]).reset_index(drop=True)
    assert len(got) == len(expected) > 0
    assert (got["person_id"] == expected["person_id"]).all()
    assert (got["start_date"] == expected["start_date"]).all()
    open_then = expected["end_date"].isna() | (expected["end_date"] > last)
    assert got["end_date"].isna().equals(open_then)
    assert (got["end_date"][~open_then] == expected["end_date"][~open_then]).all()
    assert set(data.persons["person_id"]) == set(expected["person_id"])
    persons = authority.persons.set_index("person_id").loc[data.persons["person_id"]]
    assert (data.persons["date_of_birth"].to_numpy() == persons["date_of_birth"].to_numpy()).all()
    assert (data.persons["sex"].to_numpy() == persons["sex"].to_numpy()).all()


def test_an_episode_open_on_31_march_is_restated_with_its_end_next_year(returns, authority):
    care = authority.care_episodes
    restated = 0
    for year in YEARS[:-1]:
        march = pd.Timestamp(year, 3, 31)
        spanning = care[
            (care["start_date"] <= march)
            & (care["end_date"] > march)
            & (care["end_date"] <= pd.Timestamp(year + 1, 3, 31))
        ]
        this = _read_csv(returns / "ssda903" / str(year) / "episodes.csv").set_index(
            ["CHILD", "DECOM"]
        )
        after = _read_csv(returns / "ssda903" / str(year + 1) / "episodes.csv").set_index(
            ["CHILD", "DECOM"]
        )
        for row in spanning.itertuples():
            key = (row.person_id, row.start_date.strftime("%d/%m/%Y"))
            assert this.loc[key, "DEC"] == "" and this.loc[key, "REC"] == ""
            assert after.loc[key, "DEC"] == row.end_date.strftime("%d/%m/%Y")
            restated += 1
    assert restated > 10


def test_missing_and_uasc_tables_hold_the_looked_after_children_of_the_year(returns, authority):
    year = 2024
    first, last = pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
    missing = authority.events[authority.events["event_type"] == "missing_episode"]
    missing = missing[(missing["event_date"] >= first) & (missing["event_date"] <= last)]
    looked_after = [
        pid in looked_after_on(authority.care_episodes, day, include_short_breaks=True)
        for pid, day in zip(missing["person_id"], missing["event_date"], strict=True)
    ]
    expected = missing[looked_after]
    table = _read_csv(returns / "ssda903" / str(year) / "missing.csv")
    got = pd.to_datetime(table["MIS_START"], format="%d/%m/%Y")
    assert sorted(zip(table["CHILD"], got, table["MISSING"], strict=True)) == sorted(
        zip(expected["person_id"], expected["event_date"], expected["code"], strict=True)
    )
    assert len(expected) > 0
    header = _read_csv(returns / "ssda903" / str(year) / "header.csv")
    uasc = _read_csv(returns / "ssda903" / str(year) / "uasc.csv")
    flagged = authority.persons.loc[authority.persons["uasc"].fillna(False).astype(bool)]
    assert set(uasc["CHILD"]) == set(header["CHILD"]) & set(flagged["person_id"])


def _xml_tables(path: Path) -> dict[str, list[dict]]:
    rename = {"CHILDID": "CHILD", "PL": "PLACE"}
    tables: dict[str, list[dict]] = {"HEADER": [], "EPISODE": [], "MISSING": [], "UASC": []}
    root = ET.parse(path).getroot()
    assert root.tag == "EXPSSDA903"
    for child in root.findall("CHILD"):
        child_id = child.find("HEADER/CHILDID").text
        for block in child:
            row = {rename.get(e.tag, e.tag): e.text for e in block}
            row.setdefault("CHILD", child_id)
            tables[block.tag].append(row)
    return tables


def test_903_xml_holds_the_same_return_as_the_csv_tables(returns):
    year = 2025
    tables = _xml_tables(returns / "ssda903_xml" / f"SSDA903_{year}.xml")
    for block, name in (
        ("HEADER", "header"), ("EPISODE", "episodes"), ("MISSING", "missing"), ("UASC", "uasc"),
    ):  # fmt: skip
        csv = _read_csv(returns / "ssda903" / str(year) / f"{name}.csv")
        rows = [{k: v for k, v in r.items() if v} for r in csv.to_dict("records")]
        assert sorted(map(sorted, (r.items() for r in tables[block]))) == sorted(
            map(sorted, (r.items() for r in rows))
        ), name
        assert len(rows) > 0 or name == "uasc"


@pytest.mark.parametrize("year", YEARS)
def test_cin_census_is_valid_against_its_years_schema(returns, year):
    schema = lxml_etree.XMLSchema(lxml_etree.parse(str(XSD / f"CIN_schema_{year}.xsd")))
    document = lxml_etree.parse(str(returns / "cin_census" / f"CIN_Census_{year}.xml"))
    assert schema.validate(document), str(schema.error_log)[:2000]


def test_sex_is_coded_1_2_up_to_2024_and_m_f_u_from_2025(returns):
    for year, codes in ((2024, {"1", "2"}), (2025, {"M", "F"})):
        header = _read_csv(returns / "ssda903" / str(year) / "header.csv")
        assert set(header["SEX"]) == codes
    old = ET.parse(returns / "cin_census" / "CIN_Census_2024.xml").getroot()
    new = ET.parse(returns / "cin_census" / "CIN_Census_2025.xml").getroot()
    assert {e.text for e in old.iter("GenderCurrent")} == {"1", "2"}
    assert not list(old.iter("Sex"))
    assert {e.text for e in new.iter("Sex")} == {"M", "F"}
    assert not list(new.iter("GenderCurrent"))


def _events(frame: pd.DataFrame) -> set[tuple]:
    codes = frame["code"].astype(object).where(frame["code"].notna(), None)
    return set(
        zip(frame["person_id"], frame["event_date"], frame["event_type"], codes, strict=True)
    )


def test_cin_census_read_back_gives_exactly_the_cin_events(returns, authority):
    data, issues = rm.read_cin_census(returns / "cin_census")
    canonical = authority.events[authority.events["event_type"].isin(CIN_CENSUS_EVENT_TYPES)]
    _, not_carried = build_episodes(authority.events)
    assert len(not_carried) < 0.005 * len(canonical)
    # From the 2022-23 census on, the layout holds every code and plan: exact equality.
    expected = _events(_window(canonical, "event_date", FULL_LAYOUT)) - _events(not_carried)
    got = _events(_window(data.events, "event_date", FULL_LAYOUT))
    assert got == expected
    assert {kind for _, _, kind, _ in got} == set(CIN_CENSUS_EVENT_TYPES)
    # Over all years: the same facts, codes rewritten only as the older layouts require.
    canon_all = _events(_window(canonical, "event_date")) - _events(not_carried)
    got_all = _events(_window(data.events, "event_date"))
    plans = {e for e in canon_all - got_all if e[2].startswith("cin_plan")}
    assert plans and all(e[1] < pd.Timestamp("2021-04-01") for e in plans)  # no plan dates
    recoded = {"18A": "18C", "19A": "19C", "RC9": "RC8", "5D": "5B"}
    missing = {e for e in canon_all - got_all - plans}
    assert {(p, d, t, recoded[c]) for p, d, t, c in missing} <= got_all
    # Every child with carried CIN events is a person, with its attributes.
    assert set(data.persons["person_id"]) == {e[0] for e in got_all}
    persons = authority.persons.set_index("person_id").loc[data.persons["person_id"]]
    for column in ("date_of_birth", "sex", "ethnicity", "disability"):
        assert (data.persons[column].to_numpy() == persons[column].to_numpy()).all(), column
    reasons = set(issues["reason"].str.extract(r"(latest file's code is kept)")[0].dropna())
    assert reasons <= {"latest file's code is kept"}


def test_cin_episode_open_on_31_march_is_restated_with_its_closure(returns):
    def closures(year):
        root = ET.parse(returns / "cin_census" / f"CIN_Census_{year}.xml").getroot()
        found = {}
        for child in root.iter("Child"):
            pid = child.find("ChildIdentifiers/LAchildID").text
            for details in child.findall("CINdetails"):
                closed = details.find("CINclosureDate")
                key = (pid, details.find("CINreferralDate").text)
                found[key] = None if closed is None else closed.text
        return found

    this, after = closures(2023), closures(2024)
    restated = [k for k, closed in this.items() if closed is None and after.get(k)]
    assert len(restated) > 5
    for key in restated:
        assert "2023-04-01" <= after[key] <= "2024-03-31"


def test_check_letter_matches_a_published_upn():
    from riskmodel.data.synthetic._upn import check_letter

    assert check_letter("801200005001") == "B"  # B801200005001, python-stdnum's example
    assert check_letter("80120000500A") == _LETTERS[(93 - 13 + 0) % 23]  # temporary UPN


def _check_letter_ok(upn: str) -> bool:
    total = sum(w * int(c) for w, c in enumerate(upn[1:], start=2))
    return upn[0] == _LETTERS[total % 23]


def test_upns_are_well_formed_and_linked_through_former_upns(returns, authority):
    header = pd.concat(
        _read_csv(returns / "ssda903" / str(y) / "header.csv") for y in (2020, 2024)
    ).drop_duplicates("CHILD")
    root = ET.parse(returns / "cin_census" / "CIN_Census_2024.xml").getroot()
    cin = {
        c.find("ChildIdentifiers/LAchildID").text: (
            c.find("ChildIdentifiers/UPN").text,
            getattr(c.find("ChildIdentifiers/FormerUPN"), "text", None),
        )
        for c in root.iter("Child")
    }
    upns = list(header["UPN"]) + [u for pair in cin.values() for u in pair if u]
    assert all(re.fullmatch(r"[A-Z]999\d{9}", u) and _check_letter_ok(u) for u in upns)
    current = {**dict(zip(header["CHILD"], header["UPN"], strict=True)),
               **{k: v[0] for k, v in cin.items()}}  # fmt: skip
    assert len(set(current.values())) == len(current)
    formers = {v[1]: k for k, v in cin.items() if v[1]}
    assert 0 < len(formers) < 0.15 * len(cin)
    assert not set(formers) & set(current.values())
    school = _read_csv(returns / "extracts" / "school.csv")
    assert "ChildID" not in school
    assert set(school["UPN"]) & set(formers)


def _map_extract(csv: Path, mapping: dict, upn_to_child: dict) -> pd.DataFrame:
    """A small reference reading of an extract through its mapping."""
    table = _read_csv(csv)
    if "upn" in mapping:
        person = table[mapping["upn"]].map(upn_to_child)
    else:
        person = table[mapping["person_id"]]
    if "type" in mapping:
        kind = table[mapping["type"]].map(mapping["types"])
    else:
        kind = pd.Series(mapping["event_type"], index=table.index)
    code = table[mapping["code"]] if "code" in mapping else pd.Series(None, index=table.index)
    value = table[mapping["value"]].replace("", None).astype(float) if "value" in mapping else None
    return pd.DataFrame({
        "person_id": person,
        "event_date": pd.to_datetime(table[mapping["date"]], format=mapping["date_format"]),
        "event_type": kind,
        "code": code.replace("", None),
        "value": value,
    })  # fmt: skip


def test_extracts_map_back_to_exactly_the_events_no_return_carries(returns, authority):
    upn_to_child = {}
    for year in YEARS:
        header = _read_csv(returns / "ssda903" / str(year) / "header.csv")
        upn_to_child.update(zip(header["UPN"], header["CHILD"], strict=True))
        root = ET.parse(returns / "cin_census" / f"CIN_Census_{year}.xml").getroot()
        for ids in root.iter("ChildIdentifiers"):
            for tag in ("UPN", "FormerUPN"):
                if ids.find(tag) is not None:
                    upn_to_child[ids.find(tag).text] = ids.find("LAchildID").text
    frames = []
    for csv in sorted((returns / "extracts").glob("*.csv")):
        mapping = yaml.safe_load(csv.with_suffix(".yaml").read_text())
        assert ("person_id" in mapping) != ("upn" in mapping)
        assert {"date", "date_format"} <= set(mapping)
        assert ("type" in mapping) == ("types" in mapping) != ("event_type" in mapping)
        frames.append(_map_extract(csv, mapping, upn_to_child))
    got = pd.concat(frames, ignore_index=True)
    events = _window(authority.events, "event_date")
    looked_after = pd.Series(
        [
            t == "missing_episode"
            and p in looked_after_on(authority.care_episodes, d, include_short_breaks=True)
            for p, d, t in zip(
                events["person_id"], events["event_date"], events["event_type"], strict=True
            )
        ],
        index=events.index,
    )
    in_returns = events["event_type"].isin(CIN_CENSUS_EVENT_TYPES) | looked_after
    expected = events[~in_returns]
    linked = got["person_id"].notna()
    # Pupils the social-care returns never mention cannot be linked by UPN.
    school = {"suspension", "permanent_exclusion", "absence_rate"}
    assert got.loc[~linked, "event_type"].isin(school).all()
    assert not set(expected.loc[expected["event_type"].isin(school), "person_id"]).isdisjoint(
        set(got.loc[linked, "person_id"])
    )
    keep = expected["person_id"].isin(set(upn_to_child.values())) | ~expected["event_type"].isin(
        school
    )
    columns = [*KEY, "value"]

    def rows(frame):
        frame = frame[columns].astype(object).where(frame[columns].notna(), None)
        return sorted(map(tuple, frame.to_numpy()), key=str)

    assert rows(got[linked]) == rows(expected[keep])
    assert len(got) == len(expected)


def test_hand_made_authority_unlike_the_synthetic_one(small_tables, tmp_path):
    housing = pd.DataFrame({
        "person_id": ["b"], "event_date": ["2022-05-02"], "event_type": ["housing_notice"],
        "code": ["H1"], "value": [2.5],
    })  # fmt: skip
    data = rm.LocalAuthorityData(
        small_tables["persons"],
        pd.concat([small_tables["events"], housing], ignore_index=True),
        small_tables["care_episodes"],
        extract_date="2023-03-31",
    )
    out = rm.write_returns(data, tmp_path)
    assert sorted(p.name for p in (out / "ssda903").iterdir()) == ["2020", "2021", "2022", "2023"]
    for year in (2020, 2023):
        schema = lxml_etree.XMLSchema(lxml_etree.parse(str(XSD / f"CIN_schema_{year}.xsd")))
        document = lxml_etree.parse(str(out / "cin_census" / f"CIN_Census_{year}.xml"))
        assert schema.validate(document), str(schema.error_log)
    cin, _ = rm.read_cin_census(out / "cin_census")
    assert list(cin.events["event_type"]) == ["referral"]
    assert cin.persons.set_index("person_id").loc["a", "sex"] == "M"
    episodes = _read_csv(out / "ssda903" / "2021" / "episodes.csv")
    assert list(episodes["DEC"]) == ["01/03/2021", ""]  # the second is open on 31 March 2021
    data_2022, issues = rm.read_ssda903(out / "ssda903" / "2022")
    data_2022.validate()
    assert issues.empty
    # The missing episode happened before care: a local record, not the 903's.
    local = _read_csv(out / "extracts" / "missing_local.csv")
    assert list(local["ChildID"]) == ["a"] and list(local["MissingType"]) == ["M"]
    assert _read_csv(out / "ssda903" / "2021" / "missing.csv").empty
    # An event type of no known family goes to a generic extract that names its type.
    other = _read_csv(out / "extracts" / "other_events.csv")
    assert other.to_dict("records") == [
        {"ChildID": "b", "EventType": "housing_notice", "EventDate": "02/05/2022",
         "Code": "H1", "Value": "2.5"}
    ]  # fmt: skip
    mapping = yaml.safe_load((out / "extracts" / "other_events.yaml").read_text())
    assert mapping["types"] == {"housing_notice": "housing_notice"}


def test_years_after_the_extract_date_are_refused(small_tables, tmp_path):
    data = rm.LocalAuthorityData(
        small_tables["persons"],
        small_tables["events"],
        small_tables["care_episodes"],
        extract_date="2023-03-30",
    )
    with pytest.raises(ValueError, match=r"years \[2023\] end after the data's extract date"):
        rm.write_returns(data, tmp_path, years=[2022, 2023])


def test_synth_command_writes_the_returns(tmp_path):
    from riskmodel.cli import main

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        code = main([
            "synth", "--out", str(tmp_path / "tables"), "--n-children", "300",
            "--start", "2021-04-01", "--end", "2023-03-31", "--returns", str(tmp_path / "r"),
        ])  # fmt: skip
    assert code == 0
    assert (tmp_path / "r" / "ssda903" / "2023" / "episodes.csv").is_file()
    assert (tmp_path / "r" / "cin_census" / "CIN_Census_2023.xml").is_file()
