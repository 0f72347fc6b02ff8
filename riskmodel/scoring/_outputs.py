"""A scoring run's outputs are one unit: written together, then published at once.

An output folder looks like this (the public names are symbolic links)::

    scores.parquet      -> .riskmodel-current/scores.parquet
    exclusions.parquet  -> .riskmodel-current/exclusions.parquet
    drift.parquet       -> .riskmodel-current/drift.parquet
    history             -> .riskmodel-current/history
    .riskmodel-current  -> .riskmodel-runs/<run>      the one pointer
    .riskmodel-runs/<run>/                            one complete set of files
    .riskmodel.lock                                   held while a run writes

A run writes every file (and the whole score history, earlier partitions as hard
links) into a new folder under ``.riskmodel-runs``, then replaces the pointer
``.riskmodel-current`` with one rename. Every public name resolves through the
pointer, so a reader always sees the files of one run, and a run killed at any
moment leaves the previous complete set. An exclusive lock refuses a second run on
the same folder; the next run removes what a killed run left (only names this module
makes: ``.riskmodel-*`` and the ``.<name>.<random>.tmp`` files of atomic writes).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path

import pandas as pd

from riskmodel.exceptions import SchemaError
from riskmodel.scoring._history import HISTORY_FOLDER as HISTORY

__all__ = ["LOCK", "POINTER", "RUNS", "OutputFolder"]

LOCK = ".riskmodel.lock"
POINTER = ".riskmodel-current"
RUNS = ".riskmodel-runs"
_STALE = re.compile(
    r"^(\.riskmodel-(current|link|aside)\..+\.tmp"  # this module's temporaries
    r"|\.[^/]+\.(parquet|csv)\.[a-z0-9_]{8}\.tmp)$"  # atomic_write's, from older versions
)


def current_run(folder: Path) -> Path | None:
    """Return the run folder the pointer names, or None before the first run."""
    pointer = folder / POINTER
    if not pointer.is_symlink():
        return None
    return folder / os.readlink(pointer)


class OutputFolder:
    """Lock an output folder, stage one run's files, publish them at once.

    Use as a context manager: entering takes the lock (or raises
    :class:`~riskmodel.exceptions.SchemaError` naming the run holding it), removes
    what killed runs left and adopts files written by versions before this layout.
    :meth:`stage` gives a new run folder holding hard links to the current set;
    :meth:`publish` makes it the current set (the previous run's folder stays, for
    readers that resolved it, until the next run sweeps it). Leaving without publishing (an error)
    removes the staged folder, and the previous set stays.

    Parameters
    ----------
    folder : pathlib.Path
        The output folder (created if needed).
    as_of : pandas.Timestamp
        The run's as-of date, recorded in the lock file for the message a second run
        gets.
    names : list of str
        The public names this run may write (its scores, exclusions and drift files
        in each format); ``history`` is always one.
    """

    def __init__(self, folder: Path, as_of: pd.Timestamp, names: list[str]) -> None:
        self.folder = Path(folder)
        self.as_of = pd.Timestamp(as_of)
        self.names = [*names, HISTORY]
        self._fd: int | None = None
        self._staged: Path | None = None

    def __enter__(self) -> OutputFolder:
        """Take the lock, sweep stale temporaries and adopt legacy files."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self._sweep()
            self._adopt_legacy()
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        """Remove an unpublished staged run and release the lock."""
        try:
            if self._staged is not None:
                shutil.rmtree(self._staged, ignore_errors=True)
        finally:
            self._staged = None
            self._unlock()

    def _lock(self) -> None:
        import fcntl

        fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "pid unknown"
            os.close(fd)
            raise SchemaError(
                f"output folder {self.folder}: another scoring run ({holder}) is writing "
                f"there now (lock {LOCK}); wait for it to finish, or score into another folder"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, as-of {self.as_of.date()}\n".encode(), 0)
        self._fd = fd

    def _unlock(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the lock
            self._fd = None

    def _sweep(self) -> None:
        """Remove runs other than the current one and stale temporaries (lock held)."""
        current = current_run(self.folder)
        runs = self.folder / RUNS
        if runs.is_dir():
            for run in runs.iterdir():
                if current is None or run.name != current.name:
                    _remove(run)
        for path in self.folder.iterdir():
            if _STALE.match(path.name):
                _remove(path)
        history = self.folder / HISTORY
        if history.is_dir() and not history.is_symlink():
            for path in history.glob("*/.*.tmp"):
                if _STALE.match(path.name):
                    path.unlink()

    def _adopt_legacy(self) -> None:
        """Move plain files of this run's names (older versions) into a published run.

        The adopted run holds the very same files (hard links), so at every step the
        folder shows the old complete set.
        """
        legacy = [n for n in self.names if _is_plain(self.folder / n)]
        if not legacy:
            return
        run = self.stage()
        for name in legacy:
            src, dst = self.folder / name, run / name
            if dst.exists():
                _remove(dst)
            if src.is_dir():
                _link_tree(src, dst)
            else:
                _link_or_copy(src, dst)
        self.publish(run)

    @property
    def current(self) -> Path | None:
        """The published run folder (None before the first run)."""
        return current_run(self.folder)

    def stage(self) -> Path:
        """Create a new run folder holding hard links to every file of the current set.

        Write this run's files into it by replacing (never writing into) the linked
        files: a linked file is shared with the published run.
        """
        runs = self.folder / RUNS
        runs.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        run = runs / f"{self.as_of.date()}.{stamp}.{os.getpid()}.{secrets.token_hex(3)}"
        run.mkdir()
        self._staged = run
        current = self.current
        if current is not None and current.is_dir():
            _link_tree(current, run)
        return run

    def publish(self, run: Path) -> None:
        """Make ``run`` the current set with one rename, then expose its public names."""
        _replace_with_link(self.folder / POINTER, Path(RUNS) / run.name, f"{POINTER}")
        self._staged = None
        _fsync_dir(self.folder)
        for name in self.names:
            self._expose(name, present=(run / name).exists())

    def _expose(self, name: str, *, present: bool) -> None:
        """Point the public ``name`` through the pointer (or drop it if absent)."""
        link = self.folder / name
        want = str(Path(POINTER) / name)
        ours = link.is_symlink() and os.readlink(link) == want
        if not present:
            if ours:
                link.unlink()
            return
        if ours:
            return
        aside = None
        if link.is_dir() and not link.is_symlink():
            aside = self.folder / f".riskmodel-aside.{secrets.token_hex(4)}.tmp"
            os.rename(link, aside)  # a folder cannot be replaced by a link in one rename
        _replace_with_link(link, want, ".riskmodel-link")
        if aside is not None:
            shutil.rmtree(aside)


def _replace_with_link(path: Path, target: str | Path, prefix: str) -> None:
    """Make ``path`` a symbolic link to ``target`` with one rename."""
    tmp = path.parent / f"{prefix}.{secrets.token_hex(4)}.tmp"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _is_plain(path: Path) -> bool:
    return path.exists() and not path.is_symlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _link_tree(src: Path, dst: Path) -> None:
    """Recreate ``src`` under ``dst`` with hard links to its files (temporaries skipped)."""
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.rglob("*")):
        if _STALE.match(path.name):
            continue
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(path, target)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links
        shutil.copy2(src, dst)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
