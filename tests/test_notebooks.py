"""Every notebook in notebooks/ runs from top to bottom, so none can rot.

Each notebook is executed with nbclient on the ``python3`` kernel, in the notebooks
folder, with nbclient's time limit of 120 s per cell (a stuck notebook fails rather
than hangs; the notebooks themselves take seconds). The kernel is
ipykernel's own kernelspec, installed with the ``test`` extra (``pip install -e
".[test]"``); if ``jupyter kernelspec list`` shows no python3, run ``python -m ipykernel
install --sys-prefix``. The kernel is started with this interpreter and the repository
on PYTHONPATH, so ``import model`` works with or without an installed package.

Notebooks are stored without outputs (a second test checks), so diffs stay readable.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 120


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    # jupyter_client starts a "python" kernelspec with this interpreter (sys.executable)
    try:
        client.execute()
    except CellExecutionError as e:   # raised by any cell that errors (allow_errors is off)
        pytest.fail(f"{path.name} failed:\n{str(e)[-3000:]}", pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, \
                f"{path.name}: clear outputs before committing (jupyter nbconvert --clear-output --inplace)"
    assert any(c.cell_type == "markdown" for c in nb.cells), f"{path.name} has no narration"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import model" in text or "from model" in text


def test_there_are_notebooks():
    assert {"01-quickstart.ipynb", "02-budget-forecast.ipynb"} <= {p.name for p in NOTEBOOKS}

