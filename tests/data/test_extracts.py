"""Tests of local extracts read through a mapping: every row an event or an issue."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskmodel.data import EVENT_TYPES, read_extract
from riskmodel.exceptions import SchemaError

PERSONS = pd.DataFrame({"person_id": ["C1", "C2", "C3", "C4"]})
UPNS = pd.DataFrame(
    {
        "upn": [
            "A100000000001",
            "A100000000002",
            "X20000000000B",
            "A300000000003",
            "A300000000003",
        ],
        "person_id": ["C1", "C2", "C2", "C3", "C4"],
        "file": "header.csv",
        "location": "line 2",
    }
)

POLICE = """ChildID,NotifiedOn,Ref
C1,01/02/2023,P1
C2,15/03/2023,
,02/02/2023,P3
C1,31/02/2023,P4
C9,01/03/2023,P5
C1,01/02/2023,P1
C2,,P7
C3,01/05/2030,P8
"""
POLICE_MAPPING = {
    "source": "police notifications",
    "person_id": "ChildID",
    "date": "NotifiedOn",
    "date_format": "%d/%m/%Y",
    "event_type": "police_domestic_abuse",
    "code": "Ref",
}

SCHOOL = """UPN,Kind,Date,Rate
a100000000001,SUSP,2023-01-10,
A100000000001,ABS,2023-03-31,0.125
X20000000000B,ABS,2023-03-31,0.2
A300000000003,ABS,2023-03-31,0.1
B999999999999,ABS,2023-03-31,0.1
A100000000002,MOVE,2023-04-02,
A100000000002,XXX,2023-04-03,
A100000000002,,2023-04-04,
A100000000002,ABS,2023-07-20,lots
A100000000002,ABS,2023-07-20,inf
,ABS,2023-07-20,0.3
"""
SCHOOL_MAPPING = {
    "source": "school census",
    "upn": "UPN",
    "date": "Date",
    "type": "Kind",
    "types": {"SUSP": "suspension", "ABS": "absence_rate", "MOVE": "school_move"},
    "value": "Rate",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def plain(events: pd.DataFrame) -> list[list]:
    return events.astype(object).where(events.notna(), None).values.tolist()


def by_line(issues: pd.DataFrame) -> dict[int, tuple]:
    issues = issues.astype(object).where(issues.notna(), None)
    return {
        int(row.location.removeprefix("line ")): (row.person_id, row.field, row.value, row.reason)
        for row in issues.itertuples()
    }


def test_police_extract_by_child_id(tmp_path):
    path = write(tmp_path, "police.csv", POLICE)
    events, issues = read_extract(path, POLICE_MAPPING, persons=PERSONS, extract_date="2024-03-31")
    assert plain(events) == [
        ["C1", pd.Timestamp("2023-02-01"), "police_domestic_abuse", "P1", None],
        ["C2", pd.Timestamp("2023-03-15"), "police_domestic_abuse", None, None],
    ]
    assert set(issues["consequence"]) == {"record dropped"}
    assert (issues["file"] == str(path)).all() and (issues["table"] == "events").all()
    got = by_line(issues)
    assert sorted(got) == [4, 5, 6, 7, 8, 9]  # every data line is an event or an issue
    assert got[4][1:] == ("ChildID", None, "no ChildID (the child's id)")
    assert got[5][:3] == ("C1", "NotifiedOn", "31/02/2023")
    assert "not a date in the format %d/%m/%Y" in got[5][3]
    assert got[6][:3] == ("C9", "ChildID", "C9")
    assert "not in persons" in got[6][3]
    assert got[7][3] == "identical to line 2"
    assert got[8][1:] == ("NotifiedOn", None, "no NotifiedOn (the event's date)")
    assert got[9][3] == "NotifiedOn is after the extract date 2024-03-31"


def test_school_extract_by_upn(tmp_path):
    path = write(tmp_path, "school.csv", SCHOOL)
    events, issues = read_extract(path, SCHOOL_MAPPING, upns=UPNS, persons=PERSONS)
    assert plain(events) == [
        ["C1", pd.Timestamp("2023-01-10"), "suspension", None, None],  # case of the UPN ignored
        ["C1", pd.Timestamp("2023-03-31"), "absence_rate", None, 0.125],
        ["C2", pd.Timestamp("2023-03-31"), "absence_rate", None, 0.2],  # a former UPN
        ["C2", pd.Timestamp("2023-04-02"), "school_move", None, None],  # kept as given
    ]
    assert "school_move" not in EVENT_TYPES
    got = by_line(issues)
    assert sorted(got) == [5, 6, 8, 9, 10, 11, 12]
    assert got[5] == (
        None,
        "UPN",
        "A300000000003",
        "the UPN links to 2 children (C3, C4)",
    )
    assert got[6][:3] == (None, "UPN", "B999999999999")
    assert "not among the UPNs" in got[6][3]
    assert got[8][:3] == ("C2", "Kind", "XXX")
    assert got[9][1:] == ("Kind", None, "no Kind (the kind of event)")
    assert got[10][1:] == ("Rate", "lots", "Rate is not a number")
    assert got[11][1:] == ("Rate", "inf", "Rate is not a number")
    assert got[12][:2] == (None, "UPN")


def test_a_row_with_several_problems_lists_them_all(tmp_path):
    path = write(tmp_path, "p.csv", "ChildID,NotifiedOn\nC9,yesterday\n")
    mapping = {**POLICE_MAPPING, "code": None}
    events, issues = read_extract(path, mapping, persons=PERSONS)
    assert events.empty
    reason = issues["reason"].item()
    assert "not in persons" in reason and "not a date" in reason
    assert issues["field"].item() == "ChildID"  # the first problem names field and value


def test_without_persons_any_child_is_kept(tmp_path):
    path = write(tmp_path, "police.csv", POLICE)
    events, issues = read_extract(path, POLICE_MAPPING)
    assert "C9" in set(events["person_id"])
    assert not issues["reason"].str.contains("not in persons").any()


def test_mapping_from_a_yaml_file_is_the_same_as_a_dict(tmp_path):
    path = write(tmp_path, "school.csv", SCHOOL)
    import yaml

    yaml_path = write(tmp_path, "school.yaml", yaml.safe_dump(SCHOOL_MAPPING))
    from_dict = read_extract(path, SCHOOL_MAPPING, upns=UPNS, persons=PERSONS)
    from_file = read_extract(path, yaml_path, upns=UPNS, persons=PERSONS)
    pd.testing.assert_frame_equal(from_dict[0], from_file[0])
    pd.testing.assert_frame_equal(
        from_dict[1].drop(columns="reason"), from_file[1].drop(columns="reason")
    )


def test_upn_mapping_needs_upns(tmp_path):
    path = write(tmp_path, "school.csv", SCHOOL)
    with pytest.raises(SchemaError, match="identifies children by UPN"):
        read_extract(path, SCHOOL_MAPPING)


def test_header_only_extract_gives_nothing(tmp_path):
    path = write(tmp_path, "police.csv", "ChildID,NotifiedOn,Ref\n")
    events, issues = read_extract(path, POLICE_MAPPING, persons=PERSONS)
    assert events.empty and issues.empty
    assert list(events.columns) == ["person_id", "event_date", "event_type", "code", "value"]


def test_mapping_names_a_column_the_extract_lacks(tmp_path):
    path = write(tmp_path, "police.csv", POLICE)
    mapping = write(tmp_path, "police.yaml", "person_id: ChildId\ndate: NotifiedOn\n"
                    "date_format: '%d/%m/%Y'\nevent_type: police_domestic_abuse\n")  # fmt: skip
    with pytest.raises(
        SchemaError, match=r"police\.csv: no column 'ChildId'.*police\.yaml.*'person_id'"
    ):
        read_extract(path, mapping)


GOOD = "person_id: ChildID\ndate: NotifiedOn\nevent_type: police_domestic_abuse\n"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (GOOD + "evnt_type: x\n", r"unknown key\(s\) 'evnt_type'"),
        (GOOD + "upn: UPN\n", r"exactly one of 'person_id'.*both given"),
        ("date: NotifiedOn\nevent_type: contact\n", r"exactly one of 'person_id'.*neither"),
        ("person_id: ChildID\nevent_type: contact\n", r"key 'date'.* is missing"),
        (GOOD + "date_format: '%d'\n", r"key 'date_format' '%d' is not a strptime format"),
        (GOOD + "date_format: 'dd/mm/yyyy'\n", r"key 'date_format'"),
        (GOOD + "type: Kind\n", r"either 'type'.*'event_type'.*both given"),
        ("person_id: ChildID\ndate: NotifiedOn\n", r"either 'type'.*neither given"),
        (GOOD + "types: {A: contact}\n", r"key 'types' needs 'type'"),
        ("person_id: ChildID\ndate: D\ntype: Kind\n", r"key 'types' must map each value"),
        ("person_id: ChildID\ndate: D\ntype: K\ntypes: {A: Early Help}\n", r"key 'types.A'"),
        ("person_id: ChildID\ndate: D\ntype: K\ntypes: {yes: contact}\n", r"'types': True"),
        ("person_id: ChildID\ndate: D\nevent_type: 12\n", r"key 'event_type' must be text"),
        ("person_id: [a, b]\ndate: D\nevent_type: contact\n", r"key 'person_id' must be text"),
        ("- person_id\n- date\n", r"a mapping file holds keys .* not a list"),
        ("person_id: ChildID\ndate: [D\n", r"not valid YAML at line 3, column 1"),
        ("person_id: ChildID\n  date: D\n", r"not valid YAML at line 2"),
    ],
)
def test_bad_mapping_files_name_the_file_and_the_key(tmp_path, text, pattern):
    csv = write(tmp_path, "police.csv", POLICE)
    mapping = write(tmp_path, "police.yaml", text)
    with pytest.raises(SchemaError, match=rf"police\.yaml: .*{pattern}"):
        read_extract(csv, mapping)


def test_integer_type_values_and_month_precision_dates(tmp_path):
    path = write(tmp_path, "eh.csv", "Child,Month,Kind\nC1,03/2023,1\nC2,04/2023,2\n")
    mapping = write(
        tmp_path,
        "eh.yaml",
        "person_id: Child\ndate: Month\ndate_format: '%m/%Y'\ntype: Kind\n"
        "types:\n  1: early_help_start\n  2: early_help_end\n",
    )
    events, issues = read_extract(path, mapping, persons=PERSONS)
    assert issues.empty
    assert events[["event_date", "event_type"]].values.tolist() == [
        [pd.Timestamp("2023-03-01"), "early_help_start"],
        [pd.Timestamp("2023-04-01"), "early_help_end"],
    ]
