"""Scoring pooled data: each authority's list is its own.

A model pooled across authorities is applied to each authority's children alone: its
cohort, features, ranks, risk bands, flags (its own ``capacity``), reasons, drift
and score history are those of that authority, exactly as if it were scored by
itself. The tables are then put side by side with an ``authority`` column first.
Written, each authority gets its own scoring folder, ``out/authority=CODE/`` (with
its own history), so a borough receives its list and nobody else's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel.scoring._result import ScoringResult

__all__ = ["authority_folder", "score_by_authority"]


def authority_folder(folder: str | os.PathLike[str], code: str) -> Path:
    """Return an authority's own folder inside a pooled output or history folder."""
    return Path(folder) / f"authority={code}"


def _side_by_side(parts: dict[str, pd.DataFrame | None]) -> pd.DataFrame | None:
    tables = [t.assign(authority=code) for code, t in parts.items() if t is not None]
    if not tables:
        return None
    table = pd.concat(tables, ignore_index=True)
    return table[["authority", *[c for c in table.columns if c != "authority"]]]


def score_by_authority(
    score: Callable[..., ScoringResult],
    data: Any,
    model: Any,
    as_of: pd.Timestamp,
    history: str | os.PathLike[str] | None,
    out: str | os.PathLike[str] | None,
    **settings: Any,
) -> ScoringResult:
    """Score each authority of pooled ``data`` alone and put the results side by side.

    Parameters
    ----------
    score : callable
        :func:`~riskmodel.scoring.score`, applied to each authority's data.
    data : LocalAuthorityData
        Pooled data (two or more authorities).
    model, as_of
        As for :func:`~riskmodel.scoring.score`.
    history, out : path-like, optional
        Pooled folders: each authority's history and output are its
        ``authority=CODE`` subfolder.
    **settings
        The other arguments of :func:`~riskmodel.scoring.score`.

    Returns
    -------
    ScoringResult
        ``scores`` and ``exclusions`` with ``authority`` first, each authority in
        its own rank order; ``drift`` per authority; ``notes`` prefixed with the
        authority; ``previous_run`` None (each authority has its own); ``files``
        keyed ``CODE/name``.
    """
    results: dict[str, ScoringResult] = {}
    for code, part in data.by_authority():
        results[code] = score(
            part,
            model,
            as_of,
            history=None if history is None else authority_folder(history, code),
            out=None if out is None else authority_folder(out, code),
            **settings,
        )
    return ScoringResult(
        scores=_side_by_side({c: r.scores for c, r in results.items()}),
        exclusions=_side_by_side({c: r.exclusions for c, r in results.items()}),
        as_of=as_of,
        drift=_side_by_side({c: r.drift for c, r in results.items()}),
        previous_run=None,
        notes=[f"authority {c}: {note}" for c, r in results.items() for note in r.notes],
        files={f"{c}/{name}": path for c, r in results.items() for name, path in r.files.items()},
    )
