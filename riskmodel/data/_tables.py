"""The container of the three canonical tables, and reading and writing it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from riskmodel.data._columns import TABLES, as_extract_date, coerce_table
from riskmodel.data._pooling import TABLE_NAMES, child_keys
from riskmodel.data._true_risk import TrueRisk
from riskmodel.exceptions import SchemaError

__all__ = ["POPULATIONS", "LocalAuthorityData"]

POPULATIONS: tuple[str, ...] = ("all", "returns")
"""Who ``persons`` holds: every child of the area, or only the children the returns name."""


@dataclass(frozen=True, eq=False)
class LocalAuthorityData:
    """The canonical tables of one local authority: ``persons``, ``events``, ``care_episodes``.

    Constructing the container coerces every table to its canonical columns and
    dtypes (see the data model); a value that cannot be read as its type raises
    :class:`~riskmodel.exceptions.SchemaError`. Content checks (code lists, unknown
    persons, overlapping episodes, dates after the extract) are made by
    :meth:`validate`.

    Parameters
    ----------
    persons : pandas.DataFrame
        One row per child.
    events : pandas.DataFrame
        One row per dated fact known to the authority.
    care_episodes : pandas.DataFrame
        SSDA903 episodes of care.
    extract_date : str or pandas.Timestamp, optional
        The date the data were extracted: nothing may be dated after it. When not
        given, the latest date in the tables is used for feature windows and today's
        date for the "not in the future" checks.
    truth : TrueRisk, optional
        The true probability of a care entry for any child at any as-of date,
        known only for synthetic data (a :class:`~riskmodel.data.GroundTruth`).
    population : {"all", "returns"}, default "all"
        Who ``persons`` holds. ``"all"``: every child of the area (a population
        register, or the synthetic authority). ``"returns"``: only the children whom
        the SSDA903 returns and CIN censuses name (what :func:`import_returns`
        gives). A child is then in ``persons`` because of a record that may be dated
        *after* an as-of date, so the cohort at that date only takes children with a
        return record before it (see :func:`~riskmodel.cohort.build_cohort`); without
        that rule, future care entrants would be in every earlier cohort and other
        children only once known, which leaks the outcome into the training data.

    Examples
    --------
    >>> import riskmodel as rm
    >>> data = rm.make_local_authority(n_children=500, random_state=0)
    >>> bool(data.summary().loc["persons", "rows"] == len(data.persons))
    True
    """

    persons: pd.DataFrame
    events: pd.DataFrame
    care_episodes: pd.DataFrame
    extract_date: pd.Timestamp | None = None
    truth: TrueRisk | None = field(default=None, repr=False)
    population: str = "all"

    def __post_init__(self) -> None:
        if self.population not in POPULATIONS:
            raise ValueError(f"population must be one of {POPULATIONS}, got {self.population!r}")
        for name in TABLES:
            object.__setattr__(self, name, coerce_table(name, getattr(self, name)))
        if self.extract_date is not None:
            object.__setattr__(self, "extract_date", as_extract_date(self.extract_date))

    def __repr__(self) -> str:
        extract = self.extract_date.date() if self.extract_date is not None else "not given"
        return (
            f"LocalAuthorityData(persons={len(self.persons):,}, events={len(self.events):,}, "
            f"care_episodes={len(self.care_episodes):,}, extract_date={extract})"
        )

    @property
    def end_date(self) -> pd.Timestamp:
        """The extract date if given, else the latest date found in the tables."""
        if self.extract_date is not None:
            return self.extract_date
        candidates = [
            self.events["event_date"].max(),
            self.care_episodes["start_date"].max(),
            self.care_episodes["end_date"].max(),
        ]
        dates = [d for d in candidates if pd.notna(d)]
        if not dates:
            raise SchemaError("the data have no dated events or episodes and no extract_date")
        return max(dates)

    @property
    def authorities(self) -> tuple[str, ...]:
        """The authority codes in ``persons.authority``, sorted; empty when none is recorded.

        Data holding more than one code are *pooled*: person ids are unique only
        within an authority, so everything that keys on a child keys on
        ``(authority, person_id)``.

        Examples
        --------
        >>> import riskmodel as rm
        >>> rm.make_local_authority(n_children=200, random_state=0).authorities
        ()
        """
        codes = self.persons["authority"].dropna().unique()
        return tuple(sorted(str(c) for c in codes))

    @property
    def is_pooled(self) -> bool:
        """Whether the data hold more than one authority's children (see :attr:`authorities`)."""
        return len(self.authorities) > 1

    def by_authority(self) -> Iterator[tuple[str | None, LocalAuthorityData]]:
        """Yield each authority's code and its own tables, in code order.

        Rows of ``events`` and ``care_episodes`` are taken by their own
        ``authority`` column. Data with at most one code yield themselves once (with
        that code, or None).

        Yields
        ------
        code : str or None
            The authority's code.
        data : LocalAuthorityData
            That authority's rows of every table, with the same extract date,
            population and truth.
        """
        if not self.is_pooled:
            yield (self.authorities[0] if self.authorities else None), self
            return
        for code in self.authorities:
            yield (
                code,
                replace(
                    self,
                    persons=self.persons[self.persons["authority"] == code],
                    events=self.events[self.events["authority"] == code],
                    care_episodes=self.care_episodes[self.care_episodes["authority"] == code],
                ),
            )

    def validate(self) -> LocalAuthorityData:
        """Check every table and raise one error listing all problems found.

        Problems that leave a record usable (an unknown ethnicity code, say) are
        issued as :class:`~riskmodel.exceptions.DataQualityWarning` saying what was
        assumed.

        Returns
        -------
        LocalAuthorityData
            ``self``, so that calls can be chained.

        Raises
        ------
        SchemaError
            Listing, for every problem, the table, column, first rows and values.
        """
        from riskmodel.data._validate import raise_on_problems

        raise_on_problems(self)
        return self

    def problems(self) -> pd.DataFrame:
        """Return every validation problem as a table, without raising or warning.

        Returns
        -------
        pandas.DataFrame
            Columns ``severity`` (``"error"`` or ``"warning"``), ``table``, ``column``,
            ``n_rows``, ``rows``, ``values``, ``message``.
        """
        from riskmodel.data._validate import find_problems

        return find_problems(self)

    def summary(self) -> pd.DataFrame:
        """Rows, children and date range of each table.

        Returns
        -------
        pandas.DataFrame
            Indexed by table name, with columns ``rows``, ``children``, ``first_date``
            and ``last_date``.
        """
        date_columns = {
            "persons": "date_of_birth",
            "events": "event_date",
            "care_episodes": "start_date",
        }
        rows = {}
        for name, date_col in date_columns.items():
            table = getattr(self, name)
            rows[name] = {
                "rows": len(table),
                "children": table["person_id"].nunique(),
                "first_date": table[date_col].min(),
                "last_date": table[date_col].max(),
            }
        return pd.DataFrame.from_dict(rows, orient="index")

    def coverage(self) -> pd.DataFrame:
        """Events and children per event family and collection year.

        A *family* is the data model's event type (``events.event_type``), plus the
        care episodes as the family ``"care_episodes"`` (dated by ``start_date``).
        Every type of the vocabulary (:data:`~riskmodel.data.EVENT_TYPES`) is listed,
        with zero events where the authority records none, and so is every other type
        found in the data (``in_vocabulary`` False). Collection year ``YYYY`` runs
        from 1 April ``YYYY-1`` to 31 March ``YYYY``; every year from the first to
        the last with any record is listed for every family. Undated rows (which
        :meth:`validate` reports) are left out.

        Returns
        -------
        pandas.DataFrame
            Tidy: ``family``, ``source`` (``"events"`` or ``"care_episodes"``),
            ``in_vocabulary``, ``collection_year``, ``events``, ``children``,
            ``first_month`` and ``last_month`` (``pandas.Period``, missing in a year
            without records).

        See Also
        --------
        coverage_summary : One row per family.

        Examples
        --------
        >>> import riskmodel as rm
        >>> data = rm.make_local_authority(n_children=500, random_state=0)
        >>> table = data.coverage()
        >>> int(table.loc[table["source"] == "events", "events"].sum()) == len(data.events)
        True
        """
        from riskmodel.data._coverage import coverage_table

        return coverage_table(self)

    def coverage_summary(self) -> pd.DataFrame:
        """One row per event family: when it is recorded, how often, for how many children.

        Families are as in :meth:`coverage`; a vocabulary type with no events has a
        row with zero events and missing months ("not recorded").

        Returns
        -------
        pandas.DataFrame
            ``family``, ``source``, ``in_vocabulary``, ``first_month``,
            ``last_month`` (``pandas.Period``), ``months_recorded`` (months holding at
            least one record), ``events`` and ``children``.

        Examples
        --------
        >>> import riskmodel as rm
        >>> data = rm.make_local_authority(n_children=500, random_state=0)
        >>> summary = data.coverage_summary()
        >>> summary.set_index("family").loc["care_episodes", "events"] == len(data.care_episodes)
        np.True_
        """
        from riskmodel.data._coverage import coverage_summary

        return coverage_summary(self)

    def known_at(self, date: Any) -> LocalAuthorityData:
        """Return the tables as they were known on the day before ``date``.

        What a scoring run at as-of date ``date`` saw, for replaying past runs
        honestly (the features at ``date`` are the same either way: they only use
        what was known before it). The cut is ``date - 1 day``, which becomes the
        ``extract_date``: events dated after it are removed, and so are care
        episodes that start after it; an episode still open then (ending after it)
        is open, with its ``end_date`` and ``reason_episode_ceased`` missing;
        children born after it are removed with any record of theirs (a pre-birth
        assessment, say). With population ``"returns"``, children whom no
        remaining record names are removed too: the returns did not name them yet.
        Rows without a date are kept as they are (:meth:`validate` reports them).
        Other columns, ``truth`` and ``population`` are unchanged.

        Parameters
        ----------
        date : str, datetime.date or pandas.Timestamp
            The as-of date (``YYYY-MM-DD``); at most one day after :attr:`end_date`.

        Returns
        -------
        LocalAuthorityData
            A new container; ``known_at`` of it at an earlier date equals
            ``known_at`` of ``self`` at that date.

        Raises
        ------
        ValueError
            If ``date`` is after :attr:`end_date` plus one day (the message names
            both dates).
        SchemaError
            If ``date`` is not a date.

        Notes
        -----
        A child whose episode of care starts on ``date`` is not looked after in the
        cut tables (the start is not yet known), and one whose episode ends on
        ``date`` still is: a cohort built on the cut tables at ``date`` can differ
        from one built on the full tables for those children only.

        Examples
        --------
        >>> import riskmodel as rm
        >>> data = rm.make_local_authority(n_children=500, random_state=0)
        >>> then = data.known_at("2020-04-01")
        >>> then.extract_date.date().isoformat()
        '2020-03-31'
        >>> bool((then.events["event_date"] < "2020-04-01").all())
        True
        """
        from riskmodel.data._known_at import known_at

        return known_at(self, date)

    def subset(self, person_ids: Any) -> LocalAuthorityData:
        """Return the data of the given children only.

        Parameters
        ----------
        person_ids : array-like of str, or DataFrame
            The children to keep. For pooled data, a frame with ``authority`` and
            ``person_id`` columns keeps exactly those children (an id alone would
            take every authority's child of that id).

        Returns
        -------
        LocalAuthorityData
        """
        if isinstance(person_ids, pd.DataFrame) and "authority" in person_ids:
            keep = pd.Index(child_keys(person_ids))
            return replace(
                self,
                **{
                    name: getattr(self, name)[child_keys(getattr(self, name)).isin(keep)]
                    for name in TABLE_NAMES
                },
            )
        if isinstance(person_ids, pd.DataFrame):
            person_ids = person_ids["person_id"]
        keep = pd.Index(pd.Series(list(person_ids), dtype="str"))
        return replace(
            self,
            **{
                name: getattr(self, name)[getattr(self, name)["person_id"].isin(keep)]
                for name in TABLE_NAMES
            },
        )
