"""Who is scored at an as-of date, and the care-entry label.

The cohort at an as-of date is, by default, every child aged 10 to 17 on that date who
is not looked after on that date and is not an unaccompanied asylum-seeking child
(UASC). Children who were looked after before and went home stay in the cohort:
re-entry is a real risk. Every child left out gets one reason, so that the children
in the data always equal those in the cohort plus those excluded.

When the data hold only the children whom the returns name (population
``"returns"``, as :func:`~riskmodel.data.import_returns` gives), a child is in the
cohort at a date only once a return record before that date names them (a CIN census
event or an episode of care): otherwise being in the data at all would tell of a
later care entry.

The label of a (child, as-of date) row is whether the child has a care entry (the
start of a period of care that is not only short breaks) in
``(as_of_date, as_of_date + horizon_months]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel._dates import as_of_index
from riskmodel.data._care import care_entries, looked_after_on
from riskmodel.data._codes import CIN_CENSUS_EVENT_TYPES

if TYPE_CHECKING:
    from riskmodel.data._tables import LocalAuthorityData

__all__ = [
    "COHORT_REASONS",
    "age_on",
    "build_cohort",
    "care_entry_labels",
    "summarise_cohort",
]

DOB_UNKNOWN = "date of birth unknown"
BORN_AFTER = "born after the as-of date"
TOO_YOUNG = "too young"
TOO_OLD = "too old"
LOOKED_AFTER = "looked after on the as-of date"
UASC = "unaccompanied asylum-seeking child"
NOT_YET_KNOWN = "not yet named by a return"

COHORT_REASONS: tuple[str, ...] = (
    DOB_UNKNOWN,
    BORN_AFTER,
    TOO_YOUNG,
    TOO_OLD,
    LOOKED_AFTER,
    UASC,
    NOT_YET_KNOWN,
)
"""Why a child is not in the cohort, in the order the rules are applied.

