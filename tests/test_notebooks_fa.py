"""The Persian edition of the notebook series (notebooks/fa/) follows the English one and runs."""

import re
from pathlib import Path

import nbformat
import pytest

from crm_research.course.build import check_line
from crm_research.notebooks import execute_notebook, find_notebooks

ROOT = Path(__file__).resolve().parent.parent
FA = find_notebooks(ROOT / "notebooks" / "fa")
PERSIAN = re.compile("[\u0600-\u06ff]")


def test_the_persian_edition_exists():
    assert FA, "no Persian notebooks in notebooks/fa"
    assert FA[0].name.startswith("00_")


@pytest.mark.parametrize("path", FA, ids=[p.stem for p in FA])
def test_persian_edition_matches_the_english_one(path):
    english = ROOT / "notebooks" / path.name
    assert english.is_file(), f"{path.name} has no English edition"
    fa, en = nbformat.read(path, as_version=4), nbformat.read(english, as_version=4)
    assert fa.cells[0].source.startswith("# ") and PERSIAN.search(fa.cells[0].source.splitlines()[0])
    # the same analyses and the same checked exercises, cell for cell
    assert [c.cell_type for c in fa.cells] == [c.cell_type for c in en.cells]
    fa_checks = [m.group(0) for c in fa.cells if (m := check_line(c))]
    en_checks = [m.group(0) for c in en.cells if (m := check_line(c))]
    assert fa_checks == en_checks
    for cell in fa.cells:
        if cell.cell_type == "markdown" and PERSIAN.search(cell.source):
            # right-to-left paragraphs keep Latin words (RFM, IDIC, SEM) in their place
            assert 'dir="rtl"' in cell.source, cell.source[:120]
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


@pytest.mark.notebooks
@pytest.mark.parametrize("path", FA, ids=[p.stem for p in FA])
def test_persian_notebook_executes(path):
    execute_notebook(path, fast=True, timeout=600)
