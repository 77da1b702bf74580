"""The report's measurement model is the researcher's; tables never break a number; A4 thesis layout; citations.

The residual-covariance study adds ``LOY3 ~~ LOY4`` to the bundled e-CRM model; its reference values come
from lavaan/semTools (tests/reference/report_rescov.R, output in tests/reference/report/).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.data.datasets import dataset_path
from crm_research.report.docx_writer import CELL_MARGIN_PT, text_width_pt, unbreakable_tokens
from crm_research.report.sections import REFERENCES, _measurement_syntax, plain_reference

STUDY = dataset_path("ecrm_survey_study.yaml")
REF = Path(__file__).parent / "reference" / "report"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _rescov_study(tmp_path) -> Path:
    model = dataset_path("ecrm_survey_model.lav").read_text(encoding="utf-8")
    model = model.replace("DEL =~ DEL1 + DEL2 + DEL3", "DEL =~ DEL1 + DEL2 + DEL3\nLOY3 ~~ LOY4")
    (tmp_path / "model.lav").write_text(model, encoding="utf-8")
    text = STUDY.read_text(encoding="utf-8").replace(
        "file: ecrm_survey.sav", f"file: {dataset_path('ecrm_survey.sav')}").replace(
        "model: ecrm_survey_model.lav", "model: model.lav")
    path = tmp_path / "rescov.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rescov(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rescov")
    return crm.report(_rescov_study(folder), out=folder / "out", bootstrap=0, progress=False)


@pytest.fixture(scope="module")
def fa(tmp_path_factory):
    return crm.report(STUDY, out=tmp_path_factory.mktemp("fa") / "r", lang="fa", bootstrap=20, progress=False)


@pytest.fixture(scope="module")
def en(tmp_path_factory):
    return crm.report(STUDY, out=tmp_path_factory.mktemp("en") / "r", bootstrap=20, progress=False)


def test_measurement_model_keeps_residual_covariance(rescov):
    assert "LOY3 ~~ LOY4" in _measurement_syntax(rescov.study)
    est = rescov.cfa.estimates
    assert ((est["op"] == "~~") & (est["lhs"] == "LOY3") & (est["rhs"] == "LOY4")).any()
    # the same model through crm.cfa directly
    x = rescov.chapter.results["analysis_data"]
    direct = crm.cfa(x, _measurement_syntax(rescov.study), progress=False)
    assert rescov.cfa.fit_measures["chisq"] == pytest.approx(direct.fit_measures["chisq"], rel=1e-10)
    # the structural model is nested in the measurement model: its chi-square cannot be lower
    assert rescov.sem.fit_measures["chisq"] >= rescov.cfa.fit_measures["chisq"] - 1e-8


def test_common_latent_factor_uses_the_study_measurement_model(rescov):
    """The method factor is added to the study's own model (with LOY3 ~~ LOY4), as lavaan's clf.R fits it."""
    path = next(p for p in rescov.csv if p.name.endswith("_common_latent_factor.csv"))
    got = pd.read_csv(path, encoding="utf-8-sig").set_index("item")
    lav = pd.read_csv(Path(__file__).parent / "reference" / "inferential" / "clf_rescov_ecrm.csv").set_index("item")
    np.testing.assert_allclose(got["loading"], lav.loc[got.index, "loading"], atol=1e-4)
    np.testing.assert_allclose(got["loading_clf"], lav.loc[got.index, "loading_clf"], atol=1e-4)


def test_residual_covariance_study_equals_lavaan_semtools(rescov):
    fit = pd.read_csv(next(p for p in rescov.csv if p.name.endswith("_cfa_fit.csv")), encoding="utf-8-sig")
    ref = pd.read_csv(REF / "rescov_cfa_fit.csv").set_index("measure")["value"]
    got = fit.set_index("index")["value"]
    for name in ("df", "srmr"):
        assert got[name] == pytest.approx(ref[name], abs=1e-4), name
    assert got["chisq_ml"] == pytest.approx(ref["chisq"], abs=1e-4)
    # Mardia rejects normality, so the chapter's CFA is the MLR fit of the same model
    mlr = pd.read_csv(REF / "rescov_cfa_mlr_fit.csv").set_index("measure")["value"]
    for name in mlr.index:
        key = {"chisq": "chisq_ml"}.get(name, name.replace(".", "_"))
        assert got[key] == pytest.approx(mlr[name], abs=1e-4), name
    rel = rescov.reliability.reset_index().set_index("construct")
    ref_rel = pd.read_csv(REF / "rescov_reliability.csv").set_index("construct")
    for col in ("cr", "omega", "ave"):
        np.testing.assert_allclose(rel.loc[ref_rel.index, col], ref_rel[col], atol=1e-4, err_msg=col)
    load = rescov.tables["loadings"]
    ref_load = pd.read_csv(REF / "rescov_loadings.csv")
    np.testing.assert_allclose(load["std_all"], ref_load["est.std"], atol=1e-4)
    fl = rescov.fornell_larcker
    np.testing.assert_allclose(np.diag(fl[list(ref_rel.index)].loc[ref_rel.index]), ref_rel["sqrt_ave"], atol=1e-4)
    cor = pd.read_csv(REF / "rescov_cor_lv.csv").set_index("construct")
    assert fl.loc["SAT", "LOY"] == pytest.approx(cor.loc["SAT", "LOY"], abs=1e-4)


def _tables_with_widths(path):
    import docx

    doc = docx.Document(str(path))
    for table in doc.tables:
        grid = [int(g.get(W + "w")) / 20 for g in table._tbl.tblGrid.findall(W + "gridCol")]
        for row in table.rows:
            for j, cell in enumerate(row.cells):
                for p in cell.paragraphs:
                    for run in p.runs:
                        size = run.font.size.pt
                        bold = bool(run.bold)
                        yield run.text, grid[j], size, bold


@pytest.mark.parametrize("which", ["en", "fa"])
def test_no_cell_can_wrap_inside_a_number_or_word(which, request):
    rep = request.getfixturevalue(which)
    lang = rep.lang
    checked = 0
    for text, width, size, bold in _tables_with_widths(rep.docx):
        for token in unbreakable_tokens(text):
            need = text_width_pt(token, size, lang, bold=bold) + CELL_MARGIN_PT
            assert need <= width + 0.01, (token, need, width)
            checked += 1
    assert checked > 500


def test_a4_thesis_layout_and_persian_conventions(fa, en):
    import docx

    for rep in (en, fa):
        doc = docx.Document(str(rep.docx))
        sec = doc.sections[0]
        assert abs(sec.page_width.cm - 21.0) < 0.01 and abs(sec.page_height.cm - 29.7) < 0.01
        assert min(sec.left_margin.cm, sec.right_margin.cm) >= 2.49
        title = doc.styles["Title"].element.find(W + "rPr")
        assert title is None or title.find(W + "spacing") is None  # no letter spacing on joined script
    doc = docx.Document(str(fa.docx))
    bold = [r for p in doc.paragraphs for r in p.runs if r.bold]
    assert bold and all(r._r.rPr.find(W + "bCs") is not None for r in bold)
    # Persian p values keep the leading zero; Table 7's "n" is the number of items
    text = fa.html.read_text(encoding="utf-8")
    assert "٫۰" in text and "> ٫" not in text and ">٫" not in text
    assert "تعداد گویه‌ها" in text


def test_citations_true_and_complete(en, fa):
    text = en.html.read_text(encoding="utf-8")
    assert "accept convergent" not in text and "questionable" in text
    for rep in (en, fa):
        import docx

        refs = [p.text for p in docx.Document(str(rep.docx)).paragraphs if p.style.name == "Normal"
                and p.paragraph_format.first_line_indent is not None]
        assert refs == [plain_reference(r) for r in REFERENCES if plain_reference(r) in refs]
        assert any("Fornell" in r for r in refs) and any("Zhao" in r for r in refs)
    assert all("https://doi.org/" in r for r in REFERENCES if "*Journal" in r or "Research, " in r)
    assert "OPR → SAT → LOY" in text and "ind_OPR := a1*b1" not in text


def _docx_text(path):
    import docx

    doc = docx.Document(str(path))
    return [p.text for p in doc.paragraphs], doc


def test_chapter_sections_read_back_from_docx(en):
    from tests.test_report import docx_tables

    paras, _ = _docx_text(en.docx)
    for heading in ("Introduction", "4.1 Sample and data preparation", "4.4.2 Indirect (mediated) effects",
                    "4.4.3 Hypothesis tests", "4.5 Summary", "4.6 Method notes", "References"):
        assert heading in paras, heading
    assert "crm_research sample study · Faculty of Management, a sample university" in paras
    tables = docx_tables(en.docx)
    ind = tables["Indirect and total effects with bootstrap intervals"]
    assert ind["Effect"].tolist()[:3] == ["indirect", "direct", "total"]
    assert ind["Path"].iloc[0] == "OPR → SAT → LOY"
    med = crm.mediation_effects(en.sem)
    assert ind["Mediation type"].iloc[0] == crm.MEDIATION_TYPES[med["mediation"].iloc[0]][0]
    assert ind["B"].iloc[2] == f"{med['total_est'].iloc[0]:.3f}"
    hyp = tables["Results of the hypothesis tests"]
    assert hyp.set_index("Hypothesis").loc["H10", "Path"] == "OPR → SAT → LOY"
    # construct means and SDs equal item_descriptives of the construct scores
    study = en.study
    x = en.chapter.results["analysis_data"]
    scores = pd.DataFrame({c: x[its].mean(axis=1) for c, its in study.constructs.items()})
    ref = crm.item_descriptives(scores, list(study.constructs), scale=study.scale).table
    got = tables["Descriptive statistics of the constructs"].set_index("Construct")
    assert got["M"].tolist() == [f"{v:.2f}" for v in ref["mean"]]
    assert got.loc["SAT", "Name"] == "Customer satisfaction"
    # the continuous demographic is one row of mean/SD/range
    demo = tables["Demographic profile of the respondents"]
    tenure = demo[demo["Variable"].str.startswith("Years as a customer")]
    assert len(tenure) == 1 and tenure["Category"].iloc[0].startswith("M = ")
    # each unsupported hypothesis gets its own paragraph with its statement
    unsupported = en.hypotheses.loc[~en.hypotheses["supported"], "hypothesis"]
    for h in unsupported:
        assert any(p.startswith(f"{h} (") and "is not supported" in p for p in paras), h
    text = " ".join(paras)
    assert "therefore estimated by maximum likelihood" not in text
    assert "percentile" in text and "Fritz, Taylor, & MacKinnon, 2012" in text


def test_persian_path_diagram_digits(fa):
    import matplotlib.pyplot as plt

    from crm_research.report.sections import _persian_diagram

    fig, ax = plt.subplots()
    fa.sem.plot(ax=ax)
    assert "std_all" in ax.get_title()
    _persian_diagram(ax)
    labels = [t.get_text() for t in ax.texts]
    numbers = [t for t in labels if "٫" in t]
    assert len(numbers) >= 30  # loadings, paths, covariances, R²
    assert not any(ch.isascii() and ch.isdigit() for t in numbers for ch in t.replace("R²", ""))
    assert "std_all" not in ax.get_title() and "۰٫۰۵" in ax.get_title()
    plt.close(fig)


def test_every_citation_has_a_reference(en):
    import re

    paras, _ = _docx_text(en.docx)
    start = paras.index("References")
    body, refs = " ".join(paras[:start]), paras[start + 1:]
    notes = " ".join(t.note for t in en.chapter.tables)
    cites = set(re.findall(r"(?<![\w-])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:,| and| &| et al\.)[^()]{0,40}?\(?"
                           r"((?:19|20)\d\d)[);]", body + " " + notes))
    assert len(cites) >= 10
    for name, year in cites:
        assert any(r.startswith(name) and f"({year})" in r for r in refs), (name, year)