A child to whom several rules apply gets the first: a 19-year-old who is looked after
is ``"too old"``.
"""

COHORT_COLUMNS: tuple[str, ...] = ("person_id", "as_of_date", "age", "in_cohort", "reason")


def build_cohort(
    data: LocalAuthorityData,
    as_of_dates: str | pd.Timestamp | Iterable[str | pd.Timestamp],
    *,
    min_age: int | None = 10,
    max_age: int | None = 17,
    exclude_looked_after: bool = True,
    exclude_uasc: bool = True,
    require_known: bool | None = None,
) -> pd.DataFrame:
    """Decide, for every child and as-of date, whether the child is in the cohort.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables.
    as_of_dates : date-like or iterable of date-like
        One or several as-of dates (times of day are dropped; duplicates kept once).
    min_age, max_age : int or None, default 10 and 17
        Youngest and oldest age, in whole years on the as-of date, of children in the
        cohort (both inclusive). ``None`` removes the bound. A child attains an age on
        the anniversary of their birth; children born on 29 February attain it on
        1 March in years that are not leap years.
    exclude_looked_after : bool, default True
        Leave out children looked after on the as-of date (an episode of care that
        started on or before it and had not ended; periods made only of short breaks
        do not count). Children who left care before the as-of date stay in.
    exclude_uasc : bool, default True
        Leave out unaccompanied asylum-seeking children (``persons.uasc``). A missing
        ``uasc`` value counts as not UASC.
    require_known : bool or None, default None
        Leave out children not yet named by a return: with no CIN census event
        (:data:`~riskmodel.data.CIN_CENSUS_EVENT_TYPES`) and no episode of care
        dated before the as-of date. None applies the rule when
        ``data.population == "returns"`` (the children are those the returns name,
        so a child named only by a later record must not be in an earlier cohort),
        and not for a whole population (``"all"``, as the synthetic authority).

    Returns
    -------
    pandas.DataFrame
        One row per child in ``data.persons`` and as-of date, sorted by
        ``as_of_date`` then ``person_id``, with columns ``person_id``, ``as_of_date``,
        ``age`` (whole years; missing when the date of birth is unknown or after the
        as-of date), ``in_cohort`` (bool) and ``reason`` (missing for children in the
        cohort, otherwise one of :data:`COHORT_REASONS`: the first rule that applies).

    See Also
    --------
    summarise_cohort : Count children in and out of the cohort, by reason.

    Examples
    --------
    >>> import pandas as pd
    >>> from riskmodel.data import LocalAuthorityData
    >>> persons = pd.DataFrame({"person_id": ["a", "b", "c"], "sex": ["F", "M", "F"],
    ...     "date_of_birth": pd.to_datetime(["2010-04-01", "2010-04-02", "2001-01-01"])})
    >>> data = LocalAuthorityData(persons, pd.DataFrame(columns=["person_id",
    ...     "event_date", "event_type"]), pd.DataFrame(columns=["person_id", "start_date"]))
    >>> build_cohort(data, "2020-04-01")[["person_id", "age", "reason"]]
      person_id  age     reason
    0         a   10        NaN
    1         b    9  too young
    2         c   19    too old
    """
    dates = as_of_index(as_of_dates)
    _check_ages(min_age, max_age)
    persons = data.persons.sort_values("person_id", kind="stable").reset_index(drop=True)
    dob = pd.DatetimeIndex(persons["date_of_birth"])
    uasc = persons["uasc"].fillna(False).to_numpy(dtype=bool)
    known = data.population == "returns" if require_known is None else bool(require_known)
    first_named = _first_named(data, persons["person_id"]) if known else None
    ages, codes = [], []
    for as_of in dates:
        age = age_on(dob, as_of)
        never = np.zeros(len(persons), dtype=bool)
        rules = [  # in the order of COHORT_REASONS
            np.asarray(dob.isna()),
            np.asarray(dob > as_of),
            age < min_age if min_age is not None else never,
            age > max_age if max_age is not None else never,
            _looked_after(data, persons["person_id"], as_of) if exclude_looked_after else never,
            uasc if exclude_uasc else never,
            ~(first_named < as_of.to_datetime64()) if known else never,
        ]
        codes.append(np.select(rules, np.arange(len(COHORT_REASONS)), default=-1))
        ages.append(age)
    return _cohort_table(persons["person_id"], dates, np.concatenate(ages), np.concatenate(codes))


def _first_named(data: LocalAuthorityData, person_id: pd.Series) -> np.ndarray:
    """Each child's earliest CIN census event or episode start (NaT when none)."""
    events = data.events
    cin = events["event_type"].isin(CIN_CENSUS_EVENT_TYPES)
    cin = events.loc[cin, ["person_id", "event_date"]]
    care = data.care_episodes[["person_id", "start_date"]].set_axis(cin.columns, axis=1)
    first = pd.concat([cin, care]).groupby("person_id")["event_date"].min()
    return pd.DatetimeIndex(person_id.map(first)).to_numpy()


def _looked_after(
    data: LocalAuthorityData, person_id: pd.Series, as_of: pd.Timestamp
) -> np.ndarray:
    return person_id.isin(looked_after_on(data.care_episodes, as_of)).to_numpy()


def _cohort_table(
    person_id: pd.Series, dates: pd.DatetimeIndex, age: np.ndarray, code: np.ndarray
) -> pd.DataFrame:
    """Assemble the cohort table from per-date ages and reason codes (-1 = in cohort)."""
    n = len(person_id)
    vocabulary = pd.Series([*COHORT_REASONS, None], dtype="str")
    no_age = (code == COHORT_REASONS.index(DOB_UNKNOWN)) | (
        code == COHORT_REASONS.index(BORN_AFTER)
    )
    return pd.DataFrame(
        {
            "person_id": person_id.take(np.tile(np.arange(n), len(dates))).reset_index(drop=True),
            "as_of_date": np.repeat(dates.to_numpy(), n),
            "age": pd.array(np.where(no_age, np.nan, age), dtype="Float64").astype("Int64"),
            "in_cohort": code == -1,
            "reason": vocabulary.take(np.where(code < 0, len(COHORT_REASONS), code)).reset_index(
                drop=True
            ),
        }
    )


