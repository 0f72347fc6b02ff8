"""Readers fill ``authority``: the CIN ``LEA``, an ``authority=CODE`` folder, or an argument."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from ssda903_forms import write_xml_return

import riskmodel as rm
from riskmodel.cli import main
from riskmodel.data import import_returns, read_cin_census, read_data, read_ssda903
from riskmodel.data._pooling import TABLE_NAMES
from riskmodel.data.synthetic import make_region, write_region
from riskmodel.exceptions import SchemaError


def codes(data: rm.LocalAuthorityData) -> dict[str, list]:
    """The codes in each table's ``authority`` column (missing as None)."""
    return {
        name: sorted(
            getattr(data, name)["authority"].astype("object").where(lambda s: s.notna(), None),
            key=str,
        )
        for name in TABLE_NAMES
        if len(getattr(data, name))
    }


def one_code(data: rm.LocalAuthorityData) -> set:
    """Every code on every row of every table, as a set."""
    return {code for values in codes(data).values() for code in values}


def lea_issues(issues: pd.DataFrame) -> pd.DataFrame:
    return issues[issues["field"] == "LEA"].reset_index(drop=True)


def cin_message(lea: str | None, pid: str = "C1", reference: str = "2024-03-31") -> str:
    source = "" if lea is None else f"<LEA>{lea}</LEA>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
