"""The SSDA903 reader: real-format fixtures, format variants, and every kind of error."""

from __future__ import annotations

import csv
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.data import LocalAuthorityData, read_ssda903
from riskmodel.data._columns import TABLES
from riskmodel.data._issues import ISSUE_COLUMNS
from riskmodel.exceptions import SchemaError

DROPPED = "record dropped"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n"
)
MISSING = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
UASC = "CHILD,SEX,DOB,DUC\n"


# --------------------------------------------------------------------------- helpers


def write_return(folder: Path, header: str, episodes: str, missing=None, uasc=None) -> Path:
    """Write a 903 return (header line added to each file) and return its folder."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = {"header": HEADER + header, "episodes": EPISODES + episodes}
    if missing is not None:
        parts["missing"] = MISSING + missing
    if uasc is not None:
        parts["uasc"] = UASC + uasc
    for name, text in parts.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def episode(child, decom, dec="", ls="C2", rec="X1", rne="S", cin="N1", place="U1") -> str:
    return f"{child},{decom},{rne},{ls},{cin},{place},PR1,{dec},{rec},,AB1 2CD,WX3 4YZ,123\n"


ONE_CHILD = "1,1,01/05/2008,WBRI,A123,,\n"


def issues_for(issues: pd.DataFrame, file: str, line: int) -> pd.DataFrame:
    return issues[(issues["file"] == file) & (issues["location"] == f"line {line}")]


def dropped(issues: pd.DataFrame, file: str) -> pd.DataFrame:
    return issues[(issues["file"] == file) & (issues["consequence"] == DROPPED)]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- real fixtures


@pytest.fixture(scope="module")
def ssda903_dir(fixtures_dir: Path) -> Path:
    folder = fixtures_dir / "ssda903"
    if not folder.is_dir():
        raise FileNotFoundError(f"SSDA903 fixtures not found at {folder}")
    return folder


@pytest.fixture(scope="module")
def fixture_read(ssda903_dir: Path) -> tuple[LocalAuthorityData, pd.DataFrame]:
    return read_ssda903(ssda903_dir)


def test_fixture_files_have_the_documented_sizes(ssda903_dir):
    sizes = {name: len(csv_rows(ssda903_dir / f"{name}.csv")) for name in
             ("header", "episodes", "missing", "uasc")}  # fmt: skip
    assert sizes == {"header": 2675, "episodes": 5050, "missing": 43, "uasc": 132}


def test_fixture_every_header_row_is_a_person_or_reported(ssda903_dir, fixture_read):
    data, issues = fixture_read
    rows = csv_rows(ssda903_dir / "header.csv")
    gone = dropped(issues, "header.csv")
    added_from_uasc = issues[
        (issues["file"] == "uasc.csv") & issues["reason"].str.contains("not in header.csv")
    ]
    from_header = data.persons[~data.persons["person_id"].isin(added_from_uasc["person_id"])]
    assert len(rows) == len(from_header) + gone["location"].nunique()
    assert gone["location"].is_unique
    children = {row["CHILD"] for row in rows}
    dropped_children = set(gone["person_id"]) - set(from_header["person_id"])
    assert len(children) == len(from_header) + len(dropped_children)
    assert set(from_header["person_id"]) <= children


def test_fixture_every_episode_missing_and_uasc_row_lands_or_is_reported(
    ssda903_dir, fixture_read
):
    data, issues = fixture_read
    n = {name: len(csv_rows(ssda903_dir / f"{name}.csv")) for name in
         ("episodes", "missing", "uasc")}  # fmt: skip
    for name in n:
        assert dropped(issues, f"{name}.csv")["location"].is_unique, name
    missing_events = data.events[data.events["event_type"] == "missing_episode"]
    assert n["episodes"] == len(data.care_episodes) + len(dropped(issues, "episodes.csv"))
    assert n["missing"] == len(missing_events) + len(dropped(issues, "missing.csv"))
    assert n["uasc"] == int(data.persons["uasc"].sum()) + len(dropped(issues, "uasc.csv"))


def test_fixture_result_validates_and_reports_known_problems(fixture_read):
    data, issues = fixture_read
    assert data.validate() is data  # warnings are errors under pytest
    assert list(issues.columns) == list(ISSUE_COLUMNS)
    assert set(issues["consequence"]) <= {"record dropped", "value dropped", "value assumed"}
    # the fixture has deliberately overlapping episodes (and nothing else wrong here)
    overlaps = dropped(issues, "episodes.csv")
    assert len(overlaps) == 72
    assert overlaps["reason"].str.contains("before the child's episode at line").all()
    assert data.extract_date == pd.Timestamp("2018-04-01")  # the latest DEC


def test_fixture_kept_episodes_equal_the_file_minus_dropped_rows(ssda903_dir, fixture_read):
    data, issues = fixture_read
    raw = pd.read_csv(ssda903_dir / "episodes.csv", dtype=str, keep_default_na=False)
    raw.index = raw.index + 2  # file line numbers
    gone = dropped(issues, "episodes.csv")["location"].str.removeprefix("line ").astype(int)
    kept = raw.drop(index=gone)
    expected = pd.DataFrame(
        {
            "person_id": kept["CHILD"].to_numpy(),
            "start_date": pd.to_datetime(kept["DECOM"], format="%d/%m/%Y").to_numpy("M8[ns]"),
            "end_date": pd.to_datetime(kept["DEC"], format="%d/%m/%Y").to_numpy("M8[ns]"),
            "legal_status": kept["LS"].to_numpy(),
            "reason_episode_ceased": kept["REC"].to_numpy(),
            "placement": kept["PLACE"].to_numpy(),
        }
    )
    got = data.care_episodes[expected.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_fixture_overlaps_match_a_plain_loop(ssda903_dir, fixture_read):
    """Reference: walk each child's episodes in start order, keeping non-overlapping ones."""
    _, issues = fixture_read
    rows = csv_rows(ssda903_dir / "episodes.csv")
    by_child: dict[str, list] = {}
    for line, row in enumerate(rows, start=2):
        start = datetime.strptime(row["DECOM"], "%d/%m/%Y")
        end = datetime.strptime(row["DEC"], "%d/%m/%Y") if row["DEC"] else None
        by_child.setdefault(row["CHILD"], []).append((start, line, end))
    expected = set()
    for spells in by_child.values():
        last_start = last_end = None
        first = True
        for start, line, end in sorted(spells, key=lambda s: (s[0], s[1])):
            if not first and (last_end is None or start < last_end or start == last_start):
                expected.add(f"line {line}")
                continue
            first, last_start, last_end = False, start, end
    assert set(dropped(issues, "episodes.csv")["location"]) == expected


