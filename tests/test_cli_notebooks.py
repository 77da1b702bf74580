"""crm-research notebooks: both editions of the series (English, Persian under fa/) rendered with their index pages."""

from __future__ import annotations

import re

import nbformat
import pytest

import crm_research.notebooks as notebooks
from crm_research.cli import main
from crm_research.core.errors import CRMInputError


def _notebook(path, title, code):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(title), nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture
def series(tmp_path, monkeypatch):
    """A two-notebook series with a Persian edition, standing in for the repository's notebooks/."""
    root = tmp_path / "repo"
    _notebook(root / "notebooks" / "00_start.ipynb", "# 00 · Start here", "print(6 * 7)")
    _notebook(root / "notebooks" / "06b_survey.ipynb", "# 06b · The survey", "print('survey')")
    _notebook(root / "notebooks" / "fa" / "00_start.ipynb",
              '# ۰۰ · شروع کار\n\n<div dir="rtl">\n\nمتن فارسی\n\n</div>', "print(6 * 7)")
    monkeypatch.setattr(notebooks, "_repo_root", lambda: root)
    return root


def test_all_editions_with_linked_indexes(series, tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["notebooks", "--out", str(out), "--lang", "all", "--fast"]) == 0
    printed = capsys.readouterr().out
    assert "English and Persian editions" in printed and "Rendered 3 notebooks" in printed
    assert f"Open {(out / 'index.html').resolve()}" in printed

    english = (out / "index.html").read_text(encoding="utf-8")
    assert "<html lang='en' dir='ltr'>" in english
    assert "href='fa/index.html'" in english  # the English index links to the Persian one
    assert "06b &middot; The survey</a>" in english  # the number of a notebook between 06 and 07 stays 06b

    persian = (out / "fa" / "index.html").read_text(encoding="utf-8")
    assert "<html lang='fa' dir='rtl'>" in persian
    assert "<a href='fa/index.html' hreflang='fa' lang='fa' dir='rtl'>ویرایش فارسی</a>" in english
    assert "ویرایش فارسی" in persian and "href='../index.html'" in persian
    # Persian digits in the numbers, the title as the notebook has it, the date in the Solar Hijri calendar
    assert "۰۰ &middot; شروع کار</a>" in persian
    assert re.search("اجراشده در ۱[۳-۵][۰-۹]{2}/[۰-۱][۰-۹]/[۰-۳][۰-۹]، [۰-۲][۰-۹]:[۰-۵][۰-۹]", persian)  # Solar Hijri date
    assert "06b" not in persian  # the Persian edition has no 06b yet: only its own notebooks are listed

    page = (out / "fa" / "notebooks" / "00_start.html").read_text(encoding="utf-8")
    assert '<html lang="fa">' in page and "42" in page  # executed, and declared Persian
    assert '<html lang="en">' in (out / "notebooks" / "00_start.html").read_text(encoding="utf-8")


def test_persian_edition_alone(series, tmp_path, capsys):
    out = tmp_path / "site"
    runs = notebooks.build_notebooks(out, lang="fa", fast=True, progress=False)
    assert [(r.name, r.lang) for r in runs] == [("00_start", "fa")]
    assert runs[0].html == out / "fa" / "notebooks" / "00_start.html"
    assert runs[0].title == "۰۰ · شروع کار"
    assert not (out / "index.html").exists()  # the English edition was not asked for
    persian = (out / "fa" / "index.html").read_text(encoding="utf-8")
    assert "dir='rtl'" in persian and "../index.html" not in persian  # no link to an index not written


def test_cli_prints_the_persian_index_for_the_persian_edition(series, tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["notebooks", "--out", str(out), "--lang", "fa", "--only", "00"]) == 0
    printed = capsys.readouterr().out
    assert "(Persian edition)" in printed
    assert f"Open {(out / 'fa' / 'index.html').resolve()}" in printed


def test_english_is_the_default(series, tmp_path):
    out = tmp_path / "site"
    runs = notebooks.build_notebooks(out, only=["06"], fast=True, progress=False)
    assert [(r.name, r.lang) for r in runs] == [("06b_survey", "en")]
    assert not (out / "fa").exists()
    assert "fa/index.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_bad_requests_are_refused(series, tmp_path, capsys):
    with pytest.raises(CRMInputError, match="'lang' parameter of build_notebooks must be one of 'en', 'fa', 'all'"):
        notebooks.build_notebooks(tmp_path / "x", lang="persian")
    with pytest.raises(SystemExit):
        main(["notebooks", "--lang", "de"])
    assert "invalid choice: 'de'" in capsys.readouterr().err
    with pytest.raises(CRMInputError, match="'only' parameter of build_notebooks matched no notebook"):
        notebooks.build_notebooks(tmp_path / "x", lang="all", only=["99"])
    assert not (tmp_path / "x").exists()  # nothing written for a refused request
    # a series without a Persian edition: the CLI names the missing folder, nothing is executed
    for path in (series / "notebooks" / "fa").iterdir():
        path.unlink()
    (series / "notebooks" / "fa").rmdir()
    assert main(["notebooks", "--out", str(tmp_path / "y"), "--lang", "all"]) == 2
    err = capsys.readouterr().err
    assert "notebook folder" in err and "fa" in err and "does not exist" in err
    assert not (tmp_path / "y").exists()
