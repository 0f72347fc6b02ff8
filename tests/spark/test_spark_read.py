"""Reading the canonical tables on Spark: the tables, facts and summaries equal the local ones."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import riskmodel as rm
from riskmodel.cohort import build_cohort, summarise_cohort
from riskmodel.data import read_data, write_data
from riskmodel.data._columns import TABLES
from riskmodel.jobs._config import data_records_start, records_start
from riskmodel.spark import SparkData, cohort_counts_spark, read_tables_spark
from riskmodel.spark._cast import ROW
from riskmodel.spark._tables import table_schema

pytestmark = [pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    """One synthetic authority written as Parquet and as CSV."""
    data = rm.make_local_authority(n_children=400, random_state=5)
    root = tmp_path_factory.mktemp("authority")
    write_data(data, root / "parquet")
    write_data(data, root / "csv", format="csv")
    return root


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """Two authorities in ``authority=CODE`` folders; person ids repeat between them."""
    root = tmp_path_factory.mktemp("region")
    for code, seed, n in (("E09000002", 2, 250), ("E09000001", 1, 300)):
        data = rm.make_local_authority(n_children=n, random_state=seed, end="2024-02-29")
        write_data(data, root / f"authority={code}", format="csv" if seed == 2 else "parquet")
    return root


def _rows(sdata: SparkData, name: str) -> pd.DataFrame:
    """A table collected in its row order (its pooled row numbers)."""
    table = sdata._numbered[name].orderBy(ROW).toPandas()
    assert table[ROW].tolist() == list(range(len(table)))
    return table.drop(columns=ROW)


def _assert_same_data(sdata: SparkData, local: rm.LocalAuthorityData) -> None:
    assert sdata.truth is None
    assert sdata.extract_date == local.extract_date
    assert sdata.end_date == local.end_date
    assert sdata.population == local.population
    assert sdata.authorities == local.authorities
    assert sdata.is_pooled == local.is_pooled
    assert set(sdata.event_types) == set(local.events["event_type"].dropna())
    pd.testing.assert_frame_equal(sdata.summary(), local.summary())
    pd.testing.assert_frame_equal(sdata.coverage_summary(), local.coverage_summary())
    assert data_records_start(sdata) == records_start(local.events["event_date"])
    for name in TABLES:
        assert (
            getattr(sdata, name).schema.simpleString()
            == (
                getattr(sdata, name).sparkSession.createDataFrame([], table_schema(name))
            ).schema.simpleString()
        )
        got = _rows(sdata, name)
        want = getattr(local, name)
        pd.testing.assert_frame_equal(
            got, want.astype(got.dtypes.to_dict()), check_dtype=False, check_exact=True
        )


@pytest.mark.parametrize("form", ["parquet", "csv"])
def test_a_data_directory_read_on_spark_equals_read_data(spark, authority, form):
    source = str(authority / form)
    sdata = read_tables_spark(spark, source)
    _assert_same_data(sdata, read_data(source, validate=False))
    assert sdata.problems().empty
    assert sdata.validate() is sdata


def test_a_region_read_on_spark_equals_the_pooled_local_read(spark, region):
    sdata = read_tables_spark(spark, str(region))
    local = read_data(region, validate=False)
    assert sdata.authorities == ("E09000001", "E09000002") and sdata.is_pooled
    _assert_same_data(sdata, local)
    pd.testing.assert_frame_equal(sdata.problems(), local.problems(), check_dtype=False)


def test_catalogue_tables_read_on_spark_equal_the_local_tables(spark, authority):
    local = read_data(authority / "parquet", validate=False)
    from_files = read_tables_spark(spark, str(authority / "parquet"))
    for name in TABLES:  # global temporary views: the catalogue's tables, without files
        getattr(from_files, name).createOrReplaceGlobalTempView(name)
    sdata = read_tables_spark(spark, "table:global_temp", extract_date="2024-03-31")
    assert sdata.source == "table:global_temp"
    _assert_same_data(sdata, local)
    assert sdata.fingerprint() == from_files.fingerprint()
    with pytest.raises(rm.SchemaError, match=r"rm_nowhere\.persons: no such table"):
        read_tables_spark(spark, "table:rm_nowhere")


def test_the_fingerprint_has_the_local_counts_and_dates(spark, authority):
    from riskmodel.tracking import data_fingerprint

    sdata = read_tables_spark(spark, str(authority / "csv"))
    got, want = sdata.fingerprint(), data_fingerprint(read_data(authority / "csv"))
    assert {k: v for k, v in got.items() if "xxhash64" not in k} == {
        k: v for k, v in want.items() if "sha256" not in k
    }
    assert got == read_tables_spark(spark, str(authority / "parquet")).fingerprint()


def test_the_cohort_counted_on_spark_summarises_as_the_local_cohort(spark, region):
    sdata = read_tables_spark(spark, str(region))
    local = read_data(region, validate=False)
    dates = pd.to_datetime(["2019-04-01", "2021-10-01", "2023-01-01"])
    counted = cohort_counts_spark(
        sdata.persons, sdata.events, sdata.care_episodes, dates, extract_date=sdata.end_date
    )
    assert set(counted["authority"]) == {"E09000001", "E09000002"}
    pd.testing.assert_frame_equal(
        summarise_cohort(counted), summarise_cohort(build_cohort(local, dates))
    )


def test_metadata_and_missing_tables_are_refused_as_locally(spark, tmp_path, authority):
    folder = tmp_path / "broken"
    write_data(rm.make_local_authority(n_children=50, random_state=0), folder)
    (folder / "metadata.json").write_text(json.dumps({"extract_date": "31/13/2024"}))
    for source in (folder, tmp_path / "nothing"):
        with pytest.raises(rm.SchemaError) as local_error:
            read_data(source, validate=False)
        with pytest.raises(rm.SchemaError) as spark_error:
            read_tables_spark(spark, str(source))
        assert str(spark_error.value) == str(local_error.value)
    (folder / "events.parquet").unlink()
    with pytest.raises(rm.SchemaError, match=r"broken: no events\.parquet or events\.csv"):
        read_tables_spark(spark, str(folder))
