"""Warnings that point at the user's code, however deep inside the package they are raised."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

__all__ = ["warn_caller"]

_PACKAGE = str(Path(__file__).resolve().parent)


def warn_caller(message: str, category: type[Warning]) -> None:
    """Issue a warning attributed to the first caller outside the ``riskmodel`` package.

    A fixed ``stacklevel`` breaks whenever a call path gains a frame (scoring with and
    without writing outputs, say); this walks the stack instead.
    """
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is the frame that called us
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
