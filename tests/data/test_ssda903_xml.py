"""The XML form of the SSDA903 return: same tables and checks as CSV, and safe parsing."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from ssda903_forms import write_csv_return, write_xml_return, xml_text

from riskmodel.data import read_ssda903
from riskmodel.data._ssda903_upns import ssda903_upns
from riskmodel.exceptions import SchemaError

SIGNATURE = ["person_id", "table", "field", "value", "consequence"]


def fixture_tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for name in ("header", "episodes", "missing", "uasc"):
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8-sig") as handle:
            tables[name] = list(csv.DictReader(handle))
    return tables


def sorted_tables(data) -> dict[str, pd.DataFrame]:
    out = {}
    for name in ("persons", "care_episodes", "events"):
        frame = getattr(data, name)
        out[name] = frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)
    return out


def assert_same_tables(one, other) -> None:
    for name, frame in sorted_tables(one).items():
        pd.testing.assert_frame_equal(frame, sorted_tables(other)[name])
    assert one.extract_date == other.extract_date


def signatures(issues: pd.DataFrame) -> Counter:
    return Counter(map(tuple, issues[SIGNATURE].astype(str).to_numpy()))


TWO_CHILDREN = {
    "header": [
        {"CHILD": "7", "SEX": "1", "DOB": "01/05/2008", "ETHNIC": "WBRI", "UPN": "A1"},
        {"CHILD": "8", "SEX": "2", "DOB": "01/05/2009", "ETHNIC": "XXXX", "UPN": ""},
    ],
    "episodes": [
        {"CHILD": "7", "DECOM": "01/06/2020", "RNE": "S", "LS": "C2", "PLACE": "U1"},
        {"CHILD": "8", "DECOM": "01/06/2020", "DEC": "01/07/2020", "LS": "ZZ", "REC": "E11"},
        {"CHILD": "8", "DECOM": "15/06/2020", "RNE": "P", "LS": "C2", "PLACE": "U1"},
    ],
    "missing": [{"CHILD": "7", "MISSING": "M", "MIS_START": "01/01/2021"}],
}


# --------------------------------------------------------------------------- same as CSV


def test_real_format_fixture_as_xml_gives_the_csv_tables_and_issues(tmp_path, fixtures_dir):
    folder = fixtures_dir / "ssda903"
    tables = fixture_tables(folder)
    from_csv, csv_issues = read_ssda903(folder)
    from_xml, xml_issues = read_ssda903(write_xml_return(tmp_path / "903.xml", tables))
    assert_same_tables(from_csv, from_xml)
    assert signatures(csv_issues) == signatures(xml_issues)
    assert set(xml_issues["file"]) == {"903.xml"}
    assert xml_issues["location"].str.fullmatch(r"CHILD \d+ / [A-Z]+ \d+").all()
    from_xml.validate()


def test_xml_locations_name_the_child_and_block(tmp_path):
    data, issues = read_ssda903(write_xml_return(tmp_path / "r.xml", TWO_CHILDREN))
    assert data.care_episodes["person_id"].tolist() == ["7", "8"]
    assert data.events["event_type"].tolist() == ["missing_episode"]
    assert issues[["location", "field", "consequence"]].values.tolist() == [
        ["CHILD 2 / HEADER 1", "ETHNIC", "value assumed"],
        ["CHILD 2 / EPISODE 1", "LS", "value dropped"],
        ["CHILD 2 / EPISODE 2", "DECOM", "record dropped"],
    ]
    assert issues["reason"].iloc[2] == (
        "the episode starts before the child's episode at CHILD 2 / EPISODE 1 has ended"
    )


def test_xml_pl_is_placement_and_other_blocks_are_not_read(tmp_path):
    text = xml_text(TWO_CHILDREN).replace(
        "<HEADER>", "<AD1><DATE_INT>01/01/2020</DATE_INT></AD1><HEADER>", 1
    )
    text = text.replace("<MOTHER></MOTHER>", "<AREVIEW><REVIEW>01/01/2021</REVIEW></AREVIEW>", 1)
    (tmp_path / "r.xml").write_text(text, encoding="utf-8")
    data, issues = read_ssda903(tmp_path / "r.xml")
    assert data.care_episodes["placement"].iloc[0] == "U1"
    assert len(issues) == 3


def test_namespaces_and_whitespace_are_accepted(tmp_path):
    text = xml_text(TWO_CHILDREN).replace("<EXPSSDA903>", '<EXPSSDA903 xmlns="urn:x">')
    text = text.replace("<SEX>1</SEX>", "<SEX>\n  1\n</SEX>")
    (tmp_path / "r.xml").write_text(text, encoding="utf-8")
    data, _ = read_ssda903(tmp_path / "r.xml")
    plain, _ = read_ssda903(write_xml_return(tmp_path / "plain.xml", TWO_CHILDREN))
    assert_same_tables(data, plain)


def test_upns_come_from_header_upn_in_both_forms(tmp_path):
    from_csv = ssda903_upns(write_csv_return(tmp_path / "csv", TWO_CHILDREN))
    from_xml = ssda903_upns(write_xml_return(tmp_path / "r.xml", TWO_CHILDREN))
    assert from_csv.values.tolist() == [["A1", "7", "header.csv", "line 2"]]
    assert from_xml.values.tolist() == [["A1", "7", "r.xml", "CHILD 1 / HEADER 1"]]


# --------------------------------------------------------------------------- hostile files


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hostile.xml"
    path.write_text(text, encoding="utf-8")
    return path


BODY = xml_text(TWO_CHILDREN).split("\n", 1)[1]


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE EXPSSDA903 [<!ENTITY a "x">]>',
        '<!DOCTYPE EXPSSDA903 [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE EXPSSDA903 SYSTEM "http://example.invalid/x.dtd">',
        '<!DOCTYPE EXPSSDA903 [<!ENTITY ext SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_a_dtd_or_entity_declaration_is_refused(tmp_path, prolog):
    path = write(tmp_path, prolog + "\n" + BODY.replace("<ETHNIC>WBRI", "<ETHNIC>&b;WBRI"))
    with pytest.raises(SchemaError, match=r"hostile\.xml: a DTD or entity declaration"):
        read_ssda903(path)


def test_deep_nesting_is_a_schema_error_not_a_recursion_error(tmp_path):
    depth = 10_000
    inner = "<X>" * depth + "</X>" * depth
    path = write(tmp_path, BODY.replace("<AREVIEW>", "").replace("<MOTHER>", "<MOTHER>" + inner))
    with pytest.raises(SchemaError, match="nested deeper than 32 levels"):
        read_ssda903(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<EXPSSDA903><CHILD></EXPSSDA903>", r"not well-formed XML: mismatched tag at line 1"),
        ("<Message><Header/></Message>", r"the root element is <Message>, expected <EXPSSDA903>"),
        ("<EXPSSDA903><CHILD><EPISODE/></CHILD></EXPSSDA903>", r"no <CHILD> with a <HEADER>"),
        ("<EXPSSDA903>&amp;<CHILD>&undefined;</CHILD></EXPSSDA903>", r"undefined entity"),
    ],
)
def test_broken_or_foreign_xml_is_refused_by_name(tmp_path, text, message):
    with pytest.raises(SchemaError, match=message):
        read_ssda903(write(tmp_path, text))


def test_a_field_given_twice_uses_the_first(tmp_path):
    text = xml_text(TWO_CHILDREN).replace("<SEX>1</SEX>", "<SEX>1</SEX><SEX>2</SEX>", 1)
    data, _ = read_ssda903(write(tmp_path, text))
    assert data.persons.set_index("person_id").loc["7", "sex"] == "M"
