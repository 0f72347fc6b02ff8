"""Flagged children whom no reason explains.

A reason is a feature that raised a child's score and may be named to a practitioner
(:func:`~riskmodel.explain.reason_codes`). A flagged child with no reason was raised
only by what is never given as a reason (age and the other protected
characteristics): nothing recorded about the child set them apart. A model fitted on
few care entries can rest on age alone and flag children this way. Every such run is
warned about (a :class:`~riskmodel.exceptions.DataQualityWarning`) and noted in the
result, because a list a team cannot explain is one it should not act on unread.
"""

from __future__ import annotations

import pandas as pd

from riskmodel._warnings import warn_caller
from riskmodel.exceptions import DataQualityWarning

__all__ = ["note_unexplained", "unexplained_message", "warn_unexplained"]


def unexplained_message(unexplained: int, flagged: int) -> str | None:
    """Return the note for ``unexplained`` of ``flagged`` children without a reason.

    Parameters
    ----------
    unexplained : int
        Flagged children whose ``reason_1`` is missing.
    flagged : int
        Flagged children.

    Returns
    -------
    str or None
        None when every flagged child has a reason.

    Examples
    --------
    >>> unexplained_message(0, 50) is None
    True
    >>> unexplained_message(3, 50).split(":")[1].strip()
    '3 of the 50 flagged children have no reason'
    """
    if not unexplained:
        return None
    verb = "has" if unexplained == 1 else "have"
    return (
        f"reasons: {unexplained:,} of the {flagged:,} flagged children {verb} no reason: "
        "nothing recorded about them raised their scores, only characteristics that are "
        "never given as reasons (age, sex, ethnicity, disability, deprivation), so their "
        "place on the list says little about their records. It happens when the model "
        "rests mostly on age (typical of training data with few care entries: see the "
        "review's explanations) or when the capacity reaches children of about average "
        "score. The team list says so beside each of them."
    )


def note_unexplained(unexplained: int, flagged: int, notes: list[str], prefix: str = "") -> None:
    """Warn about, and append to ``notes``, :func:`unexplained_message` when there is one.

    Parameters
    ----------
    unexplained, flagged : int
        As for :func:`unexplained_message`.
    notes : list of str
        The scoring notes.
    prefix : str, default ""
        Put before the message, such as ``"authority E09000001: "``.

    Warns
    -----
    DataQualityWarning
        When a flagged child has no reason.
    """
    message = unexplained_message(unexplained, flagged)
    if message is not None:
        notes.append(prefix + message)
        warn_caller(prefix + message, DataQualityWarning)


def warn_unexplained(scores: pd.DataFrame, notes: list[str]) -> None:
    """Count the flagged rows of ``scores`` without ``reason_1``, and note them.

    Parameters
    ----------
    scores : pandas.DataFrame
        A scores table with ``flagged`` and, when reasons were asked for, ``reason_1``
        (missing or blank where a child has no reason).
    notes : list of str
        The scoring notes.

    Warns
    -----
    DataQualityWarning
        When a flagged child has no reason.
    """
    if "reason_1" not in scores.columns:
        return
    flagged = scores["flagged"].astype(bool)
    reason = scores.loc[flagged, "reason_1"]
    blank = reason.isna() | (reason.astype("str").str.strip() == "")
    note_unexplained(int(blank.sum()), int(flagged.sum()), notes)
