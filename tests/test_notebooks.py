"""Every notebook of the series runs top to bottom (in fast mode) and follows the conventions."""

import json
import subprocess
from pathlib import Path

import nbformat
import pytest

from crm_research.notebooks import NOTEBOOK_NAME, execute_notebook, find_notebooks, notebook_title

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = find_notebooks(ROOT / "notebooks")


def test_the_series_exists_and_starts_with_start_here():
    assert NOTEBOOKS, "no notebooks found"
    assert NOTEBOOKS[0].name.startswith("00_start_here")


def test_every_notebook_file_is_numbered_and_numbers_are_unique():
    files = sorted((ROOT / "notebooks").glob("*.ipynb"))
    bad = [p.name for p in files if not NOTEBOOK_NAME.match(p.name)]
    assert not bad, f"notebooks must be named NN_topic.ipynb or NNx_topic.ipynb (lower case): {bad}"
    numbers = [NOTEBOOK_NAME.match(p.name).group(1) for p in files]  # "06" and "06b" are different numbers
    assert len(numbers) == len(set(numbers)), f"duplicate notebook numbers: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_conventions(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.lstrip().startswith("# "), "first cell must be a # title"
    assert notebook_title(nb)
    text = "\n".join(c.source for c in nb.cells).lower()
    assert "exercise" in text, "every notebook ends with exercises"
    assert "coming soon" not in text and "todo" not in text
    assert "import crm_research as crm" in text


def _committed_text(path: Path) -> str | None:
    """The notebook as committed in git (None if not committed yet)."""
    rel = path.relative_to(ROOT).as_posix()
    proc = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_are_stripped(path):
    # Check the working copy and, when git is available, the committed copy.
    for text in (path.read_text(encoding="utf-8"), _committed_text(path)):
        if text is None:
            continue
        nb = json.loads(text)
        with_output = [i for i, c in enumerate(nb["cells"]) if c.get("outputs") or c.get("execution_count")]
        assert not with_output, f"{path.name}: cells {with_output} carry outputs; strip them before committing"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path):
    execute_notebook(path, fast=True, timeout=600)
