"""Which authority a return is from: the CIN ``LEA``, an ``authority=CODE`` folder, an argument.

The readers stamp this code on every row they return (the ``authority`` column).
What a return says about its authority and what the caller says can disagree; the
caller's word wins, and the disagreement is reported in the issues table (value
assumed), naming the file, the field and the value it held.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from riskmodel.data._cin_xml import CinMessage
from riskmodel.data._issues import VALUE_ASSUMED, Issue, IssueLog
from riskmodel.exceptions import SchemaError

__all__ = ["check_authority", "cin_authorities", "folder_authority", "ssda903_authority"]

PathLike = str | os.PathLike[str]
_FOLDER = re.compile(r"authority=(.+)")


def check_authority(authority: object) -> str | None:
    """Return ``authority`` as given, or raise if it is not a usable code.

    Raises
    ------
    SchemaError
        If ``authority`` is not None and not a non-blank string.
    """
    if authority is None:
        return None
    if not isinstance(authority, str) or not authority.strip() or authority != authority.strip():
        raise SchemaError(
            f"authority must be a code such as 'E09000013' or '201' (no surrounding "
            f"spaces), got {authority!r}"
        )
    return authority


def cin_authorities(
    messages: Sequence[CinMessage], authority: str | None, log: IssueLog
) -> list[str | None]:
    """Return the authority of each CIN census file, logging what is assumed.

    ``authority`` given: every file is that authority's, and each file whose
    ``LEA`` differs is reported. Otherwise each file is its ``LEA``'s; a file
    without one takes the other files' single ``LEA`` (reported), and is refused
    when the others name several. No ``LEA`` anywhere: None for every file.

    Raises
    ------
    SchemaError
        If a file has no ``LEA`` while the other files name several authorities.
    """
    if authority is not None:
        for m in messages:
            if m.lea is not None and m.lea != authority:
                reason = (
                    f"the file's LEA {m.lea} is not the authority given ({authority}); "
                    f"its rows are {authority}'s, as given"
                )
                log.add(_header_issue(m, reason))
        return [authority] * len(messages)
    codes = sorted({m.lea for m in messages if m.lea is not None})
    if not codes:
        return [None] * len(messages)
    if len(codes) == 1:
        for m in messages:
            if m.lea is None:
                reason = (
                    f"Header/Source/LEA is missing; the other files' LEA {codes[0]} is assumed"
                )
                log.add(_header_issue(m, reason))
        return [codes[0]] * len(messages)
    unknown = [m for m in messages if m.lea is None]
    if unknown:
        raise SchemaError(
            f"{unknown[0].path}: Header/Source/LEA is missing, and the other files come from "
            f"several authorities (LEA {', '.join(codes)}), so its children could be any of "
            "them; pass authority= or read each authority's files apart"
        )
    reason = (
        f"the files come from different authorities (LEA {', '.join(codes)}); each file's "
        "rows are its LEA's, and children are matched by LAchildID only within an LEA"
    )
    for m in messages:
        log.add(_header_issue(m, reason))
    return [m.lea for m in messages]


def _header_issue(message: CinMessage, reason: str) -> Issue:
    return Issue(
        file=message.path,
        location="Header",
        person_id=None,
        table="persons",
        field="LEA",
        value=message.lea,
        reason=reason,
        consequence=VALUE_ASSUMED,
    )


def folder_authority(path: str | os.PathLike[str]) -> str | None:
    """Return ``CODE`` of the nearest ``authority=CODE`` folder in ``path``, or None.

    Examples
    --------
    >>> folder_authority("region/authority=E09000013/ssda903/2024")
    'E09000013'
    >>> folder_authority("returns/ssda903/2024") is None
    True
    """
    for part in reversed(Path(path).absolute().parts):
        found = _FOLDER.fullmatch(part)
        if found:
            return found.group(1)
    return None


def ssda903_authority(
    paths: PathLike | Iterable[PathLike] | None,
    given: Mapping[str, PathLike | None],
    authority: str | None,
) -> tuple[str | None, pd.DataFrame]:
    """Return the authority of SSDA903 returns and the issues found in saying so.

    ``paths`` and ``given`` (the ``header=``, ``episodes=``, ... files) are what
    :func:`~riskmodel.read_ssda903` was given; ``paths`` must not be an iterator.

    The SSDA903 (CSV or XML) carries no code of its authority, so the code is
    ``authority`` if given, else that of the ``authority=CODE`` folder the paths are
    in (as :func:`~riskmodel.write_region` writes), else None. A path whose folder
    names another code than the one used is reported (value assumed).

    Raises
    ------
    SchemaError
        If no ``authority`` is given and the paths are in folders of several
        authorities (one read merges one authority's years by ``CHILD``).
    """
    listed = [paths] if isinstance(paths, str | os.PathLike) else list(paths or ())
    listed += [p for p in given.values() if p is not None]
    found = {str(p): folder_authority(p) for p in listed}
    codes = sorted({c for c in found.values() if c is not None})
    if authority is None and len(codes) > 1:
        where = "; ".join(f"{p}: {c}" for p, c in found.items() if c is not None)
        raise SchemaError(
            f"the SSDA903 returns are in folders of several authorities ({where}); one "
            "read matches children across years by CHILD, so read each authority apart "
            "and pool them with pool_authorities (or pass authority=)"
        )
    code = authority if authority is not None else (codes[0] if codes else None)
    log = IssueLog()
    for path, folder in found.items():
        if code is None or folder == code or (folder is None and authority is not None):
            continue
        if folder is None:
            reason = f"no authority=CODE folder above it; the other returns' {code} is assumed"
        else:
            reason = (
                f"the folder names authority {folder} but authority={code!r} was given; "
                f"its rows are {code}'s, as given"
            )
        log.add(
            Issue(
                file=path,
                location="folder",
                person_id=None,
                table="persons",
                field="authority",
                value=folder,
                reason=reason,
                consequence=VALUE_ASSUMED,
            )
        )
    return code, log.to_frame()
