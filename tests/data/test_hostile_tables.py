"""Hostile input to the canonical tables (read_data): a clear SchemaError, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import riskmodel as rm
from riskmodel.cli import main


@pytest.fixture
def csv_dir(tmp_path, small_tables) -> Path:
    data = rm.LocalAuthorityData(**small_tables, extract_date="2024-03-31")
    return rm.write_data(data, tmp_path / "data", format="csv")


@pytest.mark.parametrize("content", ["[1, 2]", '["2024-03-31"]', '"2024-03-31"', "3"])
def test_metadata_not_an_object_is_a_schema_error(csv_dir, content):
    (csv_dir / "metadata.json").write_text(content)
    with pytest.raises(rm.SchemaError) as info:
        rm.read_data(csv_dir)
    message = str(info.value)
    assert str(csv_dir / "metadata.json") in message
    assert "expected an object" in message
    assert "not valid JSON" not in message  # it is valid JSON, of the wrong shape


@pytest.mark.parametrize("value", ["2024-13-45", "banana", [2024, 3, 31], {"y": 2024}, 20240331])
def test_metadata_with_a_bad_extract_date_is_a_schema_error(csv_dir, value):
    (csv_dir / "metadata.json").write_text(json.dumps({"extract_date": value}))
    with pytest.raises(rm.SchemaError) as info:
        rm.read_data(csv_dir)
    message = str(info.value)
    assert f"{csv_dir / 'metadata.json'}: extract_date {value!r} is not a date" in message
    assert "YYYY-MM-DD" in message


def test_metadata_date_with_slashes_is_day_first_or_refused(csv_dir):
    # pandas alone reads "03/04/2024" as 4 March; the returns' convention is 3 April
    (csv_dir / "metadata.json").write_text(json.dumps({"extract_date": "03/04/2024"}))
    assert str(rm.read_data(csv_dir).extract_date.date()) == "2024-04-03"
    (csv_dir / "metadata.json").write_text(json.dumps({"extract_date": "2024/04/03"}))
    with pytest.raises(rm.SchemaError, match="is not a date"):
        rm.read_data(csv_dir)


def test_repeated_csv_column_is_a_schema_error(csv_dir):
    path = csv_dir / "events.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(f"{line},{line.split(',')[1]}" for line in lines) + "\n")
    repeated_at = len(lines[0].split(",")) + 1
    with pytest.raises(rm.SchemaError) as info:
        rm.read_data(csv_dir)
    message = str(info.value)
    assert str(path) in message
    assert f"appears twice in the header (columns 2 and {repeated_at})" in message


def test_repeated_parquet_column_is_a_schema_error(tmp_path, small_tables):
    data = rm.LocalAuthorityData(**small_tables)
    folder = rm.write_data(data, tmp_path / "data")
    persons = data.persons
    table = pa.table(
        [
            pa.array(persons["person_id"].astype(str)),
            pa.array(persons["date_of_birth"]),
            pa.array(persons["sex"].astype(str)),
            pa.array(persons["sex"].astype(str)),
        ],
        names=["person_id", "date_of_birth", "sex", "sex"],
    )
    pq.write_table(table, folder / "persons.parquet")
    with pytest.raises(rm.SchemaError) as info:
        rm.read_data(folder)
    message = str(info.value)
    assert f"{folder / 'persons.parquet'}: column(s) sex appear more than once" in message
    assert "not a readable Parquet file" not in message


def test_repeated_column_in_memory_is_a_schema_error(small_tables):
    persons = small_tables["persons"].copy()
    persons.insert(1, "sex", persons["sex"], allow_duplicates=True)
    with pytest.raises(rm.SchemaError, match=r"persons: column\(s\) sex appear more than once"):
        rm.LocalAuthorityData(persons, small_tables["events"], small_tables["care_episodes"])


@pytest.mark.parametrize("name", ["persons", "events", "care_episodes"])
def test_table_of_commas_only_is_a_schema_error(csv_dir, name):
    path = csv_dir / f"{name}.csv"
    path.write_text(",,,,\n,,,,\n")
    with pytest.raises(rm.SchemaError) as info:
        rm.read_data(csv_dir)
    message = str(info.value)
    assert str(path) in message
    assert "no header row" in message
    assert "expected column names on line 1" in message


def test_table_in_utf16_is_named(csv_dir):
    path = csv_dir / "persons.csv"
    path.write_bytes(path.read_text().encode("utf-16-le"))
    with pytest.raises(rm.SchemaError, match=r"persons.csv: not UTF-8 \(looks like UTF-16"):
        rm.read_data(csv_dir)


def test_table_line_numbers_are_physical_after_a_quoted_newline(csv_dir):
    path = csv_dir / "persons.csv"
    lines = path.read_text().splitlines()
    first = lines[1].split(",")
    first[-1] = '"a\nb"'  # household_id or a later column: text, may hold a newline
    bad = lines[3].split(",")
    bad[1] = "2010-02-31"
    path.write_text("\n".join([lines[0], ",".join(first), lines[2], ",".join(bad)]) + "\n")
    with pytest.raises(rm.SchemaError, match=r"persons.csv.date_of_birth: 1 value\(s\).*row 5"):
        rm.read_data(csv_dir, validate=False)


def test_bad_metadata_on_the_command_line_exits_2(csv_dir, capsys):
    (csv_dir / "metadata.json").write_text("[1, 2]")
    assert main(["validate", "--data", str(csv_dir)]) == 2
    err = capsys.readouterr().err
    assert "metadata.json: holds a JSON list" in err
    assert "Traceback" not in err
