"""The notebooks run top to bottom without error, and are committed without outputs.

Each notebook is executed in a fresh kernel with nbclient, from the ``notebooks``
folder (so relative paths resolve as they do for a reader). The kernel is this test
run's own interpreter: a ``python3`` kernelspec pointing at ``sys.executable`` is
written to a temporary folder put first on ``JUPYTER_PATH``, so a kernel registered
elsewhere on the machine (another Python, without riskmodel) is never picked up.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = [
    "01_quickstart.ipynb",
    "02_explainability_review.ipynb",
    "03_fairness_review.ipynb",
    "04_tracking_outcomes.ipynb",
]


@pytest.fixture
def kernel_python3(tmp_path, monkeypatch):
    """A ``python3`` kernel that runs this interpreter, found before any other."""
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (riskmodel tests)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # One thread per kernel: the suite runs one xdist worker per core, and a kernel
    # whose OpenMP pool wants every core fights the other worker (5x slower, measured).
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    return "python3"


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4)


def test_every_notebook_is_tested():
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_clean(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, f"{name} has no code cells"
    for i, cell in enumerate(code):
        assert cell.outputs == [], f"{name}: code cell {i} was committed with outputs"
        assert cell.execution_count is None, f"{name}: code cell {i} has an execution count"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_without_errors_or_warnings(name, kernel_python3):
    nb = _read(name)
    client = NotebookClient(
        nb,
        kernel_name=kernel_python3,
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    stderr = [
        (i, output.get("text", ""))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    ]
    assert not stderr, f"{name} wrote to stderr (warnings?) in code cells: {stderr}"
