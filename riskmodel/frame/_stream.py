"""The training frame written shard by shard to partitioned Parquet, and read back.

Cohort, labels and features are per child (per household for the household
features), so an authority's children can be built in shards with the unchanged
in-memory builder. Memory is then bounded by one authority's tables and one shard's
frame per worker, not by the population; shards run in parallel with joblib.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel._atomic import atomic_write
from riskmodel.cohort import check_months
from riskmodel.features import FeatureSpec, default_spec
from riskmodel.frame._build import frame_of_rows
from riskmodel.frame._pool import labelled, pool_frames
from riskmodel.frame._shards import DEFAULT_SHARD_SIZE, iter_shards
from riskmodel.frame._training_frame import TrainingFrame

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = ["flatten", "frame_from_flat", "read_training_frame", "write_training_frame"]

MANIFEST = "frame.json"
LABEL = "care_entry"
GROUP_PREFIX = "group:"
"""Group columns are stored as ``group:sex`` and so on, apart from the features."""


def write_training_frame(
    source: LocalAuthorityData | str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    as_of_dates: Any,
    horizon_months: int = 12,
    spec: FeatureSpec | None = None,
    *,
    shard_size: int = DEFAULT_SHARD_SIZE,
    n_jobs: int | None = 1,
    include_demographics: bool = False,
    **cohort_kwargs: Any,
) -> dict:
    """Build the training frame shard by shard and write it as partitioned Parquet.

    Gives the same rows as :func:`~riskmodel.build_training_frame` on the whole data
    (read back with :func:`read_training_frame`), while holding only one authority's
    tables and one shard's frame per worker.

    Parameters
    ----------
    source : LocalAuthorityData or path
        The data (one authority, or pooled), or a region directory of
        ``authority=CODE/`` data folders, read one authority at a time.
    out_dir : path
        Where to write ``[authority=CODE/]shard=NNNNN/part.parquet`` (keys, features,
        label and ``group:`` columns), ``cohort.parquet`` beside each, and
        ``frame.json`` (the resolved spec, columns, and rows per shard).
    as_of_dates, horizon_months, spec, include_demographics, **cohort_kwargs
        As for :func:`~riskmodel.build_training_frame`. The spec is resolved once on
        the event types of the whole source, so every shard has the same columns.
    shard_size : int, default 20,000
        About how many children a shard holds (households are never split).
    n_jobs : int or None, default 1
        Shards built in parallel by joblib (None or 1: one at a time; -1: every
        core). Shards are handed out as workers free up, so memory stays bounded.

    Returns
    -------
    dict
        The manifest written to ``frame.json``.

    Examples
    --------
    >>> import tempfile, pandas as pd, riskmodel as rm
    >>> data = rm.make_local_authority(n_children=1_000, random_state=0)
    >>> out = tempfile.mkdtemp()
    >>> dates = pd.date_range("2019-04-01", "2021-04-01", freq="YS-APR")
    >>> manifest = rm.write_training_frame(data, out, dates, shard_size=400)
    >>> len(rm.read_training_frame(out)) == len(rm.build_training_frame(data, dates))
    True
    """
    from joblib import Parallel, delayed

    months = check_months(horizon_months)
    resolved = (spec if spec is not None else default_spec()).resolve(_event_types(source))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    options = {"include_demographics": include_demographics, "cohort_kwargs": cohort_kwargs}
    jobs = (
        delayed(_write_shard)(shard, code, number, out, as_of_dates, months, resolved, options)
        for code, number, shard in _shards(source, shard_size)
    )
    parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="n_jobs")
    shards = [s for s in parallel(jobs) if s is not None]
    if not shards:
        raise ValueError(f"{source!r}: no child is in the cohort at any as-of date")
    manifest = {
        "horizon_months": months,
        "end_date": str(_end_date(source, shards).date()),
        "pooled": len({s["authority"] for s in shards}) > 1,
        "columns": shards[0].pop("columns"),
        "groups": shards[0].pop("groups"),
        "spec": resolved.to_dict(),
        "shards": [{k: v for k, v in s.items() if k not in ("columns", "groups")} for s in shards],
    }
    text = json.dumps(manifest, indent=1)
    atomic_write(out / MANIFEST, lambda path: Path(path).write_text(text))
    return manifest


def _end_date(source: Any, shards: list[dict]) -> pd.Timestamp:
    if not isinstance(source, (str, os.PathLike)):
        return source.end_date
    return max(pd.Timestamp(s["end_date"]) for s in shards)


def _event_types(source: Any) -> list[str]:
    if not isinstance(source, (str, os.PathLike)):
        return list(source.events["event_type"].dropna().unique())
    types: set[str] = set()
    for _, folder in _region_folders(Path(source)):
        parquet = folder / "events.parquet"
        if parquet.exists():
            column = pd.read_parquet(parquet, columns=["event_type"])["event_type"]
        else:
            from riskmodel.data import read_data

            column = read_data(folder, validate=False).events["event_type"]
        types.update(column.dropna().astype(str).unique())
    return sorted(types)


def _region_folders(directory: Path) -> list[tuple[str, Path]]:
    folders = sorted(p for p in directory.glob("authority=*") if p.is_dir())
    if not folders:
        raise FileNotFoundError(f"{directory}: no authority=CODE folders of a region directory")
    return [(p.name.split("=", 1)[1], p) for p in folders]


def _shards(source: Any, shard_size: int) -> Iterator[tuple[str | None, int, LocalAuthorityData]]:
    if not isinstance(source, (str, os.PathLike)):
        yield from iter_shards(source, shard_size)
        return
    from riskmodel.data import read_data
    from riskmodel.data._pooling import stamp_authority

    for code, folder in _region_folders(Path(source)):
        yield from iter_shards(stamp_authority(read_data(folder), code), shard_size)


def _write_shard(
    shard: LocalAuthorityData,
    code: str | None,
    number: int,
    out: Path,
    as_of_dates: Any,
    months: int,
    resolved: FeatureSpec,
    options: dict,
) -> dict | None:
    frame = frame_of_rows(
        shard,
        as_of_dates,
        months,
        resolved,
        options["include_demographics"],
        options["cohort_kwargs"],
    )
    if not isinstance(frame, TrainingFrame):
        return None
    folder = out / (f"authority={code}" if code is not None else "") / f"shard={number:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    flat = flatten(frame, code)
    flat.to_parquet(folder / "part.parquet", index=False)
    cohort = frame.cohort if code is None else frame.cohort.assign(authority=code)
    cohort.to_parquet(folder / "cohort.parquet", index=False)
    return {
        "authority": code,
        "shard": number,
        "path": str(folder.relative_to(out)),
        "rows": len(flat),
        "positives": int(np.nansum(frame.y.to_numpy(dtype="float64"))),
        "unlabelled": frame.n_unlabelled,
        "end_date": str(shard.end_date.date()),
        "columns": list(frame.X.columns),
        "groups": list(frame.groups.columns),
    }


def flatten(frame: TrainingFrame, code: str | None) -> pd.DataFrame:
    """Return one table of keys (``authority`` if given), features, label and groups."""
    keys = frame.keys if code is None else frame.keys.assign(authority=code)
    parts = [
        keys.reset_index(drop=True),
        frame.X.reset_index(drop=True),
        pd.DataFrame({LABEL: frame.y.to_numpy(dtype="float64")}),
        frame.groups.add_prefix(GROUP_PREFIX).reset_index(drop=True),
    ]
    return pd.concat(parts, axis=1)


def read_training_frame(
    out_dir: str | os.PathLike[str],
    *,
    authorities: Iterable[str] | None = None,
    drop_unlabelled: bool = True,
) -> TrainingFrame:
    """Read a frame written by :func:`write_training_frame` back into memory.

    Parameters
    ----------
    out_dir : path
        The directory :func:`write_training_frame` wrote.
    authorities : iterable of str, optional
        Read only these authorities' shards.
    drop_unlabelled : bool, default True
        Drop rows whose horizon runs past the end of the data, as
        :func:`~riskmodel.build_training_frame` does by default.

    Returns
    -------
    TrainingFrame
        With the rows, columns and order the in-memory builder gives.

    See Also
    --------
    read_training_sample : Every care entry and a weighted sample of the other rows.
    """
    frame = read_shards(out_dir, authorities=authorities)
    if not drop_unlabelled:
        return frame
    manifest = json.loads((Path(out_dir) / MANIFEST).read_text())
    return labelled(frame, pd.Timestamp(manifest["end_date"]))


def read_shards(
    out_dir: str | os.PathLike[str],
    *,
    authorities: Iterable[str] | None = None,
    transform: Callable[[str | None, TrainingFrame], TrainingFrame] | None = None,
) -> TrainingFrame:
    """Read the shards one by one (each through ``transform``) and join them in frame order."""
    out = Path(out_dir)
    manifest = json.loads((out / MANIFEST).read_text())
    wanted = None if authorities is None else {str(a) for a in authorities}
    spec = FeatureSpec.from_dict(manifest["spec"])
    frames: dict[str | None, list[TrainingFrame]] = {}
    for shard in manifest["shards"]:
        code = shard["authority"]
        if wanted is not None and code not in wanted:
            continue
        part = _read_shard(out, shard, manifest, spec)
        frames.setdefault(code, []).append(part if transform is None else transform(code, part))
    if not frames:
        raise ValueError(f"{out}: no shard of the authorities asked for ({sorted(wanted or [])})")
    joined = {code: _concat(parts) for code, parts in frames.items()}
    if manifest["pooled"]:
        return pool_frames(dict(sorted(joined.items())))
    (frame,) = joined.values()
    return frame


def _read_shard(out: Path, shard: dict, manifest: dict, spec: FeatureSpec) -> TrainingFrame:
    folder = out / shard["path"]
    flat = pd.read_parquet(folder / "part.parquet").drop(columns="authority", errors="ignore")
    cohort = pd.read_parquet(folder / "cohort.parquet").drop(columns="authority", errors="ignore")
    return frame_from_flat(
        flat,
        manifest["columns"],
        manifest["groups"],
        spec,
        manifest["horizon_months"],
        cohort=cohort,
        n_unlabelled=shard["unlabelled"],
    )


def frame_from_flat(
    flat: pd.DataFrame,
    columns: list[str],
    groups: list[str],
    spec: FeatureSpec,
    horizon_months: int,
    *,
    cohort: pd.DataFrame | None = None,
    n_unlabelled: int | None = None,
) -> TrainingFrame:
    """Rebuild one authority's TrainingFrame from :func:`flatten`'s table, in frame order."""
    order = np.lexsort((flat["person_id"].to_numpy(), flat["as_of_date"].to_numpy()))
    flat = flat.iloc[order].reset_index(drop=True)
    keys = flat[["person_id", "as_of_date"]].astype({"as_of_date": "datetime64[ns]"})
    index = pd.MultiIndex.from_frame(keys)
    named = flat[[GROUP_PREFIX + g for g in groups]]
    y = pd.Series(flat[LABEL].to_numpy(dtype="float64"), index=index, name=LABEL)
    return TrainingFrame(
        X=flat[columns].set_axis(index),
        y=y,
        keys=keys,
        groups=named.rename(columns=lambda c: c[len(GROUP_PREFIX) :]).set_axis(index),
        cohort=cohort if cohort is not None else pd.DataFrame(columns=["person_id", "as_of_date"]),
        horizon_months=horizon_months,
        spec=spec,
        n_unlabelled=int(y.isna().sum()) if n_unlabelled is None else n_unlabelled,
    )


def _concat(parts: list[TrainingFrame]) -> TrainingFrame:
    """One authority's shards in the in-memory order: as-of date, then child."""
    keys = pd.concat([p.keys for p in parts], ignore_index=True)
    order = np.lexsort((keys["person_id"].to_numpy(), keys["as_of_date"].to_numpy()))
    cohort = pd.concat([p.cohort for p in parts], ignore_index=True)
    cohort = cohort.sort_values(["as_of_date", "person_id"], kind="stable").reset_index(drop=True)
    first = parts[0]
    return TrainingFrame(
        X=pd.concat([p.X for p in parts]).iloc[order],
        y=pd.concat([p.y for p in parts]).iloc[order],
        keys=keys.iloc[order].reset_index(drop=True),
        groups=pd.concat([p.groups for p in parts]).iloc[order],
        cohort=cohort,
        horizon_months=first.horizon_months,
        spec=first.spec,
        n_unlabelled=sum(p.n_unlabelled for p in parts),
    )