def test_fixture_postcodes_and_urn_are_not_carried(ssda903_dir, fixture_read):
    data, _ = fixture_read
    for name, columns in TABLES.items():
        assert list(getattr(data, name).columns) == [c.name for c in columns], name
    raw = pd.read_csv(ssda903_dir / "episodes.csv", dtype=str)
    secrets = set(raw["HOME_POST"].dropna()) | set(raw["PL_POST"].dropna())
    for name in TABLES:
        table = getattr(data, name).astype("object")
        assert not table.isin(secrets).any().any(), name


def test_fixture_with_an_earlier_extract_date(ssda903_dir):
    data, issues = read_ssda903(ssda903_dir, extract_date="2017-12-31")
    data.validate()
    assert data.extract_date == pd.Timestamp("2017-12-31")
    late = dropped(issues, "episodes.csv")
    assert late["reason"].eq("DECOM is after the extract date 2017-12-31").sum() > 100
    opened = issues[issues["reason"].str.startswith("DEC is after the extract date")]
    assert len(opened) > 100 and set(opened["consequence"]) == {"value dropped"}
    n = len(csv_rows(ssda903_dir / "episodes.csv"))
    assert n == len(data.care_episodes) + len(dropped(issues, "episodes.csv"))
    assert (data.care_episodes["start_date"] <= data.extract_date).all()
    assert not (data.care_episodes["end_date"] > data.extract_date).any()


# --------------------------------------------------------------------------- format variants


def test_sex_codes_of_every_year_are_accepted(tmp_path):
    header = "".join(
        f"{i},{sex},01/05/2008,WBRI,,,\n" for i, sex in enumerate(["1", "2", "M", "F", "U", "f"])
    )
    data, issues = read_ssda903(write_return(tmp_path, header, episode(0, "01/06/2020")))
    assert data.persons["sex"].tolist() == ["M", "F", "M", "F", "U", "F"]
    assert issues.empty


def test_iso_and_uk_dates_give_the_same_result(tmp_path):
    uk, _ = read_ssda903(write_return(tmp_path / "uk", ONE_CHILD, episode(1, "01/06/2020")))
    iso_header = ONE_CHILD.replace("01/05/2008", "2008-05-01")
    iso, issues = read_ssda903(
        write_return(tmp_path / "iso", iso_header, episode(1, "2020-06-01"))
    )
    assert issues.empty
    pd.testing.assert_frame_equal(uk.persons, iso.persons)
    pd.testing.assert_frame_equal(uk.care_episodes, iso.care_episodes)
    assert uk.persons.loc[0, "date_of_birth"] == pd.Timestamp("2008-05-01")


