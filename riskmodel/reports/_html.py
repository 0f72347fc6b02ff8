"""The review report's HTML: Jinja2 templates with autoescaping, rendered to one page.

The templates live in ``riskmodel/reports/templates/`` (package data). Autoescaping is
on for every template and undefined names are errors, so text from the data (feature
names, reasons, group names, table names) always comes out escaped and a misspelt
variable fails loudly instead of rendering empty. The page has no scripts and no
external fonts, stylesheets or images: it opens offline and can be attached to an
e-mail as it is.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmodel._atomic import atomic_write

if TYPE_CHECKING:
    import jinja2

TEMPLATES = "templates"
"""Folder of the templates inside the ``riskmodel.reports`` package (and any other)."""


@cache
def environment(*packages: str) -> jinja2.Environment:
    """Return a Jinja2 environment over the report templates (built once per ``packages``).

    ``packages`` name other packages whose ``templates/`` folders are searched first
    (the monitoring report's page); the review's blocks and stylesheet come after, so
    every page lays out blocks and looks the same.
    """
    import jinja2

    folders = [jinja2.PackageLoader(p, TEMPLATES) for p in (*packages, "riskmodel.reports")]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """Render one of the report's templates with ``context``."""
    return environment().get_template(template).render(**context)


def write_page(path: str | os.PathLike[str], document: str) -> Path:
    """Write an HTML page at once (no reader sees half a page); return its path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(target, lambda tmp: Path(tmp).write_text(document, encoding="utf-8"))
