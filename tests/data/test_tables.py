import json

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.data._columns import TABLES


def test_construction_coerces_to_canonical_dtypes(small_tables):
    data = rm.LocalAuthorityData(**small_tables, extract_date="2024-03-31")
    for name, columns in TABLES.items():
        table = getattr(data, name)
        assert list(table.columns[: len(columns)]) == [c.name for c in columns]
    assert data.persons["date_of_birth"].dtype == "datetime64[ns]"
    assert data.persons["disability"].dtype == "boolean"
    assert data.persons["imd_decile"].dtype == "Int64"
    assert data.events["value"].dtype == "float64"
    assert data.extract_date == pd.Timestamp("2024-03-31")


def test_missing_optional_columns_are_added_empty(small_tables):
    persons = small_tables["persons"][["person_id", "date_of_birth", "sex"]]
    data = rm.LocalAuthorityData(persons, small_tables["events"], small_tables["care_episodes"])
    assert data.persons["imd_decile"].isna().all()
    assert data.persons["uasc"].dtype == "boolean"


def test_missing_required_column_names_table_and_column(small_tables):
    events = small_tables["events"].drop(columns="event_date")
    with pytest.raises(rm.SchemaError, match=r"events: missing required column\(s\) event_date"):
        rm.LocalAuthorityData(small_tables["persons"], events, small_tables["care_episodes"])


def test_uncoercible_values_are_errors_not_silent_missing(small_tables):
    persons = small_tables["persons"].astype("object")
    persons.loc[1, "date_of_birth"] = "2010-02-31"
    persons.loc[2, "imd_decile"] = "high"
    persons.loc[0, "date_of_birth"] = "2999-01-01"  # a typo, outside any plausible range
    with pytest.raises(rm.SchemaError) as info:
        rm.LocalAuthorityData(persons, small_tables["events"], small_tables["care_episodes"])
    message = str(info.value)
    assert (
        "persons.date_of_birth: 2 value(s) are not a valid date "
        "(rows 0, 1; values '2999-01-01', '2010-02-31')" in message
    )
    assert "persons.imd_decile" in message and "'high'" in message


def test_numbers_in_a_date_column_are_invalid_dates_never_epochs(small_tables):
    events = small_tables["events"].copy()
    events["event_date"] = [0.5 + i for i in range(len(events))]  # a Parquet float column
    with pytest.raises(rm.SchemaError, match=r"events\.event_date: \d+ value\(s\) are not a"):
        rm.LocalAuthorityData(small_tables["persons"], events, small_tables["care_episodes"])
    events["event_date"] = [20200101 + i for i in range(len(events))]  # ISO 8601's basic form
    data = rm.LocalAuthorityData(small_tables["persons"], events, small_tables["care_episodes"])
    assert data.events["event_date"].iloc[0] == pd.Timestamp("2020-01-01")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_write_then_read_round_trips(small_tables, tmp_path, fmt):
    data = rm.LocalAuthorityData(**small_tables, extract_date="2024-03-31")
    rm.write_data(data, tmp_path, format=fmt)
    assert json.loads((tmp_path / "metadata.json").read_text())["extract_date"] == "2024-03-31"
    back = rm.read_data(tmp_path)
    assert back.extract_date == data.extract_date
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(data, name))
    assert not list(tmp_path.glob(".*.tmp")), "temporary files must not be left behind"


def test_read_data_names_the_missing_table(tmp_path, small_tables):
    rm.write_data(rm.LocalAuthorityData(**small_tables), tmp_path)
    (tmp_path / "events.parquet").unlink()
    with pytest.raises(rm.SchemaError, match="no events.parquet or events.csv"):
        rm.read_data(tmp_path)


def test_read_data_csv_errors_name_file_and_line(tmp_path, small_tables):
    rm.write_data(rm.LocalAuthorityData(**small_tables), tmp_path, format="csv")
    path = tmp_path / "events.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("2020-06-01", "2020-06-41")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        rm.SchemaError, match=r"events\.csv\.event_date: .*row 3; value '2020-06-41'"
    ):
        rm.read_data(tmp_path)


def test_read_data_rejects_non_utf8(tmp_path, small_tables):
    rm.write_data(rm.LocalAuthorityData(**small_tables), tmp_path, format="csv")
    path = tmp_path / "persons.csv"
    path.write_bytes(path.read_bytes().replace(b"WBRI", b"W\xe9RI"))
    with pytest.raises(rm.SchemaError, match=r"persons\.csv: not UTF-8 text: byte 0xe9 .*line 2"):
        rm.read_data(tmp_path)


def test_merge_keeps_one_person_row_and_no_duplicate_events(small_tables):
    a = rm.LocalAuthorityData(**small_tables, extract_date="2023-03-31")
    persons_b = small_tables["persons"].assign(imd_decile=[9, 9, 9])
    no_episodes = small_tables["care_episodes"].iloc[:0]
    b = rm.LocalAuthorityData(
        persons_b, small_tables["events"], no_episodes, extract_date="2024-03-31"
    )
    merged = rm.merge_data(a, b)
    assert len(merged.persons) == 3
    assert merged.persons.set_index("person_id").loc["c", "imd_decile"] == 9  # a's was missing
    assert merged.persons.set_index("person_id").loc["a", "imd_decile"] == 1  # first wins
    assert len(merged.events) == len(small_tables["events"])
    assert merged.extract_date == pd.Timestamp("2024-03-31")


def test_subset_and_summary(small_tables):
    data = rm.LocalAuthorityData(**small_tables)
    sub = data.subset(["a"])
    assert set(sub.events["person_id"]) == {"a"} and len(sub.care_episodes) == 3
    summary = data.summary()
    assert summary.loc["events", "rows"] == 3 and summary.loc["persons", "children"] == 3
    assert data.end_date == pd.Timestamp("2022-06-01")