def _check_ages(min_age: int | None, max_age: int | None) -> None:
    for name, value in (("min_age", min_age), ("max_age", max_age)):
        if value is not None and (not isinstance(value, int | np.integer) or value < 0):
            raise ValueError(f"{name} must be a non-negative whole number or None, got {value!r}")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValueError(f"min_age ({min_age}) is greater than max_age ({max_age})")


def age_on(dob: pd.DatetimeIndex, as_of: pd.Timestamp) -> np.ndarray:
    """Return each child's age in whole years on ``as_of``: the cohort's own rule.

    Parameters
    ----------
    dob : pandas.DatetimeIndex
        Dates of birth (missing allowed).
    as_of : pandas.Timestamp
        The date of the ages.

    Returns
    -------
    numpy.ndarray
        float64, NaN where the date of birth is missing. A child born on 29 February
        turns a year older on 1 March in a year without one.

    Examples
    --------
    >>> import pandas as pd
    >>> age_on(pd.DatetimeIndex(["2010-04-02", "2010-04-01", None]), pd.Timestamp("2020-04-01"))
    array([ 9., 10., nan])
    """
    years = as_of.year - dob.year.to_numpy(dtype="float64")
    month = dob.month.to_numpy(dtype="float64")
    day = dob.day.to_numpy(dtype="float64")
    before_birthday = (month > as_of.month) | ((month == as_of.month) & (day > as_of.day))
    return years - before_birthday


def summarise_cohort(cohort: pd.DataFrame) -> pd.DataFrame:
    """Count children in and out of the cohort at each as-of date, by reason.

    Parameters
    ----------
    cohort : pandas.DataFrame
        As returned by :func:`build_cohort`; or counted: one row per group of
        children with ``as_of_date``, ``in_cohort``, ``reason`` and ``children`` (how
        many), as the Spark engine collects it.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``as_of_date``, with columns ``children`` (every child in the
        data), ``in_cohort``, ``excluded``, and one column per reason in
        :data:`COHORT_REASONS` (zero when no child has it). ``children`` always
        equals ``in_cohort + excluded``, and ``excluded`` the sum of the reasons.
    """
    weight = cohort["children"] if "children" in cohort else pd.Series(1, index=cohort.index)
    cohort = cohort.assign(_n=weight.astype("int64"), _in=weight.where(cohort["in_cohort"], 0))
    by_date = cohort.groupby("as_of_date", sort=True)
    summary = pd.DataFrame(
        {"children": by_date["_n"].sum(), "in_cohort": by_date["_in"].sum().astype("int64")}
    )
    summary.insert(2, "excluded", summary["children"] - summary["in_cohort"])
    counts = cohort.groupby(["as_of_date", "reason"], sort=False)["_n"].sum().unstack("reason")
    counts = counts.reindex(index=summary.index, columns=list(COHORT_REASONS))
    summary = summary.join(counts.fillna(0).astype("int64"))
    summary.columns.name = None
    return summary


