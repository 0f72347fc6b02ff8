import os
from pathlib import Path

import pytest

from riskmodel._atomic import atomic_write


def test_atomic_write_replaces_whole_file_with_usual_permissions(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write(target, lambda p: Path(p).write_text("new"))
    assert target.read_text() == "new"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(path):
        Path(path).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
