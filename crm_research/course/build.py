"""``crm-research course``: the student pack, the solutions pack, personal datasets and slides.

The notebooks of the series carry their exercises in cells tagged ``exercise``
and their worked solutions in code cells tagged ``solution`` that end with
``assert crm.check("NN.k", name, ...)``.  :func:`student_notebook` replaces each
solution by ``name = ...`` and the same check (so the student copy still runs
top to bottom and says "not answered yet"); :func:`solution_notebook` keeps the
solutions but folds their code away, so the answer is not one scroll below the
question.
"""

from __future__ import annotations

import copy
import csv
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from crm_research.core.errors import CRMInputError

__all__ = ["build_course", "CoursePack"]

#: the last line of every solution cell
CHECK_LINE = re.compile(r"^assert crm\.check\((?P<q>[\"'])(?P<id>\d{2}[a-z]?\.\d+)(?P=q), (?P<name>[A-Za-z_]\w*)(?P<rest>.*)\)\s*$")
_STUDENT_NAME = re.compile(r"^[\w\-]{1,64}$")


@dataclass
class CoursePack:
    """What :func:`build_course` wrote (all paths inside ``out``)."""

    out: Path
    student: list[Path] = field(default_factory=list)
    solutions: list[Path] = field(default_factory=list)
    slides: list[Path] = field(default_factory=list)
    datasets: list[Path] = field(default_factory=list)
    answer_key: Path | None = None


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def check_line(cell) -> re.Match | None:
    """The ``assert crm.check(...)`` line that ends a solution cell (None if there is none)."""
    lines = [ln for ln in cell.source.splitlines() if ln.strip()]
    return CHECK_LINE.match(lines[-1]) if lines else None


def student_notebook(nb):
    """A copy of ``nb`` without solutions: each solution cell becomes ``name = ...`` plus its check.

    Markdown cells tagged ``solution`` (model answers in words) are removed.  Raises
    :class:`CRMInputError` for a solution cell that does not end with its check.
    """
    import nbformat

    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if "solution" not in _tags(cell):
            cells.append(cell)
            continue
        if cell.cell_type != "code":
            continue
        m = check_line(cell)
        if m is None:
            raise CRMInputError("a code cell tagged 'solution' must end with "
                                "assert crm.check(\"NN.k\", name, ...); this one ends differently:\n"
                                + cell.source[-200:])
        stub = nbformat.v4.new_code_cell(
            f"# Exercise {m['id']}: write your code here, give `{m['name']}` your answer, then run the cell.\n"
            f"{m['name']} = ...\n"
            f"crm.check(\"{m['id']}\", {m['name']}{m['rest']})",
            metadata={"tags": ["answer"]})
        cells.append(stub)
    out.cells = cells
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return out


def solution_notebook(nb):
    """A copy of ``nb`` whose solution cells are folded (``jupyter.source_hidden``)."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if "solution" in _tags(cell) and cell.cell_type == "code":
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    return out


def _slides_notebook(nb):
    """Slide breaks for reveal.js: a new slide at every ## heading, a sub-slide at every ###."""
    out = copy.deepcopy(nb)
    for i, cell in enumerate(out.cells):
        text = cell.source.lstrip()
        kind = "-"
        if i == 0 or (cell.cell_type == "markdown" and text.startswith("## ")):
            kind = "slide"
        elif cell.cell_type == "markdown" and text.startswith("### "):
            kind = "subslide"
        cell.metadata["slideshow"] = {"slide_type": kind}
    return out


def _read_seeds(path) -> list[tuple[str, int]]:
    path = Path(path)
    if not path.is_file():
        raise CRMInputError(f"course: the class list {str(path)!r} does not exist.")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or not {"student", "seed"} <= set(rows[0]):
        raise CRMInputError(f"course: the class list {path.name} needs the columns 'student' and 'seed' "
                            "(one row per student, e.g. 'sara_ahmadi,1401').")
    out, seen = [], set()
    for line, row in enumerate(rows, start=2):
        name, seed = (row["student"] or "").strip(), (row["seed"] or "").strip()
        if not _STUDENT_NAME.match(name):
            raise CRMInputError(f"course: {path.name}, line {line}: student {name!r} must be 1-64 letters, digits, "
                                "'_' or '-' (it becomes a folder name).")
        if name in seen:
            raise CRMInputError(f"course: {path.name}, line {line}: student {name!r} appears twice.")
        if not seed.isdigit():
            raise CRMInputError(f"course: {path.name}, line {line}: seed {seed!r} must be a whole number >= 0.")
        seen.add(name)
        out.append((name, int(seed)))
    return out


