"""Issue 16: the report's output folder and its CSV tables are safe (fast tests; no analysis is run)."""

from __future__ import annotations

import errno
import importlib
import os
from types import SimpleNamespace

import pandas as pd
import pytest

import crm_research as crm
from crm_research.cli import main
from crm_research.core.errors import CRMInputError
from crm_research.core.spreadsheet import neutralise_formulas, safe_cell
from crm_research.data.datasets import dataset_path
from crm_research.report.tables import write_csv_tables

STUDY = dataset_path("ecrm_survey_study.yaml")
# the package attribute crm_research.report is the report() function; the module is in sys.modules
report_module = importlib.import_module("crm_research.report")
sections = importlib.import_module("crm_research.report.sections")


class NotRun(Exception):
    pass


@pytest.fixture
def no_analysis(monkeypatch):
    """The analysis must not start: reaching it raises NotRun."""
    calls = []

    def fake(study, progress=True):
        calls.append(study)
        raise NotRun

    monkeypatch.setattr(sections, "build_chapter", fake)
    return calls


@pytest.fixture
def fake_analysis(monkeypatch):
    monkeypatch.setattr(sections, "build_chapter", lambda study, progress=True: object())


def hidden(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_read_only_output_folder_is_refused_before_the_analysis(tmp_path, no_analysis, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(report_module.tempfile, "mkdtemp", read_only)
    with pytest.raises(CRMInputError, match="read-only") as err:
        crm.report(STUDY, out=tmp_path / "out", progress=False)
    assert "Traceback" not in str(err.value)
    assert not no_analysis  # refused before minutes of analysis


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_output_folder_for_real(tmp_path, no_analysis):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(CRMInputError, match="cannot be written"):
            crm.report(STUDY, out=folder / "out", progress=False)
    finally:
        folder.chmod(0o755)
    assert not no_analysis


def test_full_disk_is_a_clean_error_and_leaves_no_hidden_folder(tmp_path, fake_analysis, monkeypatch):
    def full(chapter, study, folder):
        (folder / "report.docx").write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "report.docx"))

    monkeypatch.setattr(report_module, "_write_all", full)
    with pytest.raises(CRMInputError, match="the disk is full"):
        crm.report(STUDY, out=tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
    assert hidden(tmp_path) == []


def test_two_reports_into_one_folder(tmp_path, no_analysis):
    target = tmp_path / "out"
    with report_module._publish_lock(target):
        with pytest.raises(CRMInputError, match="Another crm-research report is being written"):
            crm.report(STUDY, out=target, progress=False)
    assert not no_analysis
    with pytest.raises(NotRun):  # released: the next report starts its analysis
        crm.report(STUDY, out=target, progress=False)
    assert hidden(tmp_path) == []


def test_leftovers_of_a_killed_report_are_cleaned_and_a_swapped_out_report_restored(tmp_path, no_analysis):
    stale = tmp_path / ".out.tmp-k1ll3d"
    (stale / "tables").mkdir(parents=True)
    (stale / "report.docx").write_bytes(b"half")
    swapped = tmp_path / ".out.old-abc" / "previous"
    swapped.mkdir(parents=True)
    (swapped / ".crm_report").write_text("written by crm_research.report\n")
    (tmp_path / ".other.tmp-keep").mkdir()  # another target's folder is not touched
    with pytest.raises(NotRun):
        crm.report(STUDY, out=tmp_path / "out", progress=False)
    assert hidden(tmp_path) == [".other.tmp-keep"]
    assert (tmp_path / "out" / ".crm_report").exists()


def test_cli_turns_file_system_errors_into_a_message(tmp_path, capsys, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system", str(tmp_path))

    monkeypatch.setattr(report_module.tempfile, "mkdtemp", read_only)
    code = main(["report", str(STUDY), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "read-only" in err and "Traceback" not in err


# -- formula injection -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+2", "@SUM(1+1)", "+cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")',
                                  "-2+3", "\t=1+2", "\r=1+2"])
def test_formula_cells_are_written_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-0.25", "+3", "-12%", "-", "1,234.5", -0.25, 3, "agree", "e=mc2", None])
def test_numbers_and_plain_text_are_unchanged(value):
    assert safe_cell(value) == value or (value is None and safe_cell(value) is None)


def test_csv_tables_of_the_report_neutralise_formulas(tmp_path):
    data = pd.DataFrame({"label": ["=1+2", "@SUM(1+1)", "agree"], "est": [-0.5, 0.25, 1.0],
                         "=cmd": ["-0.12", "x", "y"]})
    chapter = SimpleNamespace(tables=[SimpleNamespace(number=1, key="demo", data=data)])
    path = write_csv_tables(chapter, tmp_path)[0]
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["label"].tolist() == ["'=1+2", "'@SUM(1+1)", "agree"]
    assert back["est"].tolist() == [-0.5, 0.25, 1.0]  # numbers stay numbers
    assert list(back.columns) == ["label", "est", "'=cmd"]
    assert back["'=cmd"].tolist()[0] == "-0.12"  # a number written as text is not prefixed
    assert data.loc[0, "label"] == "=1+2"  # the chapter's table is not modified


def test_neutralise_formulas_keeps_the_frame(tmp_path):
    frame = pd.DataFrame({"a": pd.Categorical(["=x", "y"]), "b": [1, -2]})
    out = neutralise_formulas(frame)
    assert out["a"].tolist() == ["'=x", "y"] and out["b"].tolist() == [1, -2]
    assert frame["a"].tolist() == ["=x", "y"]


@pytest.mark.parametrize("error, code, words", [
    (OSError(errno.EIO, "Input/output error", "/data/x.csv"), 1, "Input/output error: /data/x.csv"),
    (KeyboardInterrupt(), 130, "interrupted"),
    (MemoryError(), 1, "out of memory"),
])
def test_cli_other_failures_are_messages_with_exit_codes(monkeypatch, capsys, error, code, words):
    cli = importlib.import_module("crm_research.cli")

    def fail(args):
        raise error

    monkeypatch.setattr(cli, "_cmd_report", fail)
    assert main(["report", str(STUDY)]) == code
    assert words in capsys.readouterr().err


def test_end_to_end_formulas_and_control_characters_in_spss_labels(tmp_path):
    """SPSS value labels with formulas and a vertical tab: the report is written, its CSV tables are inert."""
    import docx
    import pyreadstat

    data, meta = pyreadstat.read_sav(str(dataset_path("ecrm_survey.sav")))
    labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
    first = sorted(labels["gender"])
    labels["gender"][first[0]] = '=HYPERLINK("http://evil.example","x")'
    labels["gender"][first[1]] = "female\x0bزن"
    labels["education"] = {k: "@SUM(1+1)" if i == 0 else v for i, (k, v) in enumerate(labels["education"].items())}
    sav = tmp_path / "survey.sav"
    pyreadstat.write_sav(data, str(sav), column_labels=dict(zip(meta.column_names, meta.column_labels)),
                         variable_value_labels=labels)
    text = STUDY.read_text(encoding="utf-8")
    text = text.replace("file: ecrm_survey.sav", f"file: {sav}").replace(
        "model: ecrm_survey_model.lav", f"model: {dataset_path('ecrm_survey_model.lav')}")
    study = tmp_path / "study.yaml"
    study.write_text(text, encoding="utf-8")
    out = crm.report(study, out=tmp_path / "out", bootstrap=0, progress=False)
    docx.Document(str(out.docx))  # opens: no control character reached the XML
    cells = []
    for path in out.csv:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        cells += [str(c) for c in frame.columns] + frame.to_numpy().ravel().tolist()
    texts = [c for c in cells if "HYPERLINK" in c or "SUM(1+1)" in c]
    assert texts and all(c.startswith("'") for c in texts)
    assert not any(c.startswith(("=", "@")) for c in cells)
