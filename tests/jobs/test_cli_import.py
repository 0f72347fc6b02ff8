"""``riskmodel import``: tables and import_issues.csv out, exit 2 on unreadable files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from riskmodel.cli import main
from riskmodel.data import read_data
from riskmodel.data._issues import ISSUE_COLUMNS

POLICE_YAML = """source: police
person_id: ChildID
date: NotifiedOn
date_format: "%d/%m/%Y"
event_type: police_domestic_abuse
"""


@pytest.fixture
def inputs(tmp_path: Path, fixtures_dir: Path) -> dict:
    header = pd.read_csv(fixtures_dir / "ssda903" / "header.csv", dtype=str)
    ids = header["CHILD"].head(3).tolist()
    police = tmp_path / "police.csv"
    rows = [f"{pid},0{n + 1}/02/2017" for n, pid in enumerate(ids)] + ["ZZ404,01/03/2017"]
    police.write_text("ChildID,NotifiedOn\n" + "\n".join(rows) + "\n", encoding="utf-8")
    mapping = tmp_path / "police.yaml"
    mapping.write_text(POLICE_YAML, encoding="utf-8")
    return {
        "ssda903": str(fixtures_dir / "ssda903"),
        "cin": str(fixtures_dir / "cin_census" / "fake_CIN_data.xml"),
        "police": police,
        "mapping": mapping,
        "out": tmp_path / "tables",
    }


def args(inputs: dict, *extra: str) -> list[str]:
    return [
        "import",
        "--ssda903",
        inputs["ssda903"],
        "--cin-census",
        inputs["cin"],
        "--extract",
        f"{inputs['police']}={inputs['mapping']}",
        "--out",
        str(inputs["out"]),
        *extra,
    ]


def test_import_writes_tables_that_train_reads(inputs, capsys):
    assert main(args(inputs)) == 0
    out = capsys.readouterr().out
    data = read_data(inputs["out"])  # what `riskmodel train --data DIR` reads, validated
    assert len(data.persons) > 0 and len(data.care_episodes) > 0
    assert (data.events["event_type"] == "police_domestic_abuse").sum() == 3
    issues = pd.read_csv(inputs["out"] / "import_issues.csv", dtype=str)
    assert list(issues.columns) == ["source", *ISSUE_COLUMNS]
    assert "ZZ404" in set(issues["person_id"])  # the child is reported in the file ...
    assert "ZZ404" not in out  # ... and never printed
    assert f"children: {len(data.persons):,} in the tables" in out
    assert "police_domestic_abuse" in out and "issues:" in out
    assert main(["validate", "--data", str(inputs["out"])]) == 0


def test_csv_tables(inputs, capsys):
    assert main(args(inputs, "--format", "csv")) == 0
    assert (inputs["out"] / "events.csv").is_file()
    read_data(inputs["out"])


def test_extract_argument_without_mapping_exits_2(inputs, capsys):
    argv = args(inputs)
    argv[argv.index("--extract") + 1] = str(inputs["police"])
    assert main(argv) == 2
    assert "--extract expects FILE=MAPPING.yaml" in capsys.readouterr().err


def test_no_return_exits_2(inputs, capsys):
    assert main(["import", "--out", str(inputs["out"])]) == 2
    assert "needs --ssda903 or --cin-census" in capsys.readouterr().err


def _broken_xml(inputs, tmp_path):
    path = tmp_path / "CIN_2024.xml"
    path.write_text("<Message>\n<Header>\n</Message>\n", encoding="utf-8")
    inputs["cin"] = str(path)
    return path, r"line 3"


def _broken_csv(inputs, tmp_path):
    inputs["police"].write_text("ChildID,NotifiedOn\nA,01/02/2017\nB,02/02/2017,x\n")
    return inputs["police"], r"line 3 has 3"


def _broken_yaml(inputs, tmp_path):
    inputs["mapping"].write_text("person_id: ChildID\ndate: [NotifiedOn\n")
    return inputs["mapping"], r"line 3"


def _broken_header(inputs, tmp_path):
    folder = tmp_path / "ssda903"
    shutil.copytree(inputs["ssda903"], folder)
    raw = (folder / "header.csv").read_bytes().splitlines(keepends=True)
    raw[4] = b"\xe9" + raw[4]
    (folder / "header.csv").write_bytes(b"".join(raw))
    inputs["ssda903"] = str(folder)
    return folder / "header.csv", r"line 5"


def _missing_mapping(inputs, tmp_path):
    inputs["mapping"] = tmp_path / "nowhere.yaml"
    return inputs["mapping"], r"no such file"


@pytest.mark.parametrize(
    "break_it", [_broken_xml, _broken_csv, _broken_yaml, _broken_header, _missing_mapping]
)
def test_unreadable_file_exits_2_naming_file_and_line(inputs, tmp_path, capsys, break_it):
    path, where = break_it(inputs, tmp_path)
    assert main(args(inputs)) == 2
    err = capsys.readouterr().err
    assert str(path) in err
    assert pd.Series([err]).str.contains(where).item(), err
    assert "Traceback" not in err
    assert not (inputs["out"] / "persons.parquet").exists()