def build_course(out: str | os.PathLike, *, seeds: str | os.PathLike | None = None,
                 notebooks: str | os.PathLike | None = None, slides: bool = True, overwrite: bool = False,
                 n_customers: int = 5000, n_orders: int = 50000) -> CoursePack:
    """Write the instructor's pack: student and solution notebooks, slides, personal datasets and a key.

    Parameters
    ----------
    out : path
        Folder to create.  It receives ``student/`` (solutions removed),
        ``solutions/`` (solutions folded), ``slides/`` (reveal.js HTML, one per
        notebook, from the student copies), each with a ``fa/`` subfolder for the
        Persian edition (``notebooks/fa``), and with ``seeds`` ``datasets/<student>/``
        and ``instructor/answer_key.csv``.
    seeds : path, optional
        A CSV class list with the columns ``student`` and ``seed``.  Each student
        gets a sample company (``generate_sample_company(seed=...)``, CSV files
        without the truth tables) and an e-CRM survey (``generate_ecrm_survey(seed=...)``);
        the answer key lists the true parameters behind each dataset.
    notebooks : path, optional
        The notebook folder (default: the series shipped with the package).
    slides : bool, default True
        Also write the slides (nbconvert's reveal.js exporter).
    overwrite : bool, default False
        Replace an existing ``out`` folder; otherwise an existing non-empty folder is refused.
    n_customers, n_orders : int
        Size of each student's sample company (as in ``generate_sample_company``).

    Returns
    -------
    CoursePack
        The paths written.  Everything is built in a temporary folder and moved
        into place at the end, so an error leaves no half-written pack.

    Examples
    --------
    >>> import tempfile, pathlib, crm_research as crm
    >>> pack = crm.build_course(pathlib.Path(tempfile.mkdtemp()) / "pack", slides=False)
    >>> len(pack.student) == len(pack.solutions) > 10
    True
    >>> sorted({p.parent.name for p in pack.student})
    ['fa', 'student']
    """
    import nbformat

    from crm_research.notebooks import find_notebooks

    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise CRMInputError(f"course: {str(out)!r} exists and is not empty; pass overwrite=True "
                            "(--overwrite) to replace it.")
    roster = _read_seeds(seeds) if seeds is not None else []
    sources = [(src, "") for src in find_notebooks(notebooks)]
    folder = sources[0][0].parent if sources else None
    if folder is not None and (folder / "fa").is_dir():
        # the Persian edition goes into fa/ subfolders of the same pack
        sources += [(src, "fa") for src in find_notebooks(folder / "fa")]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        pack = CoursePack(out)
        for sub in ("student", "solutions"):
            (tmp / sub).mkdir()
        for src, sub in sources:
            nb = nbformat.read(src, as_version=4)
            student = student_notebook(nb)
            rel = Path(sub) / src.name
            for kind, copy_ in (("student", student), ("solutions", solution_notebook(nb))):
                (tmp / kind / sub).mkdir(parents=True, exist_ok=True)
                nbformat.write(copy_, tmp / kind / rel)
            pack.student.append(out / "student" / rel)
            pack.solutions.append(out / "solutions" / rel)
            if slides:
                from nbconvert import SlidesExporter

                (tmp / "slides" / sub).mkdir(parents=True, exist_ok=True)
                body, _ = SlidesExporter().from_notebook_node(_slides_notebook(student))
                name = Path(sub) / (src.stem + ".slides.html")
                (tmp / "slides" / name).write_text(body, encoding="utf-8")
                pack.slides.append(out / "slides" / name)
        if roster:
            _write_datasets(tmp, out, roster, pack, n_customers=n_customers, n_orders=n_orders)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return pack


def _write_datasets(tmp: Path, out: Path, roster, pack: CoursePack, *, n_customers: int, n_orders: int) -> None:
    import pandas as pd

    from crm_research.data.samplecompany import generate_sample_company
    from crm_research.data.surveygen import ecrm_survey_truth, generate_ecrm_survey

    survey_truth = ecrm_survey_truth()
    rows = []
    for student, seed in roster:
        folder = tmp / "datasets" / student
        company = generate_sample_company(n_customers, n_orders=n_orders, seed=seed)
        company.to_csv(folder / "sample_company", truth=False)
        generate_ecrm_survey(seed=seed).to_csv(folder / "ecrm_survey.csv", index=False)
        pack.datasets.append(out / "datasets" / student)
        for _, p in company.truth["params"].iterrows():
            rows.append({"student": student, "seed": seed, "dataset": "sample_company",
                         "parameter": p["name"], "value": p["value"], "meaning": p["meaning"]})
        for _, p in survey_truth.iterrows():
            rows.append({"student": student, "seed": seed, "dataset": "ecrm_survey",
                         "parameter": f"{p['lhs']} {p['op']} {p['rhs']}", "value": p["std_all"],
                         "meaning": "standardized population value" + (f" ({p['hypothesis']})"
                                                                       if pd.notna(p["hypothesis"]) else "")})
    (tmp / "instructor").mkdir()
    pd.DataFrame(rows).to_csv(tmp / "instructor" / "answer_key.csv", index=False)
    pack.answer_key = out / "instructor" / "answer_key.csv"