def test_byte_order_mark_and_extra_columns_are_fine(tmp_path):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020"))
    text = (folder / "header.csv").read_text(encoding="utf-8")
    text = text.replace("MC_DOB\n", "MC_DOB,NOTES\n").replace(",,\n", ",,,private note\n")
    (folder / "header.csv").write_text("\ufeff" + text, encoding="utf-8")
    data, issues = read_ssda903(folder)
    assert issues.empty
    assert data.persons["person_id"].tolist() == ["1"]
    assert "NOTES" not in data.persons.columns
    assert not data.persons.astype("object").isin(["private note"]).any().any()


def test_file_names_are_matched_case_insensitively(tmp_path):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020"), missing="", uasc="")
    (folder / "header.csv").rename(folder / "Header.CSV")
    (folder / "episodes.csv").rename(folder / "EPISODES.csv")
    (folder / "notes.txt").write_text("not part of the return")
    data, _ = read_ssda903(folder)
    assert len(data.persons) == 1 and len(data.care_episodes) == 1


def test_files_can_be_passed_one_by_one_or_as_a_list(tmp_path):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020"))
    one_by_one, _ = read_ssda903(header=folder / "header.csv", episodes=folder / "episodes.csv")
    listed, _ = read_ssda903([folder / "header.csv", folder / "episodes.csv"])
    for data in (one_by_one, listed):
        assert len(data.persons) == 1 and len(data.care_episodes) == 1
    other = tmp_path / "other.csv"
    other.write_text(HEADER + "2,2,01/05/2009,WBRI,,,\n", encoding="utf-8")
    data, issues = read_ssda903(folder, header=other)  # a keyword wins over the folder
    assert data.persons["person_id"].tolist() == ["2"]
    assert set(issues["file"]) == {"episodes.csv"}
    with pytest.raises(SchemaError, match=r"notes\.csv: not an SSDA903 file name"):
        read_ssda903([folder / "header.csv", folder / "episodes.csv", tmp_path / "notes.csv"])


def test_missing_and_uasc_files_are_optional(tmp_path):
    data, issues = read_ssda903(write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020")))
    assert data.events.empty and issues.empty
    assert data.persons["uasc"].tolist() == [False]


# --------------------------------------------------------------------------- unreadable files


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"header\.csv: the file is empty"),
        (
            HEADER.encode() + b"1,1,01/05/2008,WBRI,Gr\xe9goire,,\n",
            r"header\.csv: not UTF-8.*line 2",
        ),
        (HEADER.replace(",", ";").encode() + b"1;1;01/05/2008;WBRI;;;\n", r"header\.csv.*';'"),
        (b"CHILD,SEX,ETHNIC\n1,1,WBRI\n", r"header\.csv: missing column\(s\) DOB"),
        (HEADER.encode() + b"1,1,01/05/2008,WBRI,,,\n2,1,01/05/2008\n", r"header\.csv.*line 3"),
    ],
    ids=["empty", "not-utf8", "semicolons", "missing-column", "ragged"],
)
def test_unreadable_header_raises_naming_the_file(tmp_path, content, message):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020"))
    (folder / "header.csv").write_bytes(content)
    with pytest.raises(SchemaError, match=message):
        read_ssda903(folder)


