"""``make_local_authority``: assemble a synthetic authority from its parts."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

import riskmodel.data.synthetic._params as P
from riskmodel.data._codes import ETHNIC_GROUPS
from riskmodel.data._tables import LocalAuthorityData
from riskmodel.data.synthetic._episodes import build_care_episodes
from riskmodel.data.synthetic._events import record_events
from riskmodel.data.synthetic._grid import MonthGrid
from riskmodel.data.synthetic._population import Population, make_population
from riskmodel.data.synthetic._process import simulate
from riskmodel.data.synthetic._truth import GroundTruth

__all__ = ["ReportingBias", "make_local_authority"]

RECORDING_BURN_IN_MONTHS = 24
"""Recording starts this long before the period, so that open cases have a history."""

_STREAMS = ("population", "latent", "entry", "care", "episodes", "casework", "signals")


@dataclass(frozen=True)
class ReportingBias:
    """Record one ethnic group's needs more (or less) often than their latent need implies.

    For the group's children, the rates of contacts, early help and police domestic
    abuse notifications and the recording probability of each assessment factor are
    multiplied by ``factor``. Referrals too: with ``factor > 1`` the children are also
    referred when there is no need to, ``factor - 1`` times as often as when there is,
    and those referrals end with no further action (at referral or after an
    assessment); with ``factor < 1`` only that share of needed referrals is made. The
    group's latent state and true care-entry hazard are unchanged: with the same
    seed, ``care_episodes`` and the ground truth are identical with or without bias
    (and whatever its ``start``).

    Parameters
    ----------
    ethnic_group : str
        A major ethnic group: White, Mixed, Asian, Black, Other or Unknown.
    factor : float
        Multiplier of the recording rates (> 0; 1 means no bias).
    start : str or pandas.Timestamp, optional
        The first day (the first of a month) from which recording is biased, as when
        a new referral pathway or screening tool changes one community's recording
        part-way. Every event dated before it is exactly as without bias (same seed);
        from it on, the group's recording rates are multiplied by ``factor`` (an
        assessment's factors when it is authorised on or after ``start``). None: the
        bias applies throughout.

    Examples
    --------
    >>> from riskmodel.data.synthetic import ReportingBias
    >>> ReportingBias("Black", 2.0, start="2021-04-01").start.date().isoformat()
    '2021-04-01'
    """

    ethnic_group: str
    factor: float
    start: pd.Timestamp | None = None

    def __post_init__(self) -> None:
        groups = sorted(set(ETHNIC_GROUPS.values()))
        if self.ethnic_group not in groups:
            raise ValueError(
                f"reporting_bias: ethnic_group must be one of {', '.join(groups)}, "
                f"got {self.ethnic_group!r}"
            )
        if not isinstance(self.factor, numbers.Real) or not self.factor > 0:
            raise ValueError(
                f"reporting_bias: factor must be a positive number, got {self.factor!r}"
            )
        if self.start is not None:
            try:
                start = pd.Timestamp(self.start)
            except (TypeError, ValueError):
                start = pd.NaT
            if pd.isna(start) or start.day != 1 or start != start.normalize():
                raise ValueError(
                    "reporting_bias: start must be the first day of a month (such as "
                    f"2021-04-01), got {self.start!r}"
                )
            object.__setattr__(self, "start", start)


def make_local_authority(
    n_children: int = 30_000,
    *,
    start: str | pd.Timestamp = "2014-04-01",
    end: str | pd.Timestamp = "2024-03-31",
    reporting_bias: ReportingBias | Mapping | None = None,
    label_noise: float = 0.0,
    uasc_share: float = P.DEFAULT_UASC_SHARE,
    deprivation_shift: float = 0.0,
    random_state: int | np.random.Generator | None = None,
) -> LocalAuthorityData:
    """Generate a synthetic local authority with known ground truth.

    Households' latent stress and children's own difficulties evolve month by month;
    care entries are drawn from a hazard of that latent state; everything the
    authority records (contacts, referrals, assessments and their factors, section 47
    enquiries, plans, early help, missing episodes, school absence and exclusions,
    police notifications, youth justice outcomes) is driven by the same latent state.
    See :mod:`riskmodel.data.synthetic` for the generative story.

    Parameters
    ----------
    n_children : int, default 30_000
        Every child in the authority at some time during the period (aged 0-17),
        UASC included. About ``n_children * 216 / (216 + months)`` are 0-17 on any day.
    start, end : str or pandas.Timestamp
        The period (``start`` must be the first day of a month). The data's
        ``extract_date`` is ``end``; nothing is dated after it.
    reporting_bias : ReportingBias or mapping, optional
        Record one ethnic group's needs more or less often, for reviews of fairness:
        ``ReportingBias("Black", 1.5)`` or ``{"ethnic_group": "Black", "factor": 1.5}``;
        with ``start``, only from that day on.
    label_noise : float, default 0.0
        Share (0-1) of the care-entry hazard that is idiosyncratic: a baseline that
        depends on age only, unrelated to the child's history.
    uasc_share : float, default 0.19
        Expected share of care entries that are UASC arriving aged 16-17 (about two
        thirds of entrants aged 16 and over, as in England). 0 disables UASC.
    deprivation_shift : float, default 0.0
        Tilts the households' deprivation deciles: each decile's weight is multiplied
        by ``exp(-deprivation_shift * decile)``, so 0.1 makes the most deprived
        decile about 2.5 times as common against the least deprived, and a negative
        shift makes the authority more affluent. Deprivation drives chronic
        vulnerability and so the base rate; the truth follows. Within [-1, 1]. The
        UASC count is still set from the default mix, so their share of care entries
        moves a little away from ``uasc_share`` when this is not 0.
    random_state : int, numpy.random.Generator or None
        Seed. The same seed gives identical tables.

    Returns
    -------
    LocalAuthorityData
        With ``extract_date=end`` and ``truth`` (a :class:`GroundTruth`).

    Examples
    --------
    >>> from riskmodel.data import make_local_authority
    >>> data = make_local_authority(n_children=2_000, random_state=0)
    >>> len(data.persons)
    2000
    >>> data.truth.probability(data.persons["person_id"][:2], "2020-01-01").shape
    (2,)
    """
    n_children, start_day, end_day = _check(n_children, start, end, label_noise, uasc_share)
    bias = _bias(reporting_bias)
    grid = MonthGrid(start_day, end_day)
    rngs = _streams(random_state)
    if not np.isfinite(deprivation_shift) or abs(deprivation_shift) > 1:
        raise ValueError(f"deprivation_shift must be in [-1, 1], got {deprivation_shift!r}")
    pop = make_population(
        n_children,
        grid,
        uasc_share,
        rngs["population"],
        deprivation_shift=float(deprivation_shift),
    )
    paths, periods = simulate(pop, grid, rngs, label_noise, -RECORDING_BURN_IN_MONTHS)
    in_group = np.asarray(pop.group == bias.ethnic_group) if bias else np.zeros(pop.n, bool)
    child_bias = np.where(in_group, bias.factor if bias else 1.0, 1.0)
    household_bias = np.ones(pop.n_households)
    household_bias[pop.household] = child_bias
    bias_day = None if bias is None or bias.start is None else _day(bias.start)
    events = record_events(pop, grid, paths, periods, rngs, child_bias, household_bias, bias_day)
    episodes = build_care_episodes(periods, pop, grid, rngs["episodes"])
    truth = GroundTruth(
        pop=pop,
        grid=grid,
        paths=paths,
        periods=periods,
        label_noise=label_noise,
        reporting_bias=None if bias is None else (bias.ethnic_group, float(bias.factor), bias_day),
    )
    return LocalAuthorityData(
        persons=_persons(pop, grid),
        events=events,
        care_episodes=episodes,
        extract_date=pd.Timestamp(grid.end),
        truth=truth,
    )


def _check(n_children, start, end, label_noise, uasc_share):
    if isinstance(n_children, bool) or not isinstance(n_children, numbers.Integral):
        raise ValueError(f"n_children must be a whole number, got {n_children!r}")
    if n_children < 1:
        raise ValueError(f"n_children must be at least 1, got {n_children}")
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    if start_ts.day != 1 or start_ts != start_ts.normalize():
        raise ValueError(f"start must be the first day of a month, got {start_ts.date()}")
    if end_ts.normalize() <= start_ts:
        raise ValueError(
            f"end must be after start, got start {start_ts.date()}, end {end_ts.date()}"
        )
    if not 0.0 <= label_noise <= 1.0:
        raise ValueError(f"label_noise must be between 0 and 1, got {label_noise!r}")
    if not 0.0 <= uasc_share < 1.0:
        raise ValueError(f"uasc_share must be at least 0 and below 1, got {uasc_share!r}")
    return (
        int(n_children),
        np.datetime64(start_ts.date(), "D"),
        np.datetime64(end_ts.normalize().date(), "D"),
    )


def _bias(reporting_bias) -> ReportingBias | None:
    if reporting_bias is None or isinstance(reporting_bias, ReportingBias):
        return reporting_bias
    if isinstance(reporting_bias, Mapping):
        unknown = set(reporting_bias) - {"ethnic_group", "factor", "start"}
        if unknown:
            raise ValueError(
                f"reporting_bias: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                "expected 'ethnic_group', 'factor' and optionally 'start'"
            )
        try:
            return ReportingBias(
                reporting_bias["ethnic_group"],
                reporting_bias["factor"],
                reporting_bias.get("start"),
            )
        except KeyError as missing:
            raise ValueError(f"reporting_bias: missing key {missing}") from None
    kind = type(reporting_bias).__name__
    raise ValueError(f"reporting_bias must be a ReportingBias, a mapping or None, got {kind}")


def _day(date: pd.Timestamp) -> int:
    """Day number (days since 1970-01-01) of a date, as the month grid counts days."""
    return int(np.datetime64(date.date(), "D").astype(np.int64))


def _streams(random_state) -> dict[str, np.random.Generator]:
    """Make independent random streams, one per part of the generator.

    A knob on one part (the reporting bias) then leaves the others (latent paths,
    care entries) unchanged.
    """
    if isinstance(random_state, np.random.Generator):
        entropy = random_state.integers(0, 2**63, size=4)
        seed = np.random.SeedSequence([int(e) for e in entropy])
    elif random_state is None or isinstance(random_state, numbers.Integral):
        seed = np.random.SeedSequence(None if random_state is None else int(random_state))
    else:
        raise ValueError(
            f"random_state must be an int, a numpy Generator or None, got {random_state!r}"
        )
    generators = [np.random.default_rng(s) for s in seed.spawn(len(_STREAMS))]
    return dict(zip(_STREAMS, generators, strict=True))


def _persons(pop: Population, grid: MonthGrid) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "person_id": pop.person_id,
            "date_of_birth": grid.first_day(pop.birth_month)
            .astype("datetime64[D]")
            .astype("datetime64[ns]"),
            "sex": np.where(pop.male, "M", "F"),
            "ethnicity": pop.ethnicity,
            "disability": pop.disability,
            "imd_decile": pop.imd_decile[pop.household],
            "household_id": pop.household_id[pop.household],
            "uasc": pop.uasc,
        }
    )
    return frame.sort_values("person_id", kind="stable").reset_index(drop=True)
