"""The notebook series as a course: every exercise has a checked solution, student copies have none,
and ``crm-research course`` writes the student pack, the solutions pack, slides and personal datasets."""

import csv
import re
from pathlib import Path

import nbformat
import pytest

import crm_research as crm
from crm_research.cli import main
from crm_research.core.errors import CRMInputError
from crm_research.course.build import CHECK_LINE, build_course, check_line, student_notebook
from crm_research.course.check import same_answer
from crm_research.course.exercises import EXERCISES
from crm_research.notebooks import find_notebooks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = find_notebooks(ROOT / "notebooks")

def _number(path: Path) -> str:
    return path.name.split("_")[0]


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _exercise_numbers(cell) -> list[int]:
    """The numbered items ('1. ...') of an exercise cell."""
    return [int(m) for m in re.findall(r"^(\d+)\. ", cell.source, flags=re.M)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_exercise_has_a_checked_solution(path):
    nb = nbformat.read(path, as_version=4)
    nn = _number(path)
    exercises = [c for c in nb.cells if "exercise" in _tags(c)]
    solutions = [c for c in nb.cells if "solution" in _tags(c) and c.cell_type == "code"]
    assert exercises, f"{path.name}: no cell tagged 'exercise'"
    numbers = sorted(n for c in exercises for n in _exercise_numbers(c))
    assert numbers, f"{path.name}: the exercise cell has no numbered exercises"
    checked = []
    for cell in solutions:
        m = check_line(cell)
        assert m, f"{path.name}: a solution cell does not end with assert crm.check(...):\n{cell.source[-300:]}"
        assert m["id"].startswith(f"{nn}."), f"{path.name}: solution checks {m['id']}, not an exercise of {nn}"
        assert m["id"] in EXERCISES, f"{path.name}: {m['id']} has no entry in course/exercises.py"
        assert cell.metadata.get("exercise") == m["id"]
        checked.append(int(m["id"].split(".")[1]))
    assert sorted(checked) == numbers, f"{path.name}: exercises {numbers}, checked solutions {sorted(checked)}"


def test_every_answer_key_entry_is_used_by_a_notebook():
    used = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if "solution" in _tags(cell) and cell.cell_type == "code" and (m := check_line(cell)):
                used.add(m["id"])
    assert set(EXERCISES) == used, f"unused entries: {sorted(set(EXERCISES) - used)}"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "pack"
    seeds = out.parent / "class.csv"
    seeds.write_text("student,seed\nsara_ahmadi,1401\nali-rezaei,7\n", encoding="utf-8")
    return build_course(out, seeds=seeds, slides=False, n_customers=300, n_orders=3000)


def test_student_copies_contain_no_solution(pack):
    english = [p for p in pack.student if p.parent.name == "student"]
    assert [p.name for p in english] == [p.name for p in NOTEBOOKS]
    persian = [p for p in pack.student if p.parent.name == "fa"]
    assert [p.name for p in persian] == [p.name for p in find_notebooks(ROOT / "notebooks" / "fa")]
    for student, source in [*zip(english, NOTEBOOKS), *((p, ROOT / "notebooks" / "fa" / p.name) for p in persian)]:
        nb = nbformat.read(student, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert not any("solution" in _tags(c) for c in nb.cells), student.name
        assert "assert crm.check(" not in text, student.name
        original = nbformat.read(source, as_version=4)
        lesson = "\n".join(c.source for c in original.cells if "solution" not in _tags(c))
        for cell in original.cells:
            if "solution" in _tags(cell):
                body = [ln for ln in cell.source.splitlines()
                        if ln.strip() and not CHECK_LINE.match(ln) and ln not in lesson]
                # the worked lines of a solution (not its check, not lines the lesson itself shows) are gone
                for line in body:
                    assert line not in text, f"{student.name} still contains solution line {line!r}"
        stubs = [c for c in nb.cells if "answer" in _tags(c)]
        n_solutions = sum("solution" in _tags(c) and c.cell_type == "code" for c in original.cells)
        assert len(stubs) == n_solutions
        assert all(" = ...\ncrm.check(" in c.source for c in stubs)


def test_solution_copies_fold_their_solutions(pack):
    for path in pack.solutions:
        for cell in nbformat.read(path, as_version=4).cells:
            if "solution" in _tags(cell) and cell.cell_type == "code":
                assert cell.metadata["jupyter"]["source_hidden"] is True


def test_personal_datasets_and_answer_key(pack):
    assert [p.name for p in pack.datasets] == ["sara_ahmadi", "ali-rezaei"]
    for folder in pack.datasets:
        assert (folder / "ecrm_survey.csv").is_file()
        assert (folder / "sample_company" / "transactions.csv.gz").is_file()
        assert not list((folder / "sample_company").glob("truth*")), "the truth goes to the instructor only"
    with pack.answer_key.open(encoding="utf-8") as fh:
        key = list(csv.DictReader(fh))
    seeds = {(r["student"], r["dataset"], r["parameter"]): r["value"] for r in key}
    assert seeds[("sara_ahmadi", "sample_company", "seed")] == "1401.0"
    assert seeds[("ali-rezaei", "sample_company", "seed")] == "7.0"
    assert float(seeds[("sara_ahmadi", "ecrm_survey", "LOY ~ SAT")]) == pytest.approx(0.55)
    a = (pack.datasets[0] / "ecrm_survey.csv").read_bytes()
    b = (pack.datasets[1] / "ecrm_survey.csv").read_bytes()
    assert a != b, "two students must get different data"


def test_a_bad_class_list_is_refused(tmp_path):
    bad = tmp_path / "class.csv"
    bad.write_text("student,seed\n../etc,1\n", encoding="utf-8")
    with pytest.raises(CRMInputError, match="folder name"):
        build_course(tmp_path / "out", seeds=bad, slides=False)
    bad.write_text("name,seed\nsara,1\n", encoding="utf-8")
    with pytest.raises(CRMInputError, match="'student' and 'seed'"):
        build_course(tmp_path / "out", seeds=bad, slides=False)
    assert not (tmp_path / "out").exists()


def test_an_existing_pack_is_not_overwritten_silently(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(CRMInputError, match="overwrite"):
        build_course(tmp_path / "out", slides=False)
    assert (tmp_path / "out" / "mine.txt").read_text(encoding="utf-8") == "keep"


def test_cli_writes_slides(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    (folder / NOTEBOOKS[0].name).write_bytes(NOTEBOOKS[0].read_bytes())
    pack = build_course(tmp_path / "pack", notebooks=folder)
    html = pack.slides[0].read_text(encoding="utf-8")
    assert "reveal" in html.lower() and html.count("<section") > 3
    assert main(["course", "--out", str(tmp_path / "cli"), "--no-slides"]) == 0
    assert len(list((tmp_path / "cli" / "student").glob("*.ipynb"))) == len(NOTEBOOKS)
    assert list((tmp_path / "cli" / "student" / "fa").glob("*.ipynb"))


def test_check_says_right_wrong_and_not_answered():
    right = crm.check("01.3", (38 / 8) ** 0.25 - 1)
    assert right and right.correct and right.answered
    wrong = crm.check("01.3", 0.5)
    assert not wrong and wrong.answered and "Hint" in repr(wrong)
    empty = crm.check("01.3", ...)
    assert not empty and not empty.answered
    with pytest.raises(CRMInputError, match="unknown exercise"):
        crm.check("99.9", 1)
    with pytest.raises(CRMInputError, match="company=company"):
        crm.check("00.1", (1, 2))


def test_same_answer_rules():
    assert same_answer(0.80157, 0.8016)
    assert not same_answer(0.805, 0.8016)
    assert same_answer({"SAT", "LOY"}, {"loy", "sat"})
    assert same_answer(("web", 20.0), ("Web", 20))
    assert not same_answer(1, True) and not same_answer(True, 1)
    assert not same_answer("weeks", 7)


def test_student_notebook_refuses_a_solution_without_check():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]})]
    with pytest.raises(CRMInputError, match="must end with"):
        student_notebook(nb)


@pytest.mark.notebooks
def test_a_student_copy_runs_top_to_bottom(pack):
    from crm_research.notebooks import execute_notebook

    nb = execute_notebook(pack.student[0], fast=True, timeout=600)
    outputs = "".join(str(o) for c in nb.cells if "answer" in _tags(c) for o in c.outputs)
    assert "not answered yet" in outputs


def _assigned_names(source: str) -> set[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_checks_need_only_what_the_lesson_defines(path):
    # the student copy has no solutions, so a check may only be given objects the lesson itself made
    import ast

    nb = nbformat.read(path, as_version=4)
    lesson = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and "solution" not in _tags(cell):
            source = "\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!")))
            lesson |= _assigned_names(source)
    for cell in nb.cells:
        if "solution" in _tags(cell) and (m := check_line(cell)):
            call = ast.parse(m.group(0).removeprefix("assert ")).body[0].value
            given = {kw.value.id for kw in call.keywords if isinstance(kw.value, ast.Name)}
            assert given <= lesson, f"{path.name} {m['id']}: {sorted(given - lesson)} are made only by the solution"
