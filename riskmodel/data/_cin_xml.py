"""Low-level reading of CIN census XML: safe parsing, the header, dates and stray text."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from riskmodel.data._files import read_text
from riskmodel.data._xml_safe import parse_tree
from riskmodel.exceptions import SchemaError

__all__ = [
    "CinMessage",
    "load_message",
    "looks_like_date",
    "parse_date",
    "stray_text",
    "text_of",
]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CinMessage:
    """One parsed CIN census file.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    root : xml.etree.ElementTree.Element
        The ``Message`` element, with XML namespaces removed from every tag.
    reference_date : datetime.date or None
        ``Header/CollectionDetails/ReferenceDate``, or None if missing or not a date.
    reference_text : str or None
        The reference date as written in the file.
    lea : str or None
        ``Header/Source/LEA``, the local authority's code.
    """

    path: Path
    root: ET.Element
    reference_date: dt.date | None
    reference_text: str | None
    lea: str | None


def load_message(path: Path) -> CinMessage:
    """Parse a CIN census file and check that it is one.

    Parameters
    ----------
    path : pathlib.Path
        The XML file (UTF-8).

    Returns
    -------
    CinMessage

    Raises
    ------
    SchemaError
        If the file is missing, empty, not UTF-8, not well-formed XML (naming the
        line and column), declares a DTD or entities, nests elements deeper than
        :data:`~riskmodel.data._xml_safe.MAX_DEPTH`, or is not a CIN census ``Message``.
    """
    text = read_text(path)
    root = parse_tree(text, path)
    if root.tag != "Message":
        raise SchemaError(
            f"{path}: not a CIN census file: the root element is <{root.tag}>, expected <Message>"
        )
    collection = text_of(root, "Header/CollectionDetails/Collection")
    if collection is None or collection.upper() != "CIN":
        raise SchemaError(
            f"{path}: not a CIN census file: Header/CollectionDetails/Collection is "
            f"{collection!r}, expected 'CIN'"
        )
    reference = text_of(root, "Header/CollectionDetails/ReferenceDate")
    return CinMessage(
        path=path,
        root=root,
        reference_date=parse_date(reference),
        reference_text=reference,
        lea=text_of(root, "Header/Source/LEA"),
    )


def text_of(element: ET.Element | None, path: str) -> str | None:
    """Return the stripped text at ``path`` below ``element``, or None if absent or blank."""
    if element is None:
        return None
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def parse_date(text: str | None) -> dt.date | None:
    """Read an ISO ``YYYY-MM-DD`` date; None if ``text`` is None or not such a date."""
    if text is None or not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def looks_like_date(text: str | None) -> bool:
    """Whether ``text`` has the shape of an ISO date (whether or not it is a real day)."""
    return text is not None and _DATE.fullmatch(text) is not None


def stray_text(
    element: ET.Element, location: str, *, skip: str | None = None
) -> Iterator[tuple[str, str, str]]:
    """Yield ``(location, after, text)`` for text found between elements.

    Text is expected only inside leaf elements. Text before the first child of a
    container, or after any child element, is stray: it is yielded with the tag it
    follows (the container's own tag when it comes first).

    Parameters
    ----------
    element : xml.etree.ElementTree.Element
        The subtree to inspect.
    location : str
        The subtree's location, such as ``"Child 3"``.
    skip : str, optional
        A tag whose subtrees are not entered (their tails are still inspected).
    """
    if len(element) == 0:
        return
    if element.text and element.text.strip():
        yield location, element.tag, element.text.strip()
    counts: dict[str, int] = {}
    for child in element:
        counts[child.tag] = counts.get(child.tag, 0) + 1
        if child.tail and child.tail.strip():
            yield location, child.tag, child.tail.strip()
        if child.tag != skip:
            where = f"{location} / {child.tag} {counts[child.tag]}"
            yield from stray_text(child, where, skip=skip)
