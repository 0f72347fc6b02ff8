"""Hostile input to the SSDA903 and CIN census readers: a clear SchemaError, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import riskmodel as rm
from riskmodel.cli import main
from riskmodel.data import read_cin_census, read_ssda903

HEADER = "CHILD,SEX,DOB,ETHNIC\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n1,01/06/2022,S,C2,N1,U1,,\n"


def _return(folder: Path, header: str | bytes, episodes: str = EPISODES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "header.csv"
    if isinstance(header, bytes):
        target.write_bytes(header)
    else:
        target.write_text(header, encoding="utf-8")
    (folder / "episodes.csv").write_text(episodes, encoding="utf-8")
    return folder


def _cin(body: str, prolog: str = "") -> str:
    return (
        f"{prolog}<Message><Header><CollectionDetails><Collection>CIN</Collection>"
        "<ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails></Header>"
        f"<Children><Child>{body}</Child></Children></Message>"
    )


def test_header_only_file_names_the_file_and_what_is_expected(tmp_path):
    folder = _return(tmp_path, HEADER)
    with pytest.raises(rm.SchemaError) as info:
        read_ssda903(folder)
    message = str(info.value)
    assert str(folder / "header.csv") in message
    assert "no rows below the header" in message
    assert "CHILD, SEX, DOB, ETHNIC" in message


@pytest.mark.parametrize(
    ("dobs", "field"),
    [
        (["2008/05/01", "2009/11/30"], "DOB"),  # YYYY/MM/DD
        (["39569", "40147"], "DOB"),  # Excel serial numbers
        (["01/05/08", "30/11/09"], "DOB"),  # two-digit years
    ],
)
def test_every_dob_in_another_format_is_a_schema_error(tmp_path, dobs, field):
    rows = "".join(f"{i},1,{dob},WBRI\n" for i, dob in enumerate(dobs, start=1))
    folder = _return(tmp_path, HEADER + rows)
    with pytest.raises(rm.SchemaError) as info:
        read_ssda903(folder)
    message = str(info.value)
    assert str(folder / "header.csv") in message
    assert "no usable row" in message
    assert f"{field} is not a date (dd/mm/YYYY or YYYY-MM-DD" in message
    assert "line 2, line 3" in message
    assert all(repr(dob) in message for dob in dobs)


def test_sex_written_in_words_is_a_schema_error(tmp_path):
    folder = _return(tmp_path, HEADER + "1,Male,01/05/2008,WBRI\n2,Female,01/05/2009,WBRI\n")
    with pytest.raises(rm.SchemaError, match=r"SEX is not a valid code \(1, 2, M, F or U\)") as e:
        read_ssda903(folder)
    assert "'Male', 'Female'" in str(e.value)
    assert "line 2, line 3" in str(e.value)


@pytest.mark.parametrize(
    ("header", "episodes", "file", "column"),
    [
        ("CHILD,SEX,DOB,ETHNIC,DOB\n1,1,01/05/2008,WBRI,01/05/2008\n", EPISODES, "header", "DOB"),
        ("CHILD,SEX,DOB,ETHNIC,CHILD\n1,1,01/05/2008,WBRI,1\n", EPISODES, "header", "CHILD"),
        (
            HEADER + "1,1,01/05/2008,WBRI\n",
            "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC,CHILD\n1,01/06/2022,S,C2,N1,U1,,,1\n",
            "episodes",
            "CHILD",
        ),
    ],
)
def test_duplicated_column_is_a_schema_error(tmp_path, header, episodes, file, column):
    folder = _return(tmp_path, header, episodes)
    with pytest.raises(rm.SchemaError) as info:
        read_ssda903(folder)
    message = str(info.value)
    assert str(folder / f"{file}.csv") in message
    assert f"column {column!r} appears twice in the header" in message


@pytest.mark.parametrize("which", ["header", "episodes"])
def test_file_of_commas_only_is_a_schema_error(tmp_path, which):
    commas = ",,,,\n,,,,\n,,,,\n"
    if which == "header":
        folder = _return(tmp_path, commas)
    else:
        folder = _return(tmp_path, HEADER + "1,1,01/05/2008,WBRI\n", commas)
    with pytest.raises(rm.SchemaError) as info:
        read_ssda903(folder)
    message = str(info.value)
    assert str(folder / f"{which}.csv") in message
    assert "no header row" in message
    assert "CHILD," in message  # the header that was expected


def test_trailing_commas_of_a_spreadsheet_export_are_still_read(tmp_path):
    folder = _return(tmp_path, "CHILD,SEX,DOB,ETHNIC,,\n1,1,01/05/2008,WBRI,,\n")
    data, issues = read_ssda903(folder)
    assert data.persons["person_id"].tolist() == ["1"]
    assert issues.empty


@pytest.mark.parametrize("value", ["31/13/2024", "banana", "2024/03/31", "03/31/2024"])
def test_bad_extract_date_argument_is_a_schema_error(tmp_path, value):
    folder = _return(tmp_path, HEADER + "1,1,01/05/2008,WBRI\n")
    with pytest.raises(rm.SchemaError, match=re.escape(f"extract_date {value!r} is not a date")):
        read_ssda903(folder, extract_date=value)


def test_extract_date_argument_in_either_return_format_is_read(tmp_path):
    folder = _return(tmp_path, HEADER + "1,1,01/05/2008,WBRI\n")
    for value in ("2023-03-31", "31/03/2023"):
        data, _ = read_ssda903(folder, extract_date=value)
        assert (
            data.extract_date
            == rm.LocalAuthorityData(
                data.persons, data.events, data.care_episodes, extract_date="2023-03-31"
            ).extract_date
        )


def test_bad_extract_date_on_the_command_line_exits_2(tmp_path, capsys):
    folder = _return(tmp_path / "903", HEADER + "1,1,01/05/2008,WBRI\n")
    code = main(
        ["import", "--ssda903", str(folder), "--out", str(tmp_path / "out"),
         "--extract-date", "31/13/2024"]
    )  # fmt: skip
    assert code == 2
    assert "extract_date '31/13/2024' is not a date" in capsys.readouterr().err


def test_header_only_file_on_the_command_line_exits_2(tmp_path, capsys):
    folder = _return(tmp_path / "903", HEADER)
    code = main(["import", "--ssda903", str(folder), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "header.csv: no rows below the header" in err
    assert "Traceback" not in err


def _us_header(n_children: int = 40) -> tuple[str, list[str]]:
    """Dates written mm/dd/YYYY, days 1-28: about half have a day of 12 or less."""
    rows, dobs = [], []
    for i in range(n_children):
        month, day = 1 + i % 12, 1 + (i * 7) % 28
        dobs.append(f"{month:02d}/{day:02d}/2009")
        rows.append(f"{i + 1},1,{dobs[-1]},WBRI\n")
    return HEADER + "".join(rows), dobs


def test_us_format_dates_stop_the_read_rather_than_swap_day_and_month(tmp_path):
    header, dobs = _us_header()
    folder = _return(tmp_path, header)
    failing = [d for d in dobs if int(d[3:5]) > 12]
    with pytest.raises(rm.SchemaError) as info:
        read_ssda903(folder)
    message = str(info.value)
    assert str(folder / "header.csv") in message
    assert f"DOB: {len(failing)} of {len(dobs)} dates are not dd/mm/YYYY" in message
    assert "mm/dd/YYYY" in message
    first = next(i for i, d in enumerate(dobs) if d in failing)
    assert f"line {first + 2} {failing[0]!r}" in message


def test_us_format_episode_dates_stop_the_read(tmp_path):
    header = HEADER + "1,1,01/05/2008,WBRI\n"
    rows = [f"1,{m:02d}/{d:02d}/2021,S,C2,N1,U1,,\n" for m, d in ((1, 5), (2, 14), (3, 20))]
    folder = _return(tmp_path, header, "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n" + "".join(rows))
    with pytest.raises(rm.SchemaError, match=r"episodes.csv: DECOM: 2 of 3 dates"):
        read_ssda903(folder, extract_date="2022-03-31")


def test_a_few_mistyped_dates_are_reported_not_refused(tmp_path):
    good = [f"{i},1,{1 + i % 28:02d}/{1 + i % 12:02d}/2009,WBRI\n" for i in range(1, 41)]
    folder = _return(tmp_path, HEADER + "".join(good) + "41,1,05/13/2009,WBRI\n")
    data, issues = read_ssda903(folder)  # 1 of 41 (2%) is under the 5% share
    assert len(data.persons) == 40
    assert issues.loc[issues["field"] == "DOB", "location"].tolist() == ["line 42"]


def test_issue_lines_are_physical_after_a_quoted_newline(tmp_path):
    header = HEADER + '1,1,01/05/2008,"WB\nRI"\n2,1,31/02/2009,WBRI\n3,1,xx,WBRI\n'
    data, issues = read_ssda903(_return(tmp_path, header))
    # line 1 header, lines 2-3 child 1 (a quoted newline), line 4 child 2, line 5 child 3
    dob = issues[issues["field"] == "DOB"].set_index("person_id")["location"]
    assert dob.to_dict() == {"2": "line 4", "3": "line 5"}


def test_utf16_without_byte_order_mark_is_named(tmp_path):
    text = HEADER + "1,1,01/05/2008,WBRI\n"
    for encoding, order in (("utf-16-le", "little-endian"), ("utf-16-be", "big-endian")):
        folder = _return(tmp_path / encoding, text.encode(encoding))
        with pytest.raises(rm.SchemaError) as info:
            read_ssda903(folder)
        message = str(info.value)
        assert f"not UTF-8 (looks like UTF-16 {order}, without a byte-order mark)" in message
        assert "missing column" not in message


def test_utf16_with_byte_order_mark_is_named(tmp_path):
    folder = _return(tmp_path, (HEADER + "1,1,01/05/2008,WBRI\n").encode("utf-16"))
    with pytest.raises(rm.SchemaError, match=r"looks like UTF-16 with a byte-order mark"):
        read_ssda903(folder)


def test_cin_census_nested_deeper_than_a_thousand_elements_is_refused(tmp_path):
    path = tmp_path / "cin.xml"
    path.write_text(_cin("<a>" * 5000 + "</a>" * 5000), encoding="utf-8")
    with pytest.raises(rm.SchemaError, match=r"cin.xml: elements nested deeper than 32 levels"):
        read_cin_census(path)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE Message [<!ENTITY a "x">]>',
        '<!DOCTYPE Message [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE Message [<!ENTITY ext SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE Message SYSTEM "http://example.invalid/x.dtd">',
    ],
)
def test_cin_census_with_a_dtd_is_refused(tmp_path, prolog):
    path = tmp_path / "cin.xml"
    path.write_text(_cin("", prolog), encoding="utf-8")
    with pytest.raises(rm.SchemaError, match=r"cin.xml: a DTD or entity declaration"):
        read_cin_census(path)


def test_cin_census_deep_nesting_on_the_command_line_exits_2(tmp_path, capsys):
    path = tmp_path / "cin.xml"
    path.write_text(_cin("<a>" * 2000 + "</a>" * 2000), encoding="utf-8")
    code = main(["import", "--cin-census", str(path), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "nested deeper than 32 levels" in capsys.readouterr().err


def test_cin_census_in_a_namespace_reads_as_without(fixtures_dir, tmp_path):
    source = fixtures_dir / "cin_census" / "CIN_Census_2024.xml"
    text = source.read_text(encoding="utf-8")
    spaced = tmp_path / "CIN_Census_2024.xml"
    spaced.write_text(text.replace("<Message", '<Message xmlns="urn:cin"', 1), encoding="utf-8")
    plain, plain_issues = read_cin_census(source)
    data, issues = read_cin_census(spaced)
    assert len(plain.persons) > 0
    assert data.persons.equals(plain.persons)
    assert data.events.equals(plain.events)
    assert len(issues) == len(plain_issues)


def test_field_over_the_csv_size_limit_is_a_schema_error(tmp_path):
    folder = _return(tmp_path, HEADER + '1,1,01/05/2008,"' + "x" * 200_000 + '"\n')
    with pytest.raises(rm.SchemaError, match=r"header.csv: not valid CSV: field larger than"):
        read_ssda903(folder)


def test_cin_census_bad_extract_date_argument_is_a_schema_error(fixtures_dir):
    path = fixtures_dir / "cin_census" / "CIN_Census_2024.xml"
    with pytest.raises(rm.SchemaError, match=r"extract_date '31/13/2024' is not a date"):
        read_cin_census(path, extract_date="31/13/2024")