<ReferenceDate>{reference}</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel>{source}</Source></Header>
<Children><Child><ChildIdentifiers><LAchildID>{pid}</LAchildID>
<PersonBirthDate>2009-04-01</PersonBirthDate><GenderCurrent>2</GenderCurrent>
</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
<CINdetails><CINreferralDate>2023-05-01</CINreferralDate><ReferralSource>1A</ReferralSource>
</CINdetails></Child></Children></Message>"""


def cin_file(folder: Path, name: str, lea: str | None, **kwargs: str) -> Path:
    path = folder / name
    path.write_text(cin_message(lea, **kwargs), encoding="utf-8")
    return path


# -- CIN census: the header's LEA -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lea"), [("fake_CIN_data.xml", "975"), ("CIN_Census_2024.xml", "201")]
)
def test_the_real_cin_censuses_lea_is_every_rows_authority(fixtures_dir, name, lea):
    data, issues = read_cin_census(fixtures_dir / "cin_census" / name)
    assert data.authorities == (lea,)
    assert one_code(data) == {lea}
    assert len(data.events) > 0 and data.events["authority"].eq(lea).all()
    assert lea_issues(issues).empty  # nothing assumed


def test_an_authority_argument_overrides_the_lea_and_reports_it(fixtures_dir):
    path = fixtures_dir / "cin_census" / "CIN_Census_2024.xml"
    data, issues = read_cin_census(path, authority="E09000001")
    assert one_code(data) == {"E09000001"}
    reported = lea_issues(issues)
    assert reported[["file", "location", "field", "value", "consequence"]].values.tolist() == [
        [str(path), "Header", "LEA", "201", "value assumed"]
    ]
    assert reported.loc[0, "reason"] == (
        "the file's LEA 201 is not the authority given (E09000001); its rows are "
        "E09000001's, as given"
    )
    # the argument changes nothing else
    plain, plain_issues = read_cin_census(path)
    pd.testing.assert_frame_equal(
        data.persons.drop(columns="authority"), plain.persons.drop(columns="authority")
    )
    assert len(issues) == len(plain_issues) + 1


def test_an_authority_argument_equal_to_the_lea_reports_nothing(fixtures_dir):
    data, issues = read_cin_census(
        fixtures_dir / "cin_census" / "fake_CIN_data.xml", authority="975"
    )
    assert one_code(data) == {"975"} and lea_issues(issues).empty


def test_files_of_different_leas_keep_their_own_lea_and_never_share_a_child(tmp_path):
    a = cin_file(tmp_path, "a.xml", "201", pid="C1")
    b = cin_file(tmp_path, "b.xml", "975", pid="C1")  # the same LAchildID elsewhere
    data, issues = read_cin_census([a, b])
    assert data.authorities == ("201", "975") and data.is_pooled
    assert sorted(data.persons["authority"]) == ["201", "975"]  # two children, not one
    assert sorted(data.events["authority"]) == ["201", "975"]
    reported = lea_issues(issues)
    assert reported[["file", "value"]].values.tolist() == [[str(a), "201"], [str(b), "975"]]
    assert reported["reason"].str.contains(r"different authorities \(LEA 201, 975\)").all()
    data.validate()


def test_the_real_fixture_folder_holds_two_leas_read_apart(fixtures_dir):
    data, issues = read_cin_census(fixtures_dir / "cin_census")
    assert data.authorities == ("201", "975")
    fake, _ = read_cin_census(fixtures_dir / "cin_census" / "fake_CIN_data.xml")
    pooled_975 = dict(data.by_authority())["975"]
    assert len(pooled_975.persons) == len(fake.persons)
    assert len(lea_issues(issues)) == 3  # one per file


def test_a_file_without_lea_takes_the_others_single_lea_and_is_reported(tmp_path):
    a = cin_file(tmp_path, "a.xml", "201", pid="C1", reference="2023-03-31")
    b = cin_file(tmp_path, "b.xml", None, pid="C1")
    data, issues = read_cin_census([a, b])
    assert one_code(data) == {"201"} and len(data.persons) == 1
    reported = lea_issues(issues)
    assert reported["file"].tolist() == [str(b)]
    assert "LEA is missing; the other files' LEA 201 is assumed" in reported.loc[0, "reason"]


def test_a_file_without_lea_beside_two_leas_is_refused(tmp_path):
    files = [
        cin_file(tmp_path, "a.xml", "201"),
        cin_file(tmp_path, "b.xml", "975"),
        cin_file(tmp_path, "c.xml", None),
    ]
    with pytest.raises(SchemaError, match=r"c\.xml: Header/Source/LEA is missing.*LEA 201, 975"):
        read_cin_census(files)
    data, _ = read_cin_census(files, authority="E1")  # the caller can say whose they are
    assert one_code(data) == {"E1"} and len(data.persons) == 1


def test_no_lea_and_no_argument_leaves_the_authority_missing(tmp_path):
    data, issues = read_cin_census(cin_file(tmp_path, "a.xml", None))
    assert data.authorities == () and one_code(data) == {None}
    assert lea_issues(issues).empty


@pytest.mark.parametrize("bad", ["", " E1", 201])
def test_a_blank_or_non_text_authority_is_refused(fixtures_dir, bad):
    with pytest.raises(SchemaError, match="authority must be a code"):
        read_cin_census(fixtures_dir / "cin_census" / "fake_CIN_data.xml", authority=bad)
    with pytest.raises(SchemaError, match="authority must be a code"):
        read_ssda903(fixtures_dir / "ssda903", authority=bad)


# -- SSDA903: no code in the return; an argument or an authority=CODE folder -----------


def test_the_real_903_has_no_authority_unless_given(fixtures_dir):
    data, _ = read_ssda903(fixtures_dir / "ssda903")
    assert data.authorities == () and one_code(data) == {None}
    given, issues = read_ssda903(fixtures_dir / "ssda903", authority="E09000013")
    assert codes(given).keys() == {"persons", "events", "care_episodes"}
    assert one_code(given) == {"E09000013"}
    _, plain_issues = read_ssda903(fixtures_dir / "ssda903")
    pd.testing.assert_frame_equal(issues, plain_issues)  # nothing to report


@pytest.fixture
def region_903(tmp_path, fixtures_dir) -> Path:
    """The 903 fixture as the 2018 return of authority=E09000007 (``region/authority=CODE/``)."""
    folder = tmp_path / "region" / "authority=E09000007"
    shutil.copytree(fixtures_dir / "ssda903", folder / "2018")
    return folder


def test_an_authority_folder_above_the_years_names_the_authority(region_903, fixtures_dir):
    for path in (region_903, region_903 / "2018", [region_903 / "2018"]):
        data, issues = read_ssda903(path)
        assert one_code(data) == {"E09000007"}, path
        assert not (issues["field"] == "authority").any()
    plain, _ = read_ssda903(fixtures_dir / "ssda903")
    data, _ = read_ssda903(region_903)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(
            getattr(data, name).drop(columns="authority"),
            getattr(plain, name).drop(columns="authority"),
        )


def test_the_folder_is_found_for_files_given_one_by_one(region_903):
    year = region_903 / "2018"
    data, _ = read_ssda903(header=year / "header.csv", episodes=year / "episodes.csv")
    assert one_code(data) == {"E09000007"}


def test_an_argument_differing_from_the_folder_wins_and_is_reported(region_903):
    data, issues = read_ssda903(region_903, authority="E09000099")
    assert one_code(data) == {"E09000099"}
    reported = issues[issues["field"] == "authority"]
    assert reported[["file", "location", "value", "consequence"]].values.tolist() == [
        [str(region_903), "folder", "E09000007", "value assumed"]
    ]
    assert (
        "the folder names authority E09000007 but authority='E09000099'"
        in (reported["reason"].iloc[0])
    )


def test_returns_in_folders_of_two_authorities_are_refused(region_903, fixtures_dir, tmp_path):
    other = tmp_path / "region" / "authority=E09000008" / "2019"
    shutil.copytree(fixtures_dir / "ssda903", other)
    with pytest.raises(SchemaError, match="folders of several authorities") as info:
        read_ssda903([region_903 / "2018", other])
    assert "E09000007" in str(info.value) and "E09000008" in str(info.value)


def test_the_xml_form_carries_no_authority_either(tmp_path, fixtures_dir):
    tables = {}
    for name in ("header", "episodes", "missing", "uasc"):
        with (fixtures_dir / "ssda903" / f"{name}.csv").open(encoding="utf-8-sig") as handle:
            tables[name] = list(csv.DictReader(handle))
    path = write_xml_return(tmp_path / "authority=E5" / "SSDA903_2018.xml", tables)
    data, _ = read_ssda903(path)
    assert one_code(data) == {"E5"}
    data, _ = read_ssda903(path, authority="E6")
    assert one_code(data) == {"E6"}


# -- import_returns: one authority on every table --------------------------------------


def test_import_gives_the_903_without_authority_the_cin_lea(fixtures_dir):
    result = import_returns(
        fixtures_dir / "ssda903", fixtures_dir / "cin_census" / "fake_CIN_data.xml"
    )
    data = result.data
    assert data.authorities == ("975",)
    assert codes(data).keys() == {"persons", "events", "care_episodes"}
    assert one_code(data) == {"975"}
    alone, _ = read_ssda903(fixtures_dir / "ssda903")
    assert set(alone.persons["person_id"]) <= set(data.persons["person_id"])
    assert not result.issues["field"].isin(["LEA", "authority"]).any()


def test_import_with_an_argument_stamps_it_and_reports_the_lea(fixtures_dir):
    cin = fixtures_dir / "cin_census" / "fake_CIN_data.xml"
    result = import_returns(fixtures_dir / "ssda903", cin, authority="E09000013")
    assert one_code(result.data) == {"E09000013"}
    reported = result.issues[result.issues["field"] == "LEA"]
    assert reported[["source", "file", "value"]].values.tolist() == [
        ["cin_census", str(cin), "975"]
    ]


def test_import_refuses_returns_of_several_authorities(fixtures_dir, region_903):
    cin = fixtures_dir / "cin_census" / "fake_CIN_data.xml"
    with pytest.raises(SchemaError, match="one authority's returns") as info:
        import_returns(region_903, cin)
    message = str(info.value)
    assert "authority=CODE folder E09000007" in message and "CIN census LEA 975" in message
    with pytest.raises(SchemaError, match=r"CIN census LEA 201, 975"):
        import_returns(fixtures_dir / "ssda903", fixtures_dir / "cin_census")
    result = import_returns(region_903, cin, authority="E09000007")
    assert one_code(result.data) == {"E09000007"}


def test_extract_events_take_the_returns_authority(fixtures_dir, tmp_path):
    header = pd.read_csv(fixtures_dir / "ssda903" / "header.csv", dtype=str)
    police = tmp_path / "police.csv"
    police.write_text(f"ChildID,NotifiedOn\n{header['CHILD'].iloc[0]},01/02/2017\n")
    mapping = {
        "source": "police",
        "person_id": "ChildID",
        "date": "NotifiedOn",
        "date_format": "%d/%m/%Y",
        "event_type": "police_domestic_abuse",
    }
    result = import_returns(
        fixtures_dir / "ssda903",
        fixtures_dir / "cin_census" / "fake_CIN_data.xml",
        {police: mapping},
    )
    events = result.data.events
    assert (events["event_type"] == "police_domestic_abuse").sum() == 1
    assert events["authority"].eq("975").all()


def test_cli_import_takes_an_authority(fixtures_dir, tmp_path, capsys):
    out = tmp_path / "tables"
    argv = ["import", "--ssda903", str(fixtures_dir / "ssda903"), "--out", str(out)]
    assert main([*argv, "--authority", "E09000013"]) == 0
    assert one_code(read_data(out)) == {"E09000013"}
    capsys.readouterr()
    argv += ["--cin-census", str(fixtures_dir / "cin_census")]
    assert main(argv) == 2  # two LEAs and no --authority
    assert "one authority's returns" in capsys.readouterr().err


# -- read_data: a region directory ----------------------------------------------------


@pytest.fixture(scope="module")
def region_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("region")
    write_region(out, 3, 1_500, random_state=0)
    return out


def test_a_region_directory_reads_back_as_make_region(region_dir):
    got = read_data(region_dir)
    want = make_region(3, 1_500, random_state=0)
    assert got.authorities == want.authorities == ("E09000001", "E09000002", "E09000003")
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name))
    assert (got.extract_date, got.population) == (want.extract_date, want.population)


def test_a_region_is_the_pool_of_its_authorities(region_dir):
    from riskmodel.data.synthetic import iter_region

    pooled = read_data(region_dir)
    for code, one in iter_region(region_dir):
        part = dict(pooled.by_authority())[code]
        pd.testing.assert_frame_equal(
            part.persons.reset_index(drop=True), one.persons.reset_index(drop=True)
        )


def test_a_region_with_tables_of_its_own_is_refused(region_dir, tmp_path):
    copy = tmp_path / "region"
    shutil.copytree(region_dir, copy)
    shutil.copy(copy / "authority=E09000001" / "persons.parquet", copy / "persons.parquet")
    with pytest.raises(SchemaError, match="both authority=CODE folders and tables of its own"):
        read_data(copy)


def test_a_folder_whose_tables_name_another_authority_is_refused(region_dir, tmp_path):
    copy = tmp_path / "region"
    shutil.copytree(region_dir, copy)
    (copy / "authority=E09000002").rename(copy / "authority=E09000009")
    with pytest.raises(SchemaError, match=r"authority=E09000009: persons\.authority"):
        read_data(copy)
