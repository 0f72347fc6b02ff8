"""Parsing untrusted XML safely: expat, event by event, no DTD, no entities, bounded depth.

Both XML readers (the SSDA903 XML return and the CIN census) parse through
:class:`SafeXmlParser`. A DTD or entity declaration is refused, so no file can
expand entities or reach outside itself, and nesting deeper than the returns ever
need is refused before any reader walks the tree, so no file can exhaust the stack.
Namespaces are removed from tag names (``{uri}Child`` and ``cin:Child`` are ``Child``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import xml.parsers.expat
from collections.abc import Callable
from pathlib import Path

from riskmodel.exceptions import SchemaError

__all__ = ["MAX_DEPTH", "SafeXmlParser", "parse_tree"]

MAX_DEPTH = 32
"""Deepest nesting accepted; the returns need at most 8 (CIN census: Message to Factor)."""

_SEPARATOR = "}"


def _local(name: str) -> str:
    """Return a tag or attribute name without its namespace (expat gives ``uri}name``)."""
    return name.rsplit(_SEPARATOR, 1)[-1]


class SafeXmlParser:
    """Feed an XML text to handlers, refusing DTDs, entities and deep nesting.

    Parameters
    ----------
    path : pathlib.Path
        The file, named in error messages.
    start : callable
        Called as ``start(tag, attributes)`` for each opening tag (names without
        namespace).
    end : callable
        Called as ``end(tag)`` for each closing tag.
    data : callable
        Called with each piece of character data.
    max_depth : int, default MAX_DEPTH
        Deepest nesting accepted.
    """

    def __init__(
        self,
        path: Path,
        *,
        start: Callable[[str, dict[str, str]], object],
        end: Callable[[str], object],
        data: Callable[[str], object],
        max_depth: int = MAX_DEPTH,
    ) -> None:
        self.path, self.max_depth, self.depth = path, max_depth, 0
        self._start, self._end = start, end
        self._expat = xml.parsers.expat.ParserCreate(namespace_separator=_SEPARATOR)
        self._expat.StartElementHandler = self._on_start
        self._expat.EndElementHandler = self._on_end
        self._expat.CharacterDataHandler = data
        self._expat.StartDoctypeDeclHandler = self._refuse_dtd
        self._expat.EntityDeclHandler = self._refuse_dtd
        self._expat.ExternalEntityRefHandler = self._refuse_dtd

    @property
    def line(self) -> int:
        """The line being parsed (1-based)."""
        return self._expat.CurrentLineNumber

    def fail(self, what: str) -> None:
        """Raise a SchemaError naming the file, ``what`` and the current line."""
        raise SchemaError(f"{self.path}: {what} at line {self.line}")

    def parse(self, text: str) -> None:
        """Parse the whole of ``text``.

        Raises
        ------
        SchemaError
            If the text is not well-formed XML (naming line and column), declares a
            DTD or entities, or nests elements deeper than ``max_depth``; or
            whatever the handlers raise.
        """
        try:
            self._expat.Parse(text, True)
        except xml.parsers.expat.ExpatError as exc:
            what = xml.parsers.expat.errors.messages[exc.code]
            raise SchemaError(
                f"{self.path}: not well-formed XML: {what} at line {exc.lineno}, "
                f"column {exc.offset + 1}"
            ) from None

    def _on_start(self, tag: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        tag = _local(tag)
        if self.depth > self.max_depth:
            self.fail(f"elements nested deeper than {self.max_depth} levels (<{tag}>)")
        self._start(tag, {_local(k): v for k, v in attributes.items()})

    def _on_end(self, tag: str) -> None:
        self.depth -= 1
        self._end(_local(tag))

    def _refuse_dtd(self, *_args: object) -> None:
        self.fail("a DTD or entity declaration (<!DOCTYPE ...>), which is not accepted")


def parse_tree(text: str, path: Path, *, max_depth: int = MAX_DEPTH) -> ET.Element:
    """Parse ``text`` safely into an element tree (see :class:`SafeXmlParser`).

    Returns
    -------
    xml.etree.ElementTree.Element
        The root element, tags without namespaces.

    Raises
    ------
    SchemaError
        As :meth:`SafeXmlParser.parse`.
    """
    builder = ET.TreeBuilder()
    parser = SafeXmlParser(
        path, start=builder.start, end=builder.end, data=builder.data, max_depth=max_depth
    )
    parser.parse(text)
    return builder.close()
