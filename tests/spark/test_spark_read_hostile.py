"""Hostile tables read on Spark are refused or reported exactly as the local reader does.

The Spark reader coerces each column with the local coercion and validates shards
of children with the local validator, so for tables that nobody here made (values
that cannot be read, rows that contradict each other, a column of the wrong type)
the error text, or the problems table, must be the local one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import riskmodel as rm
from riskmodel._wording import show_value
from riskmodel.data import read_data, write_data
from riskmodel.exceptions import DataQualityWarning
from riskmodel.spark import read_tables_spark

pytestmark = [pytest.mark.xdist_group("spark")]


def _written(folder, data, form="csv"):
    write_data(data, folder, format=form)
    return folder


def _same_refusal(spark, source) -> str:
    """Both readers refuse ``source``; return the (equal) message."""
    with pytest.raises(rm.SchemaError) as local_error:
        read_data(source, validate=False)
    with pytest.raises(rm.SchemaError) as spark_error:
        read_tables_spark(spark, str(source))
    assert str(spark_error.value) == str(local_error.value)
    return str(local_error.value)


def _validated(data):
    """``data.validate()``'s error text (or None) and its warnings' texts."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data.validate()
            error = None
        except rm.SchemaError as exc:
            error = str(exc)
    quality = sorted(str(w.message) for w in caught if issubclass(w.category, DataQualityWarning))
    return error, quality


@pytest.fixture(scope="module")
def clean():
    return rm.make_local_authority(n_children=300, random_state=11)


def test_unreadable_dates_and_numbers_are_refused_naming_the_same_rows(spark, tmp_path, clean):
    folder = _written(tmp_path / "dates", clean)
    events = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    events.loc[[3, 40, 41], "event_date"] = ["31/02/2020", "yesterday", "2020-13-01"]
    events.to_csv(folder / "events.csv", index=False)
    message = _same_refusal(spark, folder)
    assert "event_date" in message and "yesterday" in message

    folder = _written(tmp_path / "numbers", clean)
    persons = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False)
    persons.loc[7, "imd_decile"] = "ten"
    persons.to_csv(folder / "persons.csv", index=False)
    message = _same_refusal(spark, folder)
    assert "imd_decile" in message and "ten" in message


def test_a_missing_required_column_and_a_wrongly_typed_column_are_refused(spark, tmp_path, clean):
    folder = _written(tmp_path / "no_sex", clean)
    persons = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False)
    persons.drop(columns="sex").to_csv(folder / "persons.csv", index=False)
    assert "sex" in _same_refusal(spark, folder)

    folder = _written(tmp_path / "typed", clean, form="parquet")
    episodes = pd.read_parquet(folder / "care_episodes.parquet")
    episodes["start_date"] = np.arange(len(episodes), dtype="float64") + 0.5
    episodes.to_parquet(folder / "care_episodes.parquet", index=False)
    # Locally each number is a value that is not a date (never an epoch); Spark refuses
    # the column's type at once. Both name the file and the column.
    with pytest.raises(rm.SchemaError, match=r"care_episodes\.parquet.*start_date.*0\.5"):
        read_data(folder, validate=False)
    with pytest.raises(
        rm.SchemaError,
        match=r"care_episodes\.parquet.*start_date: the column holds double values",
    ):
        read_tables_spark(spark, str(folder))


def test_rows_that_contradict_each_other_give_the_local_problems_and_error(spark, tmp_path, clean):
    folder = _written(tmp_path / "contradictions", clean)
    persons = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False)
    events = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    episodes = pd.read_csv(folder / "care_episodes.csv", dtype=str, keep_default_na=False)
    persons = pd.concat([persons, persons.iloc[[5]]], ignore_index=True)  # a child twice
    persons.loc[9, "ethnicity"] = "ZZZZ"  # an unknown code: a warning, the row stays
    events.loc[12, "person_id"] = "nobody-here"  # an event of no known child
    events.loc[13, "event_type"] = "séance"  # a family that does not exist
    events.loc[14, "event_date"] = "2031-01-01"  # after the extract date
    assert len(episodes), "the authority must have a care episode to contradict"
    episodes.loc[0, "end_date"] = "1990-01-01"  # ends before it starts
    persons.to_csv(folder / "persons.csv", index=False)
    events.to_csv(folder / "events.csv", index=False)
    episodes.to_csv(folder / "care_episodes.csv", index=False)

    local = read_data(folder, validate=False)
    sdata = read_tables_spark(spark, str(folder))
    want = local.problems()
    assert (want["severity"] == "error").sum() >= 3 and (want["severity"] == "warning").any()
    got = sdata.problems().reset_index(drop=True)
    want = want.reset_index(drop=True)
    pd.testing.assert_frame_equal(
        got.drop(columns="values"), want.drop(columns="values"), check_dtype=False
    )
    # Spark brings the values back as the messages show them (documented).
    assert got["values"].tolist() == [[show_value(v) for v in vs] for vs in want["values"]]
    local_error, local_warnings = _validated(local)
    spark_error, spark_warnings = _validated(sdata)
    assert local_error is not None and spark_error == local_error
    assert spark_warnings == local_warnings


def test_a_region_folder_whose_rows_name_another_authority_is_refused(spark, tmp_path, clean):
    region = tmp_path / "region"
    other = rm.make_local_authority(n_children=120, random_state=12)
    _written(region / "authority=E09000001", clean)
    folder = _written(region / "authority=E09000002", other)
    persons = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False)
    persons["authority"] = "E09000002"
    persons.loc[4, "authority"] = "E09000001"
    persons.to_csv(folder / "persons.csv", index=False)
    message = _same_refusal(spark, region)
    assert "E09000001" in message and "authority" in message
