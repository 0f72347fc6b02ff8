"""Several years of SSDA903 returns, CSV and XML, merged into one set of tables."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ssda903_forms import write_both, write_csv_return, write_xml_return

from riskmodel.data import read_ssda903
from riskmodel.data._ssda903_upns import ssda903_upns
from riskmodel.exceptions import SchemaError

DROPPED, VALUE_DROPPED, ASSUMED = "record dropped", "value dropped", "value assumed"


def head(child, sex="1", dob="01/05/2008", ethnic="WBRI", upn=""):
    return {"CHILD": child, "SEX": sex, "DOB": dob, "ETHNIC": ethnic, "UPN": upn}


def ep(child, decom, dec="", ls="C2", place="U1", rne="S", rec=None):
    rec = ("E11" if dec else "") if rec is None else rec
    return {"CHILD": child, "DECOM": decom, "RNE": rne, "LS": ls, "CIN": "N1", "PLACE": place,
            "DEC": dec, "REC": rec}  # fmt: skip


# Three collection years (ending 31 March 2021, 2022, 2023):
# 101: one episode open across both year ends (DEC blank in 2021 and 2022), closed in
#      2023; its LS is C1 and PLACE U3 in 2021, C2 and U1 from 2022; ETHNIC WBRI,
#      then WIRI, then NOBT.
# 102: an episode closed in 2021 whose DEC moves in 2022; DOB corrected in 2022.
# 103: only in the 2023 return.
# 104: an episode closed in 2022 and blank again (reopened) in 2023; a missing
#      episode restated unchanged and another whose code changes.
# 105: an episode open at the end of 2021 that the 2022 return does not hold.
RETURNS = {
    2021: {
        "header": [head("101"), head("102", "2", "03/03/2009"), head("105", upn="X1")],
        "episodes": [
            ep("101", "01/06/2020", ls="C1", place="U3"),
            ep("102", "01/09/2020", "01/03/2021"),
            ep("105", "01/01/2021"),
        ],
        "missing": [{"CHILD": "101", "MISSING": "M", "MIS_START": "01/02/2021"}],
    },
    2022: {
        "header": [
            head("101", ethnic="WIRI", upn="U101"),
            head("102", "2", "04/03/2009"),
            head("104"),
        ],
        "episodes": [
            ep("101", "01/06/2020"),
            ep("102", "01/09/2020", "15/04/2021"),
            ep("104", "01/05/2021", "01/09/2021"),
        ],
        "missing": [
            {"CHILD": "101", "MISSING": "M", "MIS_START": "01/02/2021", "MIS_END": "02/02/2021"},
            {"CHILD": "104", "MISSING": "M", "MIS_START": "01/08/2021"},
        ],
    },
    2023: {
        "header": [
            head("101", ethnic="NOBT", upn="U101"),
            head("103", "2", "01/01/2010"),
            head("104"),
        ],  # fmt: skip
        "episodes": [
            ep("101", "01/06/2020", "10/10/2022"),
            ep("103", "01/07/2022", rne="S"),
            ep("104", "01/05/2021"),
        ],
        "missing": [{"CHILD": "104", "MISSING": "A", "MIS_START": "01/08/2021"}],
    },
}

EXPECTED_EPISODES = [
    ["101", "2020-06-01", "2022-10-10", "C2"],
    ["102", "2020-09-01", "2021-04-15", "C2"],
    ["103", "2022-07-01", "NaT", "C2"],
    ["104", "2021-05-01", "NaT", "C2"],
]

EXPECTED_ISSUES = {  # (file, field, value, consequence) per form, csv first
    ("2021/header.csv", "line 2", "ETHNIC", "WBRI", VALUE_DROPPED),
    ("2021/header.csv", "line 3", "DOB", "03/03/2009", VALUE_DROPPED),
    ("2021/episodes.csv", "line 2", "LS", "C1", VALUE_DROPPED),
    ("2021/episodes.csv", "line 2", "PLACE", "U3", VALUE_DROPPED),
    ("2021/episodes.csv", "line 3", "DEC", "01/03/2021", VALUE_DROPPED),
    ("2021/episodes.csv", "line 4", "DECOM", "01/01/2021", DROPPED),
    ("2022/episodes.csv", "line 4", "DEC", "01/09/2021", VALUE_DROPPED),
    ("2022/episodes.csv", "line 4", "REC", "E11", VALUE_DROPPED),
    ("2022/missing.csv", "line 3", "MISSING", "M", VALUE_DROPPED),
    ("2023/header.csv", "line 2", "ETHNIC", "NOBT", ASSUMED),
}
ISSUE_KEY = ["file", "location", "field", "value", "consequence"]


@pytest.fixture(scope="module")
def forms() -> tuple[Path, Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield write_both(Path(folder), RETURNS)


def episodes_of(data) -> list[list[str]]:
    frame = data.care_episodes.sort_values(["person_id", "start_date"])
    frame = frame.assign(
        start_date=frame["start_date"].dt.strftime("%Y-%m-%d"),
        end_date=frame["end_date"].dt.strftime("%Y-%m-%d").fillna("NaT"),
    )
    return frame[["person_id", "start_date", "end_date", "legal_status"]].values.tolist()


def sorted_table(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)


def assert_same_data(one, other) -> None:
    for name in ("persons", "care_episodes", "events"):
        pd.testing.assert_frame_equal(
            sorted_table(getattr(one, name)), sorted_table(getattr(other, name))
        )
    assert one.extract_date == other.extract_date


def signature(issues: pd.DataFrame) -> Counter:
    columns = ["person_id", "table", "field", "value", "consequence"]
    return Counter(map(tuple, issues[columns].astype(str).to_numpy()))


# --------------------------------------------------------------------------- the hand-built set


def test_three_years_merge_into_one_episode_per_child_and_decom(forms):
    data, issues = read_ssda903(forms[0])
    assert episodes_of(data) == EXPECTED_EPISODES
    data.validate()
    persons = data.persons.set_index("person_id")
    assert persons.loc["101", "ethnicity"] == "WIRI"  # the latest known code
    assert persons.loc["102", "date_of_birth"] == pd.Timestamp("2009-03-04")
    assert sorted(persons.index) == ["101", "102", "103", "104", "105"]
    events = data.events.sort_values(["person_id", "event_date"])
    assert events[["person_id", "code"]].values.tolist() == [["101", "M"], ["104", "A"]]
    assert data.extract_date == pd.Timestamp("2022-10-10")


def test_every_disagreement_between_years_is_reported(forms):
    _, issues = read_ssda903(forms[0])
    assert set(map(tuple, issues[ISSUE_KEY].values.tolist())) == EXPECTED_ISSUES
    assert len(issues) == len(EXPECTED_ISSUES)
    by_field = issues.set_index(["file", "field"])["reason"]
    assert by_field[("2021/episodes.csv", "DEC")] == (
        "DEC differs in the later return at 2022/episodes.csv line 3 (15/04/2021), "
        "whose value is used"
    )
    assert by_field[("2022/episodes.csv", "DEC")].startswith("DEC is blank in the later return")
    assert (
        "not in the next year's return 2022/episodes.csv"
        in by_field[("2021/episodes.csv", "DECOM")]
    )


def test_csv_and_xml_forms_of_the_same_returns_give_the_same_tables(forms):
    from_csv, csv_issues = read_ssda903(forms[0])
    from_xml, xml_issues = read_ssda903(forms[1])
    assert_same_data(from_csv, from_xml)
    assert signature(csv_issues) == signature(xml_issues)
    assert set(xml_issues["file"]) <= {f"SSDA903_{y}.xml" for y in RETURNS}


def test_a_list_mixing_forms_and_any_order_gives_the_same(forms):
    csv_dir, xml_dir = forms
    reference, _ = read_ssda903(csv_dir)
    mixed = [xml_dir / "SSDA903_2023.xml", csv_dir / "2021", xml_dir / "SSDA903_2022.xml"]
    data, issues = read_ssda903(mixed)
    assert_same_data(reference, data)
    assert issues["file"].iloc[0] == "2021/header.csv"  # year order, not the order given


def test_a_year_given_twice_changes_nothing(forms, tmp_path):
    csv_dir, xml_dir = forms
    reference, reference_issues = read_ssda903(csv_dir)
    twice, twice_issues = read_ssda903([csv_dir, csv_dir / "2022"])
    assert_same_data(reference, twice)
    pd.testing.assert_frame_equal(reference_issues, twice_issues)
    shutil.copytree(csv_dir / "2022", tmp_path / "2022 resent")
    copied, _ = read_ssda903([csv_dir, tmp_path / "2022 resent", xml_dir / "SSDA903_2022.xml"])
    assert_same_data(reference, copied)


def test_one_year_read_as_a_set_is_the_same_as_read_alone(forms):
    alone, alone_issues = read_ssda903(forms[0] / "2022")
    as_set, set_issues = read_ssda903([forms[0] / "2022"])
    assert_same_data(alone, as_set)
    pd.testing.assert_frame_equal(alone_issues, set_issues)


def test_real_format_fixture_as_a_one_year_set_reads_as_today(fixtures_dir, tmp_path):
    today, today_issues = read_ssda903(fixtures_dir / "ssda903")
    shutil.copytree(fixtures_dir / "ssda903", tmp_path / "years" / "2018")
    for paths in (tmp_path / "years", [tmp_path / "years" / "2018"]):
        data, issues = read_ssda903(paths)
        assert_same_data(today, data)
        pd.testing.assert_frame_equal(today_issues, issues)


def test_real_format_fixture_restated_in_two_years_changes_nothing(fixtures_dir, tmp_path):
    today, today_issues = read_ssda903(fixtures_dir / "ssda903")
    for year in ("2017", "2018"):
        shutil.copytree(fixtures_dir / "ssda903", tmp_path / year)
    data, issues = read_ssda903(tmp_path)
    assert_same_data(today, data)
    # each year's own issues, and none from the merge: restated records are not issues
    for year in ("2017", "2018"):
        own = issues[issues["file"].str.startswith(year + "/")].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            own.assign(file=own["file"].str.removeprefix(year + "/")), today_issues
        )
    assert len(issues) == 2 * len(today_issues)


def test_upns_of_every_year_in_both_forms(forms):
    from_csv = ssda903_upns(forms[0])
    from_xml = ssda903_upns(forms[1])
    assert from_csv[["upn", "person_id"]].values.tolist() == [
        ["X1", "105"], ["U101", "101"], ["U101", "101"]
    ]  # fmt: skip
    pd.testing.assert_frame_equal(from_csv[["upn", "person_id"]], from_xml[["upn", "person_id"]])
    assert from_csv["file"].tolist() == ["2021/header.csv", "2022/header.csv", "2023/header.csv"]
    assert from_xml["location"].tolist() == ["CHILD 3 / HEADER 1", *["CHILD 1 / HEADER 1"] * 2]


# --------------------------------------------------------------------------- other cases


def test_an_open_episode_missing_after_a_gap_in_years_is_kept_open(tmp_path):
    early = {"header": [head("1")], "episodes": [ep("1", "01/06/2018")]}
    late = {"header": [head("2")], "episodes": [ep("2", "01/06/2021")]}
    data, issues = read_ssda903(write_both(tmp_path, {2019: early, 2022: late})[0])
    assert episodes_of(data) == [
        ["1", "2018-06-01", "NaT", "C2"],
        ["2", "2021-06-01", "NaT", "C2"],
    ]
    assert issues[["file", "field", "consequence"]].values.tolist() == [
        ["2019/episodes.csv", "DEC", ASSUMED]
    ]
    assert "the returns between are not given" in issues["reason"].iloc[0]


def test_an_open_episode_whose_next_year_record_is_dropped_is_dropped_too(tmp_path):
    first = {"header": [head("1")], "episodes": [ep("1", "01/06/2020")]}
    second = {"header": [head("1")], "episodes": [ep("1", "01/06/2020", "01/05/2020")]}
    data, issues = read_ssda903(write_both(tmp_path, {2021: first, 2022: second})[0])
    assert data.care_episodes.empty
    assert issues[["file", "field", "consequence"]].values.tolist() == [
        ["2021/episodes.csv", "DECOM", DROPPED],
        ["2022/episodes.csv", "DEC", DROPPED],
    ]
    assert issues["reason"].tolist() == [
        "the episode is open at the end of this return and its record in the next year's "
        "return 2022/episodes.csv was dropped (see its issue), so its end is not known",
        "DEC is before DECOM",
    ]


def test_overlaps_across_years_and_a_corrected_birth_date_are_checked_after_merging(tmp_path):
    first = {
        "header": [head("1"), head("2", dob="01/01/2010")],
        "episodes": [ep("1", "01/06/2020", "01/03/2021"), ep("2", "01/06/2020", "01/07/2020")],
    }
    second = {  # 1: a new episode that starts inside the earlier one; 2: born later
        "header": [head("1"), head("2", dob="01/01/2021")],
        "episodes": [ep("1", "01/02/2021", "01/05/2021"), ep("2", "01/02/2021")],
    }
    data, issues = read_ssda903(write_both(tmp_path, {2021: first, 2022: second})[1])
    assert episodes_of(data) == [
        ["1", "2020-06-01", "2021-03-01", "C2"],
        ["2", "2021-02-01", "NaT", "C2"],
    ]
    data.validate()
    dropped = issues[issues["consequence"] == DROPPED]
    assert dropped[["file", "location", "field"]].values.tolist() == [
        ["SSDA903_2021.xml", "CHILD 2 / EPISODE 1", "DECOM"],
        ["SSDA903_2022.xml", "CHILD 1 / EPISODE 1", "DECOM"],
    ]
    assert dropped["reason"].tolist() == [
        "DECOM is before the child's DOB as given by the latest return",
        "the episode starts before the child's episode at SSDA903_2021.xml CHILD 1 / EPISODE 1 "
        "has ended",
    ]


def test_the_year_comes_from_the_latest_date_when_names_have_none(tmp_path):
    write_csv_return(tmp_path / "b", RETURNS[2021])
    write_csv_return(tmp_path / "a", RETURNS[2022])
    write_xml_return(tmp_path / "c.xml", RETURNS[2023])
    data, _ = read_ssda903(tmp_path)
    assert episodes_of(data) == EXPECTED_EPISODES


def test_a_given_extract_date_applies_to_every_year(forms):
    data, issues = read_ssda903(forms[0], extract_date="2022-06-30")
    assert data.extract_date == pd.Timestamp("2022-06-30")
    late = issues[issues["reason"].str.contains("after the extract date 2022-06-30")]
    assert late[["file", "field"]].values.tolist() == [
        ["2023/episodes.csv", "DEC"], ["2023/episodes.csv", "DECOM"]
    ]  # fmt: skip
    data.validate()


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ({"2021/header.csv": "x", "notes.txt": "x"}, r"notes\.txt is not an SSDA903 return"),
        ({"2021/readme.txt": "x"}, r"no header\.csv or episodes\.csv"),
        ({}, "not a directory of SSDA903 files"),
    ],
)
def test_a_folder_of_years_with_anything_else_raises(tmp_path, layout, message):
    (tmp_path / "years").mkdir()
    for name, text in layout.items():
        (tmp_path / "years" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "years" / name).write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=message):
        read_ssda903(tmp_path / "years")


def test_an_iterator_of_returns_is_read_and_an_empty_list_raises(forms):
    reference, _ = read_ssda903(forms[0])
    data, _ = read_ssda903(path for path in sorted(forms[0].iterdir()))
    assert_same_data(reference, data)
    with pytest.raises(SchemaError, match="no header.csv"):
        read_ssda903([])


def test_keywords_only_go_with_one_years_csv_files(forms):
    with pytest.raises(SchemaError, match="not an SSDA903 file name"):
        read_ssda903([forms[1] / "SSDA903_2021.xml"], header=forms[0] / "2021" / "header.csv")


# --------------------------------------------------------------------------- property

DAYS = st.integers(min_value=0, max_value=1_400)  # 1 April 2019 plus up to ~4 years


def as_date(offset: int) -> str:
    return (pd.Timestamp("2019-04-01") + pd.Timedelta(days=offset)).strftime("%d/%m/%Y")


@st.composite
def year_sets(draw):
    """Three returns of up to 4 children, drawn from one history and then perturbed."""
    history = []
    for child in ("1", "2", "3", "4"):
        day = draw(st.integers(0, 200))
        for _ in range(draw(st.integers(0, 3))):
            length = draw(st.one_of(st.integers(1, 500), st.none()))
            history.append((child, day, None if length is None else day + length))
            day += (length or 0) + draw(st.integers(0, 100))
    returns = {}
    for year in (2020, 2021, 2022):
        start, end = (
            (pd.Timestamp(f"{year - 1}-04-01") - pd.Timestamp("2019-04-01")).days,
            (pd.Timestamp(f"{year}-03-31") - pd.Timestamp("2019-04-01")).days,
        )
        rows = []
        for child, first, last in history:
            if first <= end and (last is None or last >= start):
                dec = "" if last is None or last > end else as_date(last)
                if draw(st.booleans()) and draw(st.booleans()):
                    dec = as_date(draw(DAYS))  # a DEC that moves (or is wrong)
                ls = draw(st.sampled_from(["C2", "C2", "C1", "V2"]))
                rows.append(ep(child, as_date(first), dec, ls=ls))
        header = [head(c, sex=draw(st.sampled_from(["1", "2"]))) for c in ("1", "2", "3", "4")]
        returns[year] = {"header": header, "episodes": rows}
    return returns


@settings(max_examples=6, deadline=None)
@given(returns=year_sets())
def test_any_years_validate_and_give_the_same_in_both_forms(returns):
    with tempfile.TemporaryDirectory() as folder:
        csv_dir, xml_dir = write_both(Path(folder), returns)
        from_csv, csv_issues = read_ssda903(csv_dir)
        from_xml, xml_issues = read_ssda903(xml_dir)
    from_csv.validate()
    assert_same_data(from_csv, from_xml)
    assert signature(csv_issues) == signature(xml_issues)
    # every (child, DECOM) given in any year is in the tables or its child has an episode dropped
    given_keys = {(r["CHILD"], r["DECOM"]) for t in returns.values() for r in t["episodes"]}
    episodes = from_csv.care_episodes
    kept = set(
        zip(episodes["person_id"], episodes["start_date"].dt.strftime("%d/%m/%Y"), strict=True)
    )
    gone = csv_issues[
        (csv_issues["table"] == "care_episodes") & (csv_issues["consequence"] == DROPPED)
    ]
    assert {child for child, _ in given_keys - kept} <= set(gone["person_id"])
