"""Atomic file writes: a failed job never leaves a half-written output."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write"]


def atomic_write(target: str | os.PathLike[str], write: Callable[[str], object]) -> Path:
    """Call ``write(tmp_path)``, then rename the temporary file onto ``target``.

    The temporary file sits in the target's directory, so the rename is atomic on
    POSIX file systems. If ``write`` fails, ``target`` is left as it was.

    Parameters
    ----------
    target : path-like
        The file to create or replace.
    write : callable
        Writes the content to the path it is given.

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    IsADirectoryError
        If ``target`` is an existing directory.
    """
    target = Path(target)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory, expected a file name", str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs get the usual mode
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
