"""The feature base class: what every feature declares, and how it computes itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import numpy as np

    from riskmodel.features._context import FeatureContext
    from riskmodel.features._family import EventFamily

__all__ = ["Feature"]


class Feature:
    """Base of every feature in a :class:`~riskmodel.features.FeatureSpec`.

    A feature is a small frozen dataclass that declares what to compute and computes
    it. Every feature has a stable, readable :attr:`name`, a pandas :attr:`dtype`,
    the event :attr:`families` it reads, a plain-English :attr:`template` (with
    ``{value}`` where the child's value goes), a :meth:`describe` method rendering
    it for one value (the words of reason codes), and a :meth:`compute` method that
    :func:`~riskmodel.features.build_features` calls to fill the feature's column.

    Notes
    -----
    .. rubric:: Writing your own feature

    Subclass ``Feature`` as a frozen dataclass whose fields say what to compute,
    and define:

    - ``name`` (property): the column name, a lower-case identifier;
    - ``dtype`` (class variable): ``"int32"``, ``"bool"`` or ``"float64"`` (the
      default); missing values need ``"float64"`` (NaN);
    - ``families`` (property): every :class:`~riskmodel.features.EventFamily` the
      feature reads, so that the specification knows which event types it covers;
    - ``template`` (property) and ``describe(value)``: the feature in plain words;
    - ``compute(context)``: the column for a block of rows, from the
      :class:`~riskmodel.features.FeatureContext` (the rows, each event family's
      events before each as-of date, the care history, the persons table), as an
      array with one value per row. Work on whole arrays, not row by row.

    The context reaches only events dated before each row's as-of date and care
    episodes as known then, so a feature computed from it cannot leak the future.
    Such a feature builds through :func:`~riskmodel.features.build_features` and
    :func:`~riskmodel.build_training_frame` like the built-in ones, and its
    description is used in reason codes. To fit a
    :class:`~riskmodel.RiskClassifier` with it (``fit(..., feature_spec=...)``, as
    :func:`~riskmodel.backtest` does) and score with the stored model, decorate the
    class with :func:`~riskmodel.features.register_feature`: the model then carries
    the specification's plain description, naming the class by module and name.
    Reading it back builds only the package's own classes and those registered in
    the running process (nothing named in a stored description is ever imported),
    so the scoring job imports the module that defines the class. Unregistered,
    :meth:`FeatureSpec.to_dict <riskmodel.features.FeatureSpec.to_dict>` refuses it
    with a ``TypeError`` naming its class.

    Examples
    --------
    Writing your own feature: how many kinds of event the child had in a window.

    >>> from dataclasses import dataclass
    >>> from typing import ClassVar
    >>> import numpy as np
    >>> import pandas as pd
    >>> from riskmodel.data import LocalAuthorityData
    >>> from riskmodel.features import EventFamily, Feature, FeatureSpec, build_features
    >>> @dataclass(frozen=True)
    ... class EventKinds(Feature):
    ...     event_types: tuple[str, ...]
    ...     window_days: int = 365
    ...     dtype: ClassVar[str] = "int32"
    ...
    ...     @property
    ...     def name(self):
    ...         return f"event_kinds_{self.window_days}d"
    ...
    ...     @property
    ...     def families(self):
    ...         return tuple(EventFamily(f"kind_{t}", t, f"{t}s") for t in self.event_types)
    ...
    ...     @property
    ...     def template(self):
    ...         return f"{{value}} kinds of event in the last {self.window_days} days"
    ...
    ...     def describe(self, value):
    ...         return self.template.format(value=int(value))
    ...
    ...     def compute(self, context):
    ...         kinds = np.zeros(len(context), dtype=np.int32)
    ...         for family in self.families:
    ...             kinds += context.events(family).count(self.window_days) > 0
    ...         return kinds
    >>> data = LocalAuthorityData(
    ...     persons=pd.DataFrame({"person_id": ["a", "b"], "sex": ["F", "M"],
    ...         "date_of_birth": pd.to_datetime(["2008-01-01", "2009-01-01"])}),
    ...     events=pd.DataFrame({"person_id": ["a", "a", "a", "b"],
    ...         "event_type": ["contact", "referral", "referral", "contact"],
    ...         "event_date": pd.to_datetime(
    ...             ["2019-11-01", "2019-12-01", "2019-12-02", "2020-02-01"])}),
    ...     care_episodes=pd.DataFrame(columns=["person_id", "start_date"]),
    ... )
    >>> kinds = EventKinds(("contact", "referral"), window_days=90)
    >>> build_features(data, ["2020-01-01"], FeatureSpec((kinds,))).reset_index()
      person_id as_of_date  event_kinds_90d
    0         a 2020-01-01                2
    1         b 2020-01-01                0
    >>> kinds.describe(2)
    '2 kinds of event in the last 90 days'
    """

    dtype: ClassVar[str] = "float64"
    """The pandas dtype of the feature's column."""

    @property
    def name(self) -> str:
        """The column name."""
        raise NotImplementedError

    @property
    def families(self) -> tuple[EventFamily, ...]:
        """The event families the feature reads (none for person and care features)."""
        return ()

    @property
    def reason_slot(self) -> str:
        """The concern the feature measures, for one reason per concern.

        Features that share a slot measure one concern, so a child is given at most
        one of them as a reason (see :func:`~riskmodel.explain.reason_codes`). By
        default the first event family read, else the feature's own name; features
        about someone else (the household) or about every family at once (latent
        states) name their own slot, so they never crowd out the child's own events.
        """
        return self.families[0].name if self.families else self.name

    @property
    def template(self) -> str:
        """Plain-English description with ``{value}`` for the child's value."""
        raise NotImplementedError

    def describe(self, value: object) -> str:
        """Describe one child's value in plain English.

        Parameters
        ----------
        value : object
            The child's value of this feature (NaN when missing).

        Returns
        -------
        str
        """
        raise NotImplementedError

    def compute(self, context: FeatureContext) -> np.ndarray:
        """Compute the feature for a block of as-of rows.

        Called by :func:`~riskmodel.features.build_features` once per block of rows;
        see "Writing your own feature" above.

        Parameters
        ----------
        context : FeatureContext
            The block's rows and what is known at their as-of dates.

        Returns
        -------
        numpy.ndarray
            One value per row of ``context``, in its order; cast to :attr:`dtype`.

        Raises
        ------
        NotImplementedError
            In the base class: a feature of your own must define it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not say how to compute itself: define "
            "compute(context) (see 'Writing your own feature' in the Feature docstring)"
        )
