"""The review report's HTML: Jinja2 templates with autoescaping, rendered to one page.

The templates live in ``riskmodel/reports/templates/`` (package data). Autoescaping is
on for every template and undefined names are errors, so text from the data (feature
names, reasons, group names, table names) always comes out escaped and a misspelt
variable fails loudly instead of rendering empty. The page has no scripts and no
external fonts, stylesheets or images: it opens offline and can be attached to an
e-mail as it is.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

TEMPLATES = "templates"
"""Folder of the templates inside the ``riskmodel.reports`` package."""


@cache
def environment() -> jinja2.Environment:
    """Return the report's Jinja2 environment (built on first use, then shared)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("riskmodel.reports", TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    """Render one of the report's templates with ``context``."""
    return environment().get_template(template).render(**context)
