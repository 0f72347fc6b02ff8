"""A synthetic region: several authorities that differ in size, recording and care entries."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel.data.synthetic._generate import make_local_authority

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = [
    "AuthoritySettings",
    "iter_region",
    "make_authority",
    "make_region",
    "region_settings",
    "write_region",
]

REGION_FILE = "region.json"
DEPRIVATION_SHIFTS = (-0.3, -0.15, 0.0, 0.15, 0.3)
"""The deprivation mixes a region's authorities are drawn from (affluent to deprived)."""
# Families an authority may not record at all, or only from part-way (a new system).
_OPTIONAL_FAMILIES = ("police_domestic_abuse", "early_help_start", "youth_justice_outcome")


@dataclass(frozen=True)
class AuthoritySettings:
    """How one synthetic authority of a region differs from the others.

    Parameters
    ----------
    code : str
        The authority's code (``E0900000k`` style).
    n_children : int
        Its size.
    seed : int
        Its generator's seed.
    uasc_share : float
        Expected share of care entries that are UASC arriving aged 16-17: port
        authorities receive many more, so the base rate of care entries differs.
    reporting_bias : dict or None
        A :class:`~riskmodel.data.synthetic.ReportingBias` as a mapping, or None.
    deprivation_shift : float
        Its deprivation mix (``make_local_authority(deprivation_shift=...)``): above 0
        more deprived than England's, below 0 more affluent.
    unrecorded : tuple of str
        Event types this authority never records (dropped from its events).
    recorded_from : dict of str to str
        Event types recorded only from a date on (a recording change part-way).
    """

    code: str
    n_children: int
    seed: int
    uasc_share: float
    reporting_bias: dict | None = None
    deprivation_shift: float = 0.0
    unrecorded: tuple[str, ...] = ()
    recorded_from: dict[str, str] = field(default_factory=dict)


def region_settings(
    n_authorities: int,
    n_children: int,
    *,
    start: str = "2014-04-01",
    end: str = "2024-03-31",
    random_state: int = 0,
) -> list[AuthoritySettings]:
    """Draw the settings of a region's authorities (sizes, recording, UASC share).

    Sizes split ``n_children`` unevenly (log-normal shares, each at least 200). One
    authority in four misses an event family, one in four starts recording one
    part-way, one in five records one ethnic group's needs half as often again,
    UASC shares range from none to three times England's, and deprivation mixes from
    more affluent to more deprived than England's (drawn from a second stream of the
    seed, so the other settings are those drawn before it existed).
    """
    if n_authorities < 1:
        raise ValueError(f"n_authorities must be at least 1, got {n_authorities!r}")
    rng = np.random.default_rng(random_state)
    shares = rng.lognormal(0.0, 0.5, size=n_authorities)
    sizes = np.maximum(200, np.round(n_children * shares / shares.sum())).astype(int)
    middle = pd.Timestamp(start) + (pd.Timestamp(end) - pd.Timestamp(start)) / 2
    middle = middle.to_period("M").to_timestamp()
    mixes = np.random.default_rng([random_state, 1]).choice(DEPRIVATION_SHIFTS, size=n_authorities)
    settings = []
    for k in range(n_authorities):
        family = _OPTIONAL_FAMILIES[k % len(_OPTIONAL_FAMILIES)]
        settings.append(
            AuthoritySettings(
                code=f"E0900{k + 1:04d}",
                n_children=int(sizes[k]),
                seed=int(rng.integers(2**31)),
                uasc_share=float(rng.choice([0.0, 0.1, 0.19, 0.3, 0.57])),
                reporting_bias={"ethnic_group": "Black", "factor": 1.5} if k % 5 == 4 else None,
                deprivation_shift=float(mixes[k]),
                unrecorded=(family,) if k % 4 == 1 else (),
                recorded_from={family: str(middle.date())} if k % 4 == 3 else {},
            )
        )
    return settings


def make_authority(
    settings: AuthoritySettings, *, start: str = "2014-04-01", end: str = "2024-03-31"
) -> LocalAuthorityData:
    """Generate one authority of a region, with its code on all three tables."""
    from riskmodel.data._pooling import stamp_authority

    data = make_local_authority(
        settings.n_children,
        start=start,
        end=end,
        reporting_bias=settings.reporting_bias,
        uasc_share=settings.uasc_share,
        deprivation_shift=settings.deprivation_shift,
        random_state=settings.seed,
    )
    events = data.events
    dropped = events["event_type"].isin(settings.unrecorded)
    for event_type, first_day in settings.recorded_from.items():
        dropped |= (events["event_type"] == event_type) & (
            events["event_date"] < pd.Timestamp(first_day)
        )
    return stamp_authority(replace(data, events=events[~dropped]), settings.code)


def make_region(
    n_authorities: int,
    n_children: int = 60_000,
    *,
    start: str = "2014-04-01",
    end: str = "2024-03-31",
    random_state: int = 0,
) -> LocalAuthorityData:
    """Generate a region of authorities that differ, pooled in memory.

    Each authority is generated independently (person and household ids repeat
    between them, as between real authorities), then pooled; see
    :func:`region_settings` for how they differ, and :func:`write_region` to write
    a region too large for memory one authority at a time.

    Parameters
    ----------
    n_authorities : int
        How many authorities.
    n_children : int, default 60,000
        Children in the whole region, split unevenly.
    start, end : str
        The period.
    random_state : int, default 0
        Seed of the settings (each authority's seed is drawn from it).

    Returns
    -------
    LocalAuthorityData
        Pooled data (``authority`` on every table). Its ``truth`` is None: each
        authority's truth is that of :func:`make_authority` with its settings.

    Examples
    --------
    >>> from riskmodel.data.synthetic import make_region
    >>> region = make_region(3, 1_500, random_state=0)
    >>> region.authorities
    ('E09000001', 'E09000002', 'E09000003')
    """
    from riskmodel.data._pooling import pool_authorities

    settings = region_settings(
        n_authorities, n_children, start=start, end=end, random_state=random_state
    )
    return pool_authorities({s.code: make_authority(s, start=start, end=end) for s in settings})


def write_region(
    out_dir: str | os.PathLike[str],
    n_authorities: int,
    n_children: int,
    *,
    start: str = "2014-04-01",
    end: str = "2024-03-31",
    random_state: int = 0,
) -> list[AuthoritySettings]:
    """Generate a region and write it one authority at a time, so memory stays flat.

    Writes ``out_dir/authority=CODE/`` data folders (see :func:`~riskmodel.write_data`)
    and ``out_dir/region.json`` (the settings); peak memory is that of the largest
    authority, not of the region.

    Returns
    -------
    list of AuthoritySettings
    """
    from riskmodel.data._directory import write_data

    out = Path(out_dir)
    settings = region_settings(
        n_authorities, n_children, start=start, end=end, random_state=random_state
    )
    for s in settings:
        write_data(make_authority(s, start=start, end=end), out / f"authority={s.code}")
    described = {"start": start, "end": end, "authorities": [asdict(s) for s in settings]}
    (out / REGION_FILE).write_text(json.dumps(described, indent=1))
    return settings


def iter_region(directory: str | os.PathLike[str]) -> Iterator[tuple[str, LocalAuthorityData]]:
    """Yield ``(code, data)`` for each authority of a region directory, one at a time."""
    from riskmodel.data._directory import read_data

    folders = sorted(p for p in Path(directory).glob("authority=*") if p.is_dir())
    if not folders:
        raise FileNotFoundError(f"{directory}: no authority=CODE folders of a region directory")
    for folder in folders:
        yield folder.name.split("=", 1)[1], read_data(folder)
