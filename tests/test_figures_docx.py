"""Figures and references in the Word chapter: DOIs never broken at a hyphen, figures sized for the page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from crm_research.report.docx_writer import _picture_width, write_docx  # noqa: E402
from crm_research.report.sections import Chapter, Figure, Paragraph  # noqa: E402

REFERENCE = ("Curran, P. J., West, S. G., & Finch, J. F. (1996). The robustness of test statistics to nonnormality "
             "and specification error in confirmatory factor analysis. *Psychological Methods, 1*(1), 16–29. "
             "https://doi.org/10.1037/1082-989X.1.1.16")


def test_reference_page_ranges_use_an_en_dash():
    from crm_research.report.sections import REFERENCES

    hyphenated = [ref for ref in REFERENCES if re.search(r"(, |pp\. )e?\d+-e?\d+[.)]", ref)]
    assert not hyphenated, hyphenated


def _png(width_in: float, height_in: float) -> bytes:
    fig = plt.figure(figsize=(width_in, height_in))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150)
    plt.close(fig)
    return buf.getvalue()


def _chapter(lang: str, png: bytes | None = None) -> Chapter:
    blocks = [Paragraph("Text.", "body"), Paragraph(REFERENCE, "reference")]
    if png is not None:
        blocks.append(Figure("demo", 1, "A figure", png))
    return Chapter("Title", lang, blocks)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_doi_hyphens_do_not_break(tmp_path, lang):
    path = write_docx(_chapter(lang), tmp_path / "c.docx")
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    # the DOI's hyphens are Word's non-breaking hyphens; the page range keeps its en dash (APA 7)
    assert "1082</w:t><w:noBreakHyphen/><w:t xml:space=\"preserve\">989X.1.1.16" in xml
    assert "16–29" in xml
    assert "1082-989X" not in xml
    # the italic journal title survives the split of the reference into runs
    assert "Psychological Methods, 1" in xml and "<w:i/>" in xml


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler render the DOCX")
def test_doi_stays_on_one_line_in_the_rendered_pdf(tmp_path):
    # a Persian chapter, the reference in a narrow line: LibreOffice used to cut the DOI after "1082-"
    path = write_docx(_chapter("fa"), tmp_path / "c.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "c.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "10.1037/1082-989X.1.1.16" in text


def test_figures_are_never_enlarged_nor_taller_than_the_page():
    assert _picture_width(_png(11, 7)) == pytest.approx(6.0)  # wide: the text width
    assert _picture_width(_png(4, 3)) == pytest.approx(4.0, abs=0.01)  # small: its own size
    tall = _picture_width(_png(5, 12))  # tall: no more than 8.2 inches high
    assert tall * 12 / 5 == pytest.approx(8.2, abs=0.01)


def test_figure_width_reaches_the_docx(tmp_path):
    path = write_docx(_chapter("en", _png(4, 3)), tmp_path / "c.docx")
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert 'cx="3657600"' in xml  # 4 inches in EMU (914400 per inch)


def _string_literals(path):
    """The string literals of a module (f-strings with '{}' for their fields), docstrings left out."""
    import ast

    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def test_persian_brackets_never_open_on_a_latin_word_followed_by_persian():
    # LibreOffice breaks a right-to-left line after '(' when a Latin word follows and Persian goes on
    # inside the bracket; the writer's left-to-right marks only cure all-Latin brackets such as (AVE)
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "crm_research" / "report"
    pattern = re.compile(r"\([A-Za-z][^()]*[\u0620-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc][^()]*\)")
    found = [(f.name, m.group(0)) for f in sorted(folder.glob("*.py")) for text in _string_literals(f)
             for m in pattern.finditer(text)]
    assert not found, found
