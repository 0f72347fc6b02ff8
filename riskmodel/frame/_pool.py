"""Pooling several authorities' training frames, keyed by (authority, child)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.frame._training_frame import TrainingFrame

if TYPE_CHECKING:
    pass

__all__ = ["check_some_labelled", "labelled", "pool_frames", "take_frame_rows"]


def take_frame_rows(frame: TrainingFrame, keep: np.ndarray, **changes: Any) -> TrainingFrame:
    """Return the frame's rows where ``keep`` is True (``X``, ``y``, ``keys``, ``groups``).

    The label becomes int64 (use it on labelled rows only); ``changes`` replace
    other fields (``cohort=...``).
    """
    return replace(
        frame,
        X=frame.X[keep],
        y=frame.y[keep].astype("int64"),
        keys=frame.keys[keep].reset_index(drop=True),
        groups=frame.groups[keep],
        **changes,
    )


def labelled(frame: TrainingFrame, end_date: pd.Timestamp) -> TrainingFrame:
    """Return the frame without its unlabelled rows (``y`` as int64), refusing if none is left."""
    unlabelled = frame.y.isna()
    check_some_labelled(unlabelled.reset_index(drop=True), end_date, frame.horizon_months)
    return take_frame_rows(frame, ~unlabelled.to_numpy())


def pool_frames(frames: Mapping[str, TrainingFrame]) -> TrainingFrame:
    """Pool several authorities' training frames into one keyed by (authority, child).

    Parameters
    ----------
    frames : mapping of str to TrainingFrame
        Each authority's code and its frame, all built with the same resolved
        feature specification (the same columns) and horizon.

    Returns
    -------
    TrainingFrame
        Rows ordered by as-of date, then authority, then child. ``X``, ``y`` and
        ``groups`` are indexed by ``(authority, person_id, as_of_date)``; ``keys``,
        ``groups`` and ``cohort`` have an ``authority`` column.

    Raises
    ------
    ValueError
        If no frames are given, or their columns or horizons differ.
    """
    if not frames:
        raise ValueError("pool_frames needs at least one frame")
    first = next(iter(frames.values()))
    for code, frame in frames.items():
        if list(frame.X.columns) != list(first.X.columns) or (
            frame.horizon_months != first.horizon_months
        ):
            raise ValueError(
                f"pool_frames: authority {code}'s frame has other columns or another horizon "
                "than the first; build every authority with one resolved spec and horizon"
            )
    codes = list(frames)

    def stacked(part: str) -> Any:
        return pd.concat(
            [getattr(f, part) for f in frames.values()], keys=codes, names=["authority"]
        )

    keys = pd.concat(
        [f.keys.assign(authority=code) for code, f in frames.items()], ignore_index=True
    )
    order = np.argsort(keys["as_of_date"].to_numpy(), kind="stable")
    groups = stacked("groups")
    groups = groups.assign(authority=groups.index.get_level_values("authority"))
    cohort = pd.concat(
        [f.cohort.assign(authority=c) for c, f in frames.items()], ignore_index=True
    )
    return TrainingFrame(
        X=stacked("X").iloc[order],
        y=stacked("y").iloc[order],
        keys=keys[["authority", "person_id", "as_of_date"]].iloc[order].reset_index(drop=True),
        groups=groups.iloc[order],
        cohort=cohort[["authority", *[c for c in cohort.columns if c != "authority"]]],
        horizon_months=first.horizon_months,
        spec=first.spec,
        n_unlabelled=sum(f.n_unlabelled for f in frames.values()),
    )


def check_some_labelled(unlabelled: pd.Series, end_date: pd.Timestamp, months: int) -> None:
    """Raise a SchemaError when no row can be labelled (every horizon runs past the end)."""
    if unlabelled.all():
        latest = end_date - pd.DateOffset(months=months)
        raise SchemaError(
            f"every cohort row's {months}-month horizon runs past the end of the data "
            f"({end_date.date()}), so none can be labelled; use as-of dates on or "
            f"before {latest.date()}, or drop_unlabelled=False"
        )