def test_episodes_without_a_required_column_raise(tmp_path):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020"))
    (folder / "episodes.csv").write_text("CHILD,DECOM,RNE,CIN,PLACE,DEC,REC\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"episodes\.csv: missing column\(s\) LS"):
        read_ssda903(folder)


def test_a_return_without_episodes_or_a_folder_raises(tmp_path):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020"))
    (folder / "episodes.csv").unlink()
    with pytest.raises(SchemaError, match="no episodes.csv in"):
        read_ssda903(folder)
    with pytest.raises(SchemaError, match="not a directory"):
        read_ssda903(folder / "header.csv")


# --------------------------------------------------------------------------- record problems


@pytest.mark.parametrize(
    ("dob", "reason"),
    [
        ("31/02/2010", "DOB is not a date"),
        ("2010-13-01", "DOB is not a date"),
        ("01/01/1066", "DOB is not a date"),
        ("", "DOB is missing"),
        ("01/01/2030", "DOB is after the extract date 2024-03-31"),
    ],
)
def test_bad_date_of_birth_drops_the_child_and_their_records(tmp_path, dob, reason):
    header = ONE_CHILD + f"2,2,{dob},WBRI,,,\n"
    episodes = episode(1, "01/06/2020") + episode(2, "01/06/2020")
    folder = write_return(tmp_path, header, episodes, missing="2,,M,01/07/2020,02/07/2020\n")
    data, issues = read_ssda903(folder, extract_date="2024-03-31")
    data.validate()
    assert data.persons["person_id"].tolist() == ["1"]
    assert data.care_episodes["person_id"].tolist() == ["1"]
    assert data.events.empty
    person = issues_for(issues, "header.csv", 3)
    assert person[["field", "consequence"]].values.tolist() == [["DOB", DROPPED]]
    assert person["reason"].iloc[0].startswith(reason)
    for file in ("episodes.csv", "missing.csv"):
        follow = issues_for(issues, file, 3 if file == "episodes.csv" else 2)
        assert follow["reason"].tolist() == ["the child's row in header.csv was dropped"]


def test_invalid_sex_and_missing_child_are_dropped(tmp_path):
    header = ONE_CHILD + "2,7,01/05/2008,WBRI,,,\n,1,01/05/2008,WBRI,,,\n3,,01/05/2008,WBRI,,,\n"
    data, issues = read_ssda903(write_return(tmp_path, header, episode(1, "01/06/2020")))
    assert data.persons["person_id"].tolist() == ["1"]
    assert issues["reason"].tolist() == [
        "SEX is not a valid code (1, 2, M, F or U)",
        "CHILD is missing",
        "SEX is missing",
    ]


def test_a_child_listed_twice_keeps_the_first_valid_row(tmp_path):
    header = "1,1,31/02/2008,WBRI,,,\n1,2,01/05/2008,BAFR,,,\n1,1,01/05/2009,WBRI,,,\n"
    data, issues = read_ssda903(write_return(tmp_path, header, episode(1, "01/06/2020")))
    assert data.persons[["person_id", "sex", "ethnicity"]].values.tolist() == [["1", "F", "BAFR"]]
    assert issues["location"].tolist() == ["line 2", "line 4"]
    assert issues["reason"].iloc[1] == "CHILD is listed twice; the row at line 3 is used"


def test_overlapping_episode_is_dropped_and_the_earlier_kept(tmp_path):
    episodes = (
        episode(1, "01/01/2020", "10/01/2020")  # line 2: kept
        + episode(1, "02/01/2020", "20/01/2020")  # line 3: overlaps line 2
        + episode(1, "10/01/2020", "15/01/2020")  # line 4: starts as line 2 ends: kept
        + episode(1, "15/01/2020")  # line 5: open, kept
        + episode(1, "01/02/2020", "05/02/2020")  # line 6: starts while line 5 is open
        + episode(1, "01/01/2020", "01/01/2020")  # line 7: same DECOM as line 2
    )
    data, issues = read_ssda903(write_return(tmp_path, ONE_CHILD, episodes))
    data.validate()
    assert data.care_episodes["start_date"].dt.strftime("%d/%m").tolist() == [
        "01/01", "10/01", "15/01"
    ]  # fmt: skip
    assert issues[["location", "reason"]].values.tolist() == [
        ["line 3", "the episode starts before the child's episode at line 2 has ended"],
        ["line 6", "the episode starts before the child's episode at line 5 has ended"],
        ["line 7", "DECOM is the same as that of the child's episode at line 2"],
    ]


def test_episode_date_problems_drop_the_episode(tmp_path):
    episodes = (
        episode(1, "01/06/2020", "01/05/2020")  # line 2: DEC before DECOM
        + episode(1, "31/06/2020")  # line 3: no such date
        + episode(1, "")  # line 4: no start
        + episode(1, "01/06/2007")  # line 5: before the child was born
        + episode(1, "01/06/2025")  # line 6: after the extract date
        + episode(1, "01/07/2020", "32/07/2020")  # line 7: DEC not a date
        + episode(1, "01/08/2020", "01/08/2020")  # line 8: a one-day episode is fine
    )
    data, issues = read_ssda903(
        write_return(tmp_path, ONE_CHILD, episodes), extract_date="2024-03-31"
    )
    data.validate()
    assert data.care_episodes["start_date"].tolist() == [pd.Timestamp("2020-08-01")]
    assert issues["reason"].str.split(" \\(").str[0].tolist() == [
        "DEC is before DECOM",
        "DECOM is not a date",
        "DECOM is missing",
        "DECOM is before the child's DOB",
        "DECOM is after the extract date 2024-03-31",
        "DEC is not a date",
    ]
    assert (issues["consequence"] == DROPPED).all()


def test_dec_after_the_extract_date_keeps_the_episode_open(tmp_path):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020", "01/06/2025"))
    data, issues = read_ssda903(folder, extract_date="2024-03-31")
    assert data.care_episodes["end_date"].isna().tolist() == [True]
    assert issues[["field", "consequence"]].values.tolist() == [["DEC", "value dropped"]]


def test_records_of_children_not_in_header_are_dropped(tmp_path):
    folder = write_return(
        tmp_path,
        ONE_CHILD,
        episode(1, "01/06/2020") + episode(9, "01/06/2020") + episode("", "01/06/2020"),
        missing="9,01/05/2008,M,01/07/2020,\n",
    )
    data, issues = read_ssda903(folder)
    data.validate()
    assert data.care_episodes["person_id"].tolist() == ["1"] and data.events.empty
    assert issues[["file", "location", "person_id", "reason"]].fillna("-").values.tolist() == [
        ["episodes.csv", "line 3", "9", "child not in header.csv"],
        ["episodes.csv", "line 4", "-", "CHILD is missing"],
        ["missing.csv", "line 2", "9", "child not in header.csv"],
    ]


def test_extract_date_is_inferred_from_episodes_and_missing_starts(tmp_path):
    folder = write_return(
        tmp_path,
        ONE_CHILD,
        episode(1, "01/06/2020", "01/09/2020"),
        missing="1,01/05/2008,M,15/08/2020,01/10/2020\n",
    )
    data, _ = read_ssda903(folder)
    assert data.extract_date == pd.Timestamp("2020-09-01")  # MIS_END does not count


def test_dates_after_today_are_dropped_when_no_extract_date_is_given(tmp_path):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020") + episode(1, "01/06/2150"))
    data, issues = read_ssda903(folder)
    data.validate()
    assert data.extract_date == pd.Timestamp("2020-06-01")
    assert issues["reason"].tolist() == ["DECOM is after the extract date 2020-06-01"]


# --------------------------------------------------------------------------- value problems


def test_unknown_codes_are_dropped_from_the_episode_which_is_kept(tmp_path):
    episodes = episode(1, "01/06/2020", ls="C9", rec="E99", rne="s", cin="N0", place="XX")
    data, issues = read_ssda903(write_return(tmp_path, ONE_CHILD, episodes))
    data.validate()
    row = data.care_episodes.iloc[0]
    assert row["reason_new_episode"] == "S"  # lower case is accepted
    for column in ("legal_status", "reason_episode_ceased", "category_of_need", "placement"):
        assert pd.isna(row[column]), column
    assert issues[["field", "value", "consequence"]].values.tolist() == [
        ["LS", "C9", "value dropped"],
        ["CIN", "N0", "value dropped"],
        ["PLACE", "XX", "value dropped"],
        ["REC", "E99", "value dropped"],
    ]


def test_unknown_ethnicity_is_assumed_not_obtained(tmp_path):
    header = "1,1,01/05/2008,WXYZ,,,\n2,1,01/05/2008,,,,\n3,1,01/05/2008,bafr,,,\n"
    data, issues = read_ssda903(write_return(tmp_path, header, episode(1, "01/06/2020")))
    data.validate()
    assert data.persons["ethnicity"].tolist() == ["NOBT", "NOBT", "BAFR"]
    # only the replaced value is reported: an empty ETHNIC is simply not known
    assert issues[["location", "value", "consequence"]].values.tolist() == [
        ["line 2", "WXYZ", "value assumed"]
    ]


def test_missing_episodes_become_events(tmp_path):
    missing = (
        "1,01/05/2008,M,01/07/2020,03/07/2020\n"  # line 2: fine
        "1,01/05/2008,X,01/08/2020,31/09/2020\n"  # line 3: bad code and MIS_END, kept
        "1,02/05/2008,A,,\n"  # line 4: no start; the DOB disagrees too
        "1,01/05/2008,A,01/05/2007,\n"  # line 5: before birth
    )
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020"), missing=missing)
    data, issues = read_ssda903(folder)
    data.validate()
    events = data.events
    assert events["event_type"].tolist() == ["missing_episode"] * 2
    assert events["event_date"].tolist() == [
        pd.Timestamp("2020-07-01"),
        pd.Timestamp("2020-08-01"),
    ]
    assert events["code"].tolist()[0] == "M" and pd.isna(events["code"].iloc[1])
    assert issues[["location", "field", "consequence"]].values.tolist() == [
        ["line 3", "MISSING", "value dropped"],
        ["line 3", "MIS_END", "value dropped"],
        ["line 4", "MIS_START", DROPPED],
        ["line 5", "MIS_START", DROPPED],
    ]


def test_uasc_flags_children_and_reports_disagreements(tmp_path):
    header = ONE_CHILD + "2,2,01/05/2009,BAFR,,,\n"
    uasc = (
        "1,2,01/05/2008,01/05/2026\n"  # line 2: SEX disagrees with header
        "7,1,03/03/2007,03/03/2025\n"  # line 3: not in header: added
        "8,1,31/02/2007,\n"  # line 4: not in header and no valid DOB
        "7,1,03/03/2007,\n"  # line 5: repeated
    )
    episodes = episode(1, "01/06/2020") + episode(7, "01/06/2020")
    data, issues = read_ssda903(write_return(tmp_path, header, episodes, uasc=uasc))
    data.validate()
    persons = data.persons.set_index("person_id")
    assert persons["uasc"].to_dict() == {"1": True, "2": False, "7": True}
    assert persons.loc["1", "sex"] == "M"  # header.csv wins
    assert persons.loc["7", ["sex", "ethnicity"]].tolist() == ["M", "NOBT"]
    assert data.care_episodes["person_id"].tolist() == ["1", "7"]
    assert issues[["location", "field", "consequence"]].values.tolist() == [
        ["line 2", "SEX", "value dropped"],
        ["line 3", "CHILD", "value assumed"],
        ["line 4", "DOB", DROPPED],
        ["line 5", "CHILD", DROPPED],
    ]
    assert issues["reason"].iloc[0] == "SEX differs from header.csv (M), whose value is kept"


# --------------------------------------------------------------------------- properties

day = st.integers(min_value=0, max_value=120)


@st.composite
def messy_episodes(draw):
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        child = draw(st.sampled_from(["1", "2", "3", "9"]))  # 9 is not in header
        start = draw(st.one_of(day, st.just(None)))
        length = draw(st.one_of(st.integers(-5, 40), st.just(None)))
        rows.append((child, start, length))
    return rows


def as_date(offset):
    return (pd.Timestamp("2020-01-01") + pd.Timedelta(days=offset)).strftime("%d/%m/%Y")


@settings(max_examples=25, deadline=None)
@given(rows=messy_episodes())
def test_any_episodes_either_land_or_are_reported_and_validate(rows):
    header = "1,1,01/05/2008,WBRI,,,\n2,2,01/05/2009,BAFR,,,\n3,1,01/05/2010,AIND,,,\n"
    text = "".join(
        episode(
            child,
            "" if start is None else as_date(start),
            "" if start is None or length is None else as_date(start + length),
        )
        for child, start, length in rows
    )
    with tempfile.TemporaryDirectory() as folder:
        data, issues = read_ssda903(write_return(Path(folder), header, text))
    data.validate()
    gone = dropped(issues, "episodes.csv")
    assert gone["location"].is_unique
    assert len(rows) == len(data.care_episodes) + len(gone)
    for _, spells in data.care_episodes.sort_values("start_date").groupby("person_id"):
        ends = spells["end_date"].iloc[:-1]
        assert ends.notna().all()
        assert (spells["start_date"].iloc[1:].to_numpy() >= ends.to_numpy()).all()


def test_files_with_the_same_name_are_named_by_path(tmp_path):
    for folder, text in (("a", HEADER + ONE_CHILD), ("b", EPISODES + episode(9, "01/06/2020"))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "data.csv").write_text(text, encoding="utf-8")
    _, issues = read_ssda903(
        header=tmp_path / "a" / "data.csv", episodes=tmp_path / "b" / "data.csv"
    )
    assert issues["file"].tolist() == [str(tmp_path / "b" / "data.csv")]
    assert issues["reason"].tolist() == [f"child not in {tmp_path / 'a' / 'data.csv'}"]


def test_two_files_for_one_table_raise(tmp_path):
    folder = write_return(tmp_path, ONE_CHILD, episode(1, "01/06/2020"))
    (folder / "Header.csv").write_text(HEADER + ONE_CHILD, encoding="utf-8")
    with pytest.raises(SchemaError, match="two header.csv files"):
        read_ssda903(folder)
