"""The examples in the metrics docstrings run and give the values they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "_bands",
    "_bootstrap",
    "_calibration",
    "_capacity",
    "_capacity_per_date",
    "_ranking",
    "_recalibration",
    "_summary",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"riskmodel.metrics.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