def check_months(value: object, name: str = "horizon_months") -> int:
    """Return a whole number of months, at least 1.

    Parameters
    ----------
    value : int
        The number of months.
    name : str, default "horizon_months"
        Parameter name used in the error message.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If the value is not a whole number (an ``int``) of at least 1; strings such
        as ``"12M"`` included.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(
            f"{name} must be a whole number of months of at least 1, such as 12; got {value!r}"
        )
    return int(value)


def care_entry_labels(
    data: LocalAuthorityData, keys: pd.DataFrame | pd.MultiIndex, horizon_months: int = 12
) -> pd.Series:
    """Label each (child, as-of date) with whether the child enters care within the horizon.

    A row is positive when the child has a care entry (see
    :func:`riskmodel.data.care_entries`) in ``(as_of_date, as_of_date +
    horizon_months]``: an entry on the as-of date itself does not count (the child is then
    looked after on that date), one on the last day of the horizon does. Months are
    calendar months (``2020-01-31`` plus one month is ``2020-02-29``).

    A row whose horizon runs past the end of the data (``data.end_date``, the extract
    date) is **unlabelled** (NaN), even when an entry is already seen in the observed
    part of the horizon. Keeping those observed entries as positives while their
    unobserved negatives are dropped would make the latest as-of dates look riskier
    than they are, so censored rows are left out as a whole.

    Parameters
    ----------
    data : LocalAuthorityData
        The authority's tables (only ``care_episodes`` and the end date are used).
    keys : pandas.DataFrame or pandas.MultiIndex
        The rows to label: a frame with ``person_id`` and ``as_of_date`` columns (or
        index levels), or a MultiIndex with those levels.
    horizon_months : int, default 12
        The label horizon in whole months.

    Returns
    -------
    pandas.Series
        Named ``care_entry``, float: 1.0, 0.0 or NaN (unlabelled), with the index of
        ``keys`` (the MultiIndex itself when ``keys`` is one).

    Raises
    ------
    ValueError
        If ``horizon_months`` is not a whole number of months of at least 1 (a
        string such as ``"12M"`` is refused), or ``keys`` lack the key columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from riskmodel.data import LocalAuthorityData
    >>> persons = pd.DataFrame({"person_id": ["a"], "sex": ["F"],
    ...     "date_of_birth": pd.to_datetime(["2008-05-01"])})
    >>> episodes = pd.DataFrame({"person_id": ["a"], "legal_status": ["C2"],
    ...     "start_date": pd.to_datetime(["2021-06-01"])})
    >>> data = LocalAuthorityData(persons, pd.DataFrame(columns=["person_id",
    ...     "event_date", "event_type"]), episodes, extract_date="2022-03-31")
    >>> keys = pd.DataFrame({"person_id": ["a", "a", "a"],
    ...     "as_of_date": pd.to_datetime(["2020-01-01", "2021-01-01", "2021-06-01"])})
    >>> care_entry_labels(data, keys, horizon_months=12).tolist()
    [0.0, 1.0, nan]
    """
    months = check_months(horizon_months)
    person_id, as_of, index = _key_arrays(keys)
    window_end = as_of + pd.DateOffset(months=months)
    entries = care_entries(data.care_episodes)[["person_id", "entry_date"]]
    entries = entries[entries["entry_date"].notna()].sort_values("entry_date", kind="stable")
    left = pd.DataFrame(
        {"person_id": person_id.astype("str"), "as_of_date": as_of, "row": np.arange(len(as_of))}
    ).sort_values("as_of_date", kind="stable")
    entries = entries.assign(person_id=entries["person_id"].astype("str"))
    nxt = pd.merge_asof(
        left,
        entries,
        left_on="as_of_date",
        right_on="entry_date",
        by="person_id",
        direction="forward",
        allow_exact_matches=False,
    ).sort_values("row")
    next_entry = pd.DatetimeIndex(nxt["entry_date"].to_numpy())
    labels = np.asarray(next_entry <= window_end, dtype="float64")
    labels[np.asarray(window_end > data.end_date)] = np.nan
    return pd.Series(labels, index=index, name="care_entry")


def _key_arrays(
    keys: pd.DataFrame | pd.MultiIndex,
) -> tuple[np.ndarray, pd.DatetimeIndex, pd.Index]:
    """Return person ids, as-of dates and the index of the result for ``keys``."""
    if isinstance(keys, pd.MultiIndex):
        frame, index = keys.to_frame(index=False), keys
    elif isinstance(keys, pd.DataFrame):
        frame, index = keys, keys.index
        lacking = [c for c in ("person_id", "as_of_date") if c not in keys.columns]
        if lacking and all(c in (keys.index.names or []) for c in lacking):
            frame = keys.index.to_frame(index=False).join(keys.reset_index(drop=True))
    else:
        raise TypeError(f"keys must be a DataFrame or a MultiIndex, got {type(keys).__name__}")
    missing = [c for c in ("person_id", "as_of_date") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"keys: missing {', '.join(missing)}; expected person_id and as_of_date columns "
            f"or index levels, got {', '.join(map(str, frame.columns))}"
        )
    as_of = pd.DatetimeIndex(pd.to_datetime(frame["as_of_date"].to_numpy()))
    if as_of.hasnans:
        raise ValueError("keys.as_of_date: missing dates cannot be labelled")
    return frame["person_id"].to_numpy(), as_of.astype("datetime64[ns]"), index
