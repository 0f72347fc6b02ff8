"""The canonical tables read on Spark, and the few facts about them the jobs need."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from riskmodel.data._columns import TABLES, as_extract_date
from riskmodel.data._tables import POPULATIONS
from riskmodel.exceptions import SchemaError
from riskmodel.spark._cast import ROW, canonical_tables
from riskmodel.spark._sources import find_source

__all__ = ["SparkData", "read_tables_spark"]

_DATE_COLUMNS = {"persons": "date_of_birth", "events": "event_date", "care_episodes": "start_date"}
_MASK64 = (1 << 64) - 1


def read_tables_spark(
    spark: Any,
    source: str,
    *,
    extract_date: Any = None,
    population: str | None = None,
) -> SparkData:
    """Read the canonical tables on Spark, as :func:`~riskmodel.read_data` reads them locally.

    Nothing but small aggregates reaches the driver: the tables stay Spark
    DataFrames, read and coerced on the executors by the local reader's own rules,
    and persisted.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session.
    source : str
        One of:

        - a data directory (a local path or a URI Spark and :mod:`pyarrow.fs` open)
          holding ``persons``, ``events`` and ``care_episodes`` as ``.parquet`` or
          ``.csv`` and optionally ``metadata.json``, as
          :func:`~riskmodel.write_data` and ``riskmodel import`` write it;
        - a region directory of ``authority=CODE`` folders, each such a directory,
          as :func:`~riskmodel.write_region` writes it: every row gets its folder's
          ``CODE``, the latest extract date is the data's, and the population is
          ``"returns"`` if any folder's is;
        - ``"table:SCHEMA"``: the catalogue tables ``SCHEMA.persons``,
          ``SCHEMA.events`` and ``SCHEMA.care_episodes`` (``spark.table``; ``table:``
          alone names them in the current database).
    extract_date : date-like, optional
        The extract date, instead of ``metadata.json``'s (catalogue tables have
        none of their own).
    population : {"all", "returns"}, optional
        Who ``persons`` holds, instead of ``metadata.json``'s (default ``"all"``).

    Returns
    -------
    SparkData
        Not yet validated: call :meth:`SparkData.validate`.

    Raises
    ------
    SchemaError
        As the local reader raises it, naming the file (or catalogue table), the
        column, the first rows and values: a missing table or required column, a
        column of a type that cannot be read, values that cannot be read, an
        invalid ``metadata.json``, a folder's rows naming another authority.
    """
    found = find_source(spark, source)
    if population is not None and population not in POPULATIONS:
        raise SchemaError(f"population {population!r} is not one of {', '.join(POPULATIONS)}")
    return SparkData(
        canonical_tables(found),
        source=found.label,
        extract_date=as_extract_date(extract_date)
        if extract_date is not None
        else found.extract_date,
        population=population or found.population,
    )


class SparkData:
    """The three canonical tables as Spark DataFrames, with facts computed on Spark.

    Made by :func:`read_tables_spark`. It stands in for
    :class:`~riskmodel.data.LocalAuthorityData` in the ``train`` and ``score`` jobs
    on the Spark engine and in :func:`~riskmodel.reports.build_review`, and holds
    only what they read:

    - ``persons``, ``events``, ``care_episodes``: Spark DataFrames with the
      canonical columns in the canonical Spark types (dates as timestamps);
    - ``extract_date``, ``population``, ``truth`` (always None), ``source``;
    - :attr:`end_date`, :attr:`authorities`, :attr:`is_pooled`,
      :attr:`event_types`, and the methods :meth:`summary`,
      :meth:`coverage_summary`, :meth:`event_months`, :meth:`validate`,
      :meth:`problems` and :meth:`fingerprint`, each computed once with Spark
      aggregates and kept.

    Row-level methods of the local container (``known_at``, ``subset``,
    ``by_authority``, ``coverage``) are not offered.
    """

    truth = None

    def __init__(
        self,
        tables: dict[str, Any],
        *,
        source: str,
        extract_date: pd.Timestamp | None,
        population: str,
    ) -> None:
        self._numbered = tables
        self.source = source
        self.extract_date = extract_date
        self.population = population
        self.persons, self.events, self.care_episodes = (tables[n].drop(ROW) for n in TABLES)

    def __repr__(self) -> str:
        extract = self.extract_date.date() if self.extract_date is not None else "not given"
        return f"SparkData(source={self.source!r}, extract_date={extract})"

    @functools.cached_property
    def _facts(self) -> dict[str, dict[str, Any]]:
        """Rows, children and the first and last dates of each table (one job per table)."""
        from pyspark.sql import functions as F

        out = {}
        for name, column in _DATE_COLUMNS.items():
            table = getattr(self, name)
            aggregates = [
                F.count(F.lit(1)).alias("rows"),
                F.countDistinct("person_id").alias("children"),
                F.min(column).alias("first_date"),
                F.max(column).alias("last_date"),
            ]
            if name == "care_episodes":
                aggregates.append(F.max("end_date").alias("last_end_date"))
            out[name] = table.agg(*aggregates).first().asDict()
        return out

    @property
    def end_date(self) -> pd.Timestamp:
        """The extract date if given, else the latest event or episode date (on Spark)."""
        if self.extract_date is not None:
            return self.extract_date
        candidates = [
            self._facts["events"]["last_date"],
            self._facts["care_episodes"]["last_date"],
            self._facts["care_episodes"]["last_end_date"],
        ]
        dates = [_timestamp(d) for d in candidates if d is not None]
        if not dates:
            raise SchemaError("the data have no dated events or episodes and no extract_date")
        return max(dates)

    @functools.cached_property
    def authorities(self) -> tuple[str, ...]:
        """The authority codes in ``persons.authority``, sorted; empty when none is recorded."""
        rows = self.persons.select("authority").dropna().distinct().collect()
        return tuple(sorted(str(r[0]) for r in rows))

    @property
    def is_pooled(self) -> bool:
        """Whether the data hold more than one authority's children."""
        return len(self.authorities) > 1

    @functools.cached_property
    def event_types(self) -> tuple[str, ...]:
        """The distinct ``events.event_type`` values, sorted (for the feature specification)."""
        rows = self.events.select("event_type").dropna().distinct().collect()
        return tuple(sorted(r[0] for r in rows))

    def summary(self) -> pd.DataFrame:
        """Rows, children and date range of each table, counted on Spark.

        Equal to :meth:`~riskmodel.LocalAuthorityData.summary` of the same tables.
        """
        rows = {
            name: {
                "rows": int(facts["rows"]),
                "children": int(facts["children"]),
                "first_date": _timestamp(facts["first_date"]),
                "last_date": _timestamp(facts["last_date"]),
            }
            for name, facts in self._facts.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index")

    def coverage_summary(self) -> pd.DataFrame:
        """One row per event family, as :meth:`~riskmodel.LocalAuthorityData.coverage_summary`."""
        return self._coverage.copy()

    @functools.cached_property
    def _coverage(self) -> pd.DataFrame:
        from riskmodel.spark._facts import coverage_summary_spark

        return coverage_summary_spark(self.events, self.care_episodes)

    def event_months(self) -> pd.Series:
        """Return the number of dated events in each month holding any (indexed by ``Period``)."""
        return self._event_months.copy()

    @functools.cached_property
    def _event_months(self) -> pd.Series:
        from riskmodel.spark._facts import event_months_spark

        return event_months_spark(self.events)

    def problems(self) -> pd.DataFrame:
        """Every validation problem, as :meth:`~riskmodel.LocalAuthorityData.problems`.

        Found on Spark by the local validator run on shards of children (see
        ``find_problems_spark`` in ``riskmodel/spark/_validate.py``).
        """
        return self._problems.copy()

    @functools.cached_property
    def _problems(self) -> pd.DataFrame:
        from riskmodel.spark._validate import find_problems_spark

        return find_problems_spark(self._numbered, self.authorities, self.extract_date)

    def validate(self) -> SparkData:
        """Check every table on Spark with the local rules; warn and raise as the local validate.

        Returns
        -------
        SparkData
            ``self``.

        Raises
        ------
        SchemaError
            Listing, for every problem, the table, column, first rows and values.
        """
        from riskmodel.data._validate import report_problems

        report_problems(self.problems(), stacklevel=3)
        return self

    def fingerprint(self) -> dict[str, object]:
        """Return the fingerprint for MLflow, as :func:`~riskmodel.tracking.data_fingerprint`.

        The same keys, except that each table's ``sha256`` (a hash of the rows in
        their order, which a distributed table does not have) is replaced by
        ``xxhash64_sum``: the sum, modulo 2**64, of Spark's ``xxhash64`` of every
        row's canonical columns (hex), which equal tables give in any row order.
        """
        from pyspark.sql import functions as F

        out: dict[str, object] = {
            "extract_date": None if self.extract_date is None else str(self.extract_date.date())
        }
        for name, facts in self.summary().iterrows():
            table = getattr(self, name)
            total = table.agg(F.sum(F.xxhash64(*table.columns).cast("decimal(38,0)"))).first()[0]
            out[f"{name}.rows"] = int(facts["rows"])
            out[f"{name}.children"] = int(facts["children"])
            out[f"{name}.first_date"] = _date_text(facts["first_date"])
            out[f"{name}.last_date"] = _date_text(facts["last_date"])
            out[f"{name}.xxhash64_sum"] = f"{int(total or 0) & _MASK64:016x}"
        return out


def _timestamp(value: Any) -> pd.Timestamp:
    """Return a date collected from Spark as the local tables hold it (ns; NaT if None)."""
    return pd.NaT if value is None else pd.Timestamp(value).as_unit("ns")


def _date_text(value: Any) -> str | None:
    return None if pd.isna(value) else str(pd.Timestamp(value).date())
