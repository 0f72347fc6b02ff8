"""The notes of ``score --engine spark``: the local engine's data-quality and feature notes.

The local :func:`~riskmodel.scoring.score` notes (and warns about) data it can score
but should not be trusted: no event before the as-of date, no care episode. It also
notes the model's features that the data's event types do not build (counted as 0),
and event types the model never saw (ignored). On Spark the same notes are made on the
driver from a few counts per authority (Spark aggregates for a
:class:`~riskmodel.spark.SparkData`; the tables themselves for a
:class:`~riskmodel.LocalAuthorityData`), with the local wording.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["driver_notes", "engine_notes"]


def driver_notes(data: Any, tables: dict[str, Any], model: Any, as_of: pd.Timestamp) -> list[str]:
    """Return the local engine's data-quality and feature notes, per authority.

    Parameters
    ----------
    data : SparkData or LocalAuthorityData
        The data being scored.
    tables : dict of str to pyspark.sql.DataFrame
        Its tables on Spark (counted for a SparkData).
    model : estimator
        The fitted model.
    as_of : pandas.Timestamp
        The as-of date.

    Returns
    -------
    list of str
        Prefixed ``authority CODE:`` on pooled data.

    Warns
    -----
    DataQualityWarning
        As the local engine warns: no event before ``as_of``, no care episode.
    """
    from riskmodel.scoring._odd_data import warn_odd_counts

    notes = []
    for code, facts in _facts(data, tables, as_of).items():
        found: list[str] = []
        warn_odd_counts(facts["events"], facts["before"], facts["episodes"], as_of, found)
        _feature_notes(model, facts["types"], found)
        notes += [f"authority {code}: {n}" for n in found] if data.is_pooled else found
    return notes


def engine_notes(model: Any) -> list[str]:
    """Return what still differs from the local engine, for this model.

    A logistic model fitted before it stored its training mean (``reference_``) is
    explained against the rows scored together: each shard on Spark, the whole cohort
    locally.
    """
    linear = getattr(model, "estimator", None) == "logistic"
    if linear and getattr(model, "reference_", None) is None:
        return [
            "Spark engine: this logistic model stores no training mean, so its reasons "
            "are measured from each shard's mean, not the whole cohort's, and may differ "
            "from the local engine's; refit it to store one"
        ]
    return []


def _feature_notes(model: Any, event_types: list[str], found: list[str]) -> None:
    """Note the features the event types leave at 0, as :func:`align_features` notes them."""
    from riskmodel.data import LocalAuthorityData
    from riskmodel.data._columns import TABLES
    from riskmodel.features import build_features
    from riskmodel.scoring._features import align_features, model_spec

    empty = LocalAuthorityData(
        **{name: pd.DataFrame(columns=[c.name for c in TABLES[name]]) for name in TABLES}
    )
    keys = pd.DataFrame(
        {"person_id": pd.Series([], dtype="str"), "as_of_date": pd.Series([], dtype="M8[ns]")}
    )
    spec = model_spec(model).resolve(event_types)
    align_features(build_features(empty, spec=spec, keys=keys), model, found)


def _facts(data: Any, tables: dict[str, Any], as_of: pd.Timestamp) -> dict:
    """Each authority's events, events before ``as_of``, episodes and event types."""
    from riskmodel.spark import SparkData

    if not isinstance(data, SparkData):
        out = {}
        for code, part in data.by_authority():
            events = part.events
            out[code] = {
                "events": len(events),
                "before": int((events["event_date"] < as_of).sum()),
                "episodes": len(part.care_episodes),
                "types": list(events["event_type"].dropna().unique()),
            }
        return out
    return _facts_spark(data, tables, as_of)


def _facts_spark(data: Any, tables: dict[str, Any], as_of: pd.Timestamp) -> dict:
    """:func:`_facts` with Spark aggregates: one small row per authority and table."""
    from pyspark.sql import functions as F

    codes = list(data.authorities) or [None]
    out = {code: {"events": 0, "before": 0, "episodes": 0, "types": []} for code in codes}
    events = (
        tables["events"]
        .groupBy("authority")
        .agg(
            F.count(F.lit(1)).alias("events"),
            F.sum((F.col("event_date") < F.lit(as_of.to_pydatetime())).cast("long")).alias(
                "before"
            ),
            F.collect_set("event_type").alias("types"),
        )
        .collect()
    )
    for row in events:
        out[_code(row["authority"], codes)].update(
            events=int(row["events"]), before=int(row["before"] or 0), types=list(row["types"])
        )
    for row in tables["care_episodes"].groupBy("authority").count().collect():
        out[_code(row["authority"], codes)]["episodes"] = int(row["count"])
    return out


def _code(authority: str | None, codes: list[str | None]) -> str | None:
    """Return the authority of a row (the one code when the data name a single authority).

    Raises
    ------
    ValueError
        If pooled data hold a row of an authority that is not one of theirs.
    """
    if authority in codes:
        return authority
    if len(codes) == 1:
        return codes[0]
    raise ValueError(f"rows name authority {authority!r}, which is not one of {codes}")
