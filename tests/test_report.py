"""The thesis report: the DOCX and HTML show exactly the API's numbers; Persian layout; atomic output.

The reference values here are the toolkit's own public functions (crm.sem, crm.hypotheses,
crm.cfa, crm.construct_reliability, crm.item_descriptives) run directly on the same data; those
functions are checked against lavaan/psych/semTools in test_sem_lavaan.py and
test_reliability.py.  The report must not compute anything itself, only show these numbers.
"""

from __future__ import annotations

import importlib
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.cli import main
from crm_research.core.errors import CRMInputError
from crm_research.core.persian import normalize_digits
from crm_research.data.datasets import dataset_path
from crm_research.report.sections import REFERENCES, plain_reference

STUDY = dataset_path("ecrm_survey_study.yaml")
B = 50  # small bootstrap keeps the tests fast; the bundled study asks for 1,000
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def en(tmp_path_factory):
    return crm.report(STUDY, out=tmp_path_factory.mktemp("en") / "report", bootstrap=B, progress=False)


@pytest.fixture(scope="module")
def fa(tmp_path_factory):
    return crm.report(STUDY, out=tmp_path_factory.mktemp("fa") / "report", lang="fa", bootstrap=20,
                      progress=False)


@pytest.fixture(scope="module")
def api():
    """The same analysis straight from the public API (the survey as CSV, recoded by crm.recode_ecrm_survey)."""
    study = crm.load_study(STUDY)
    data = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    x = data[study.items].dropna()
    # Mardia rejects multivariate normality on these data, so the chapter estimates by MLR
    assert crm.mardia(x, study.items).p_skew < 0.05
    fit = crm.sem(x, study.model, estimator="MLR", bootstrap=B, seed=study.seed, progress=False)
    measurement = "\n".join(f"{c} =~ " + " + ".join(i) for c, i in study.constructs.items())
    return {
        "study": study, "data": data, "x": x, "sem": fit, "hyp": crm.hypotheses(fit, study.hypotheses),
        "cfa": crm.cfa(x, measurement, estimator="MLR", progress=False),
        "rel": crm.construct_reliability(x, study.constructs, scale=(1, 5)),
        "desc": crm.item_descriptives(x, study.items, scale=(1, 5)).table,
    }


def visible(text: str) -> str:
    """Text as it reads on the page: a bracket without the invisible left-to-right isolate the writer puts
    around it in Persian text, and a path's arrows between ordinary spaces (the writer glues a path with
    no-break spaces)."""
    text = text.replace("\u00a0→\u00a0", " → ").replace("\u00a0←\u00a0", " ← ")
    return re.sub("\u2066(\\([^()]*\\))\u2069", r"\1", text).strip()


def docx_tables(path):
    """{table title: DataFrame of cell texts} read back with python-docx, as a reader sees them.

    The writer's invisible left-to-right marks around bracketed Latin in Persian text are dropped.
    """
    import docx

    doc = docx.Document(str(path))
    body = doc.element.body
    out, last_title = {}, None
    tables = iter(doc.tables)
    for child in body.iterchildren():
        if child.tag == W_NS + "p":
            text = visible("".join(t.text or "" for t in child.iter(W_NS + "t")))
            if text:
                last_title = text
        elif child.tag == W_NS + "tbl":
            table = next(tables)
            rows = [[visible(c.text) for c in r.cells] for r in table.rows]
            out[last_title] = pd.DataFrame(rows[1:], columns=rows[0])
    return out


def num(text):
    text = normalize_digits(text.replace("٫", ".").replace("−", "-").replace("\u200e", "")).strip()
    return float(text)


def test_files_written(en):
    assert en.docx.is_file() and en.html.is_file()
    assert len(en.csv) == len(en.chapter.tables) >= 14
    assert all(p.is_file() for p in en.csv + en.figures)
    # UTF-8 with a byte-order mark, so Excel opens Persian text correctly
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in en.csv)
    assert (en.out / "study.yaml").is_file() and (en.out / "model.lav").is_file()
    assert not list(en.out.parent.glob(".report.tmp-*"))


def test_docx_hypotheses_table_equals_api(en, api):
    tables = docx_tables(en.docx)
    hyp = tables["Results of the hypothesis tests"]
    ref = api["hyp"]
    assert hyp["Hypothesis"].tolist() == ref["hypothesis"].tolist()
    assert hyp["β"].tolist() == [f"{v:.3f}" for v in ref["beta"]]
    assert hyp["B"].tolist() == [f"{v:.3f}" for v in ref["est"]]
    np.testing.assert_allclose([num(v) for v in hyp["95% CI lower"]], ref["ci_low"], atol=5e-4)
    np.testing.assert_allclose([num(v) for v in hyp["95% CI upper"]], ref["ci_high"], atol=5e-4)
    expected = ["supported" if s else "not supported" for s in ref["supported"]]
    assert hyp["Result"].tolist() == expected
    for cell, p in zip(hyp["p"], ref["pvalue"]):
        assert cell == ("<\u00a0.001" if p < 0.001 else f"{p:.3f}".lstrip("0"))  # no-break space
    # the CSV holds the same numbers at full precision
    csv = pd.read_csv(next(p for p in en.csv if p.name.endswith("_hypotheses.csv")), encoding="utf-8-sig")
    np.testing.assert_allclose(csv[["est", "beta", "ci_low", "ci_high"]], ref[["est", "beta", "ci_low",
                                                                                "ci_high"]], rtol=1e-12)


def test_docx_measurement_tables_equal_api(en, api):
    tables = docx_tables(en.docx)
    fit = tables["Fit indices of the measurement model (CFA)"].set_index("Index")
    fm = api["cfa"].fit_measures
    # MLR: the scaled χ² and lavaan's robust indices (cfi.robust, tli.robust, rmsea.robust)
    for name, key in [("Robust CFI", "cfi_robust"), ("Robust TLI", "tli_robust"), ("Robust RMSEA", "rmsea_robust"),
                      ("SRMR", "srmr"), ("χ² (ML)", "chisq"), ("Scaled χ² (Yuan-Bentler)", "chisq_scaled"),
                      ("Scaling factor", "chisq_scaling_factor")]:
        assert fit.loc[name, "Value"] == f"{fm[key]:.3f}", name
    assert fit.loc["p (scaled χ²)", "Value"] == f"{fm['pvalue_scaled']:.3f}".lstrip("0")
    assert fit.loc["df", "Value"] == str(int(fm["df"]))
    assert fit.loc["Robust CFI", "Verdict"] == ("good" if fm["cfi_robust"] >= 0.95 else "acceptable"
                                                if fm["cfi_robust"] >= 0.9 else "poor")
    assert "CFI" not in fit.index  # the normal-theory indices are not the ones to read under MLR
    rel = tables["Reliability and convergent validity"].set_index("Construct")
    for c, row in api["rel"].iterrows():
        assert rel.loc[c, "Cronbach's α"] == f"{row['alpha']:.3f}"
        assert rel.loc[c, "CR"] == f"{row['cr']:.3f}"
        assert rel.loc[c, "AVE"] == f"{row['ave']:.3f}"
    load = tables["Factor loadings of the measurement model"]
    est = api["cfa"].estimates
    ref = est[est["op"] == "=~"]
    assert load["Item"].tolist() == ref["rhs"].tolist()
    assert load["Std. loading"].tolist() == [f"{v:.3f}" for v in ref["std_all"]]


def test_docx_sample_and_items_equal_api(en, api):
    tables = docx_tables(en.docx)
    desc = tables["Descriptive statistics of the items"].set_index("Item")
    for item, row in api["desc"].iterrows():
        assert desc.loc[item, "M"] == f"{row['mean']:.2f}"
        assert desc.loc[item, "SD"] == f"{row['sd']:.2f}"
        assert desc.loc[item, "Skewness"] == f"{row['skewness']:.2f}"
    demo = tables["Demographic profile of the respondents"]
    female = demo[demo["Category"] == "female"]
    counts = api["data"].loc[api["x"].index, "gender"].value_counts()
    assert int(female["n"].iloc[0]) == counts[1]
    assert female["%"].iloc[0] == f"{100 * counts[1] / len(api['x']):.1f}"
    paths = tables["Structural path coefficients"]
    ref = api["sem"].estimates.query("op == '~'")
    assert paths["β"].tolist() == [f"{v:.3f}" for v in ref["std_all"]]
    r2 = tables["Explained variance (R²) of the endogenous constructs"].set_index("Construct")
    for c in ("SAT", "LOY", "DEL"):
        assert r2.loc[c, "R²"] == f"{api['sem'].r2[c]:.3f}"


def test_docx_apa_table_layout(en):
    import docx

    doc = docx.Document(str(en.docx))
    table = doc.tables[0]._tbl
    borders = table.tblPr.find(W_NS + "tblBorders")
    assert borders.find(W_NS + "insideV").get(W_NS + "val") == "nil"
    assert borders.find(W_NS + "top").get(W_NS + "val") == "single"
    texts = [p.text for p in doc.paragraphs]
    assert "Table 1" in texts
    title = doc.paragraphs[texts.index("Table 1") + 1]
    assert title.runs[0].italic


def test_html_well_formed_and_self_contained(en):
    text = en.html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    root = ET.fromstring(text.split("\n", 1)[1])  # raises on malformed markup
    ns = "{http://www.w3.org/1999/xhtml}"
    assert root.get("lang") == "en" and root.get("dir") == "ltr"
    assert len(list(root.iter(ns + "table"))) == len(en.chapter.tables)
    images = list(root.iter(ns + "img"))
    assert len(images) == len(en.figures)
    assert all(img.get("src").startswith("data:image/png;base64,") for img in images)
    assert "Results of the hypothesis tests" in text


def test_persian_docx_is_rtl_with_persian_digits(fa):
    import docx

    doc = docx.Document(str(fa.docx))
    body_paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    rtl = [p for p in body_paragraphs if p._p.pPr is not None and p._p.pPr.find(W_NS + "bidi") is not None]
    # every paragraph except the (English) reference list is right-to-left
    refs = [p.text for p in body_paragraphs if p not in rtl]
    assert refs and set(refs) <= {plain_reference(r) for r in REFERENCES}
    assert any(r._r.rPr is not None and r._r.rPr.find(W_NS + "rtl") is not None for r in rtl[3].runs)
    for table in doc.tables:
        assert table._tbl.tblPr.find(W_NS + "bidiVisual") is not None
    fonts = doc.styles["Normal"].element.rPr.find(W_NS + "rFonts")
    assert fonts.get(W_NS + "cs") == "B Nazanin"
    tables = docx_tables(fa.docx)
    hyp = tables["نتایج آزمون فرضیه‌ها"]
    assert hyp["فرضیه"].tolist()[:2] == ["H۱", "H۲"]
    beta = hyp["β"].tolist()
    assert all(not any(ch.isascii() and ch.isdigit() for ch in cell) for cell in beta)
    assert "۰" in "".join(beta) or "٫" in "".join(beta)
    # the numbers are the same as in the English report (same data, same model)
    ref = fa.hypotheses
    np.testing.assert_allclose([num(v) for v in beta], ref["beta"].round(3), atol=1e-9)


def test_persian_html(fa):
    text = fa.html.read_text(encoding="utf-8")
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.get("dir") == "rtl" and root.get("lang") == "fa"
    assert "فصل چهارم" in text and "۴-۳ مدل اندازه‌گیری" in text


def test_same_seed_same_numbers(en, tmp_path):
    again = crm.report(STUDY, out=tmp_path / "again", bootstrap=B, progress=False)
    for a, b in zip(en.csv, again.csv):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes(), a.name


def test_failed_run_leaves_nothing_half_written(tmp_path, monkeypatch, en):
    hw = importlib.import_module("crm_research.report.html_writer")

    def broken(chapter, path):
        path.write_text("<html>half", encoding="utf-8")
        raise RuntimeError("disk full")

    monkeypatch.setattr(hw, "write_html", broken)
    target = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk full"):
        crm.report(STUDY, out=target, bootstrap=0, progress=False)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    # an earlier report in the target is kept intact when a rerun fails
    before = {p.name: p.read_bytes() for p in en.out.iterdir() if p.is_file()}
    with pytest.raises(RuntimeError):
        crm.report(STUDY, out=en.out, bootstrap=0, progress=False)
    assert {p.name: p.read_bytes() for p in en.out.iterdir() if p.is_file()} == before
    assert not [p for p in en.out.parent.iterdir() if p.name.startswith(".report.")]


def test_refuses_foreign_folder(tmp_path):
    (tmp_path / "thesis.docx").write_text("my own work", encoding="utf-8")
    with pytest.raises(CRMInputError, match="not written by crm-research report"):
        crm.report(STUDY, out=tmp_path, bootstrap=0, progress=False)
    assert (tmp_path / "thesis.docx").read_text(encoding="utf-8") == "my own work"


def test_bad_arguments():
    with pytest.raises(CRMInputError, match="'lang' parameter of report"):
        crm.report(STUDY, lang="de")
    with pytest.raises(CRMInputError, match="at least 10"):
        crm.report(STUDY, bootstrap=3)
    with pytest.raises(CRMInputError, match="study file path or a Study"):
        crm.report(42)


def test_result_object(en):
    assert en.to_frame().equals(en.hypotheses)
    assert "Results of the hypothesis tests" in en.summary().as_text()
    assert "<table" in en._repr_html_()


def test_cli_report(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["report", str(STUDY), "--out", str(out), "--lang", "fa", "--bootstrap", "0"]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and (out / "report.docx").is_file()
    assert main(["report", str(tmp_path / "missing.yaml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def _pls_study(tmp_path, resamples=30):
    text = STUDY.read_text(encoding="utf-8")
    text = text.replace("estimator: CB-SEM", "estimator: PLS-SEM").replace(
        "file: ecrm_survey.sav", f"file: {dataset_path('ecrm_survey.sav')}").replace(
        "model: ecrm_survey_model.lav", f"model: {dataset_path('ecrm_survey_model.lav')}").replace(
        "resamples: 1000", f"resamples: {resamples}")
    path = tmp_path / "pls_study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_pls_report_equals_pls_sem(tmp_path, api):
    rep = crm.report(_pls_study(tmp_path), out=tmp_path / "pls", progress=False)
    assert rep.pls is not None and rep.sem is None
    ref = crm.pls_sem(api["x"], api["study"].model, bootstrap=30, seed=api["study"].seed, missing="listwise",
                      progress=False)
    tables = docx_tables(rep.docx)
    paths = tables["Structural path coefficients (PLS-SEM)"]
    assert paths["β"].tolist() == [f"{v:.3f}" for v in ref.paths["est"]]
    assert paths["p"].tolist() == [("<\u00a0.001" if p < 0.001 else f"{p:.3f}".lstrip("0")) for p in ref.paths["pvalue"]]
    rel = tables["Reliability and convergent validity"].set_index("Construct")
    for _, row in ref.reliability.iterrows():
        assert rel.loc[row["construct"], "ρC (CR)"] == f"{row['rho_c']:.3f}"
        assert rel.loc[row["construct"], "AVE"] == f"{row['ave']:.3f}"
    hyp = tables["Results of the hypothesis tests"]
    assert hyp["Hypothesis"].tolist() == list(api["study"].hypotheses)
    ref_hyp = crm.hypotheses(ref, api["study"].hypotheses)
    assert hyp["β"].tolist() == [f"{v:.3f}" for v in ref_hyp["beta"]]
    assert hyp["Result"].tolist() == ["supported" if s else "not supported" for s in ref_hyp["supported"]]
    assert set(ref_hyp["interval"]) == {"bootstrap percentile"}
    assert hyp.set_index("Hypothesis").loc["H10", "Path"] == "OPR → SAT → LOY"
    ind = tables["Indirect and total effects with bootstrap intervals"]
    assert ind["B"].iloc[0] == f"{ref.estimates.set_index('lhs').loc['ind_OPR', 'est']:.3f}"


def test_pls_chapter_q2_gof_ipma_mga_equal_api(tmp_path, api):
    """The SmartPLS chapter: Q² (blindfolding, PLSpredict), GoF with its caveat, IPMA and MGA when asked."""
    path = _pls_study(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("estimator: PLS-SEM",
                                                             "estimator: PLS-SEM\nipma: LOY\nmga: gender"),
                    encoding="utf-8")
    en_rep = crm.report(path, out=tmp_path / "en", progress=False)
    fa_rep = crm.report(path, out=tmp_path / "fa", lang="fa", progress=False)
    study, x = en_rep.study, api["x"]
    ref = crm.pls_sem(x, study.model, bootstrap=30, seed=study.seed, missing="listwise", progress=False)
    t_en, t_fa = docx_tables(en_rep.docx), docx_tables(fa_rep.docx)
    bf = ref.blindfolding(7)  # 282 respondents: D = 7 does not divide the sample
    pred = ref.predict(folds=10, repeats=1, seed=study.seed)
    q2 = t_en["Predictive relevance: blindfolding Q² and PLSpredict Q²predict"].set_index("Construct")
    for _, r in bf.iterrows():
        assert q2.loc[r["construct"], "Q² (blindfolding)"] == f"{r['q2']:.3f}"
        assert q2.loc[r["construct"], "Reading"] == r["predictive_relevance"]
    for _, r in pred.constructs.iterrows():
        assert q2.loc[r["construct"], "Q²predict"] == f"{r['q2_predict']:.3f}"
    q2_fa = t_fa["ربط پیش‌بین: Q² بلایندفولدینگ و Q²predict"]
    np.testing.assert_allclose([_fa_num(v) for v in q2_fa["Q² بلایندفولدینگ"]], bf["q2"].round(3))
    # SmartPLS's model fit with the Bollen-Stine HI95/HI99 of the estimated model (same resamples and seed)
    mf = ref.model_fit()
    exact = ref.fit_test(bootstrap=30, seed=study.seed, progress=False).table
    exact = exact[exact["model"] == "estimated"].set_index("measure")
    fit_en = t_en["Model fit of the PLS path model: SRMR, d_ULS, d_G and NFI"].set_index("Index")
    for m in ["SRMR", "d_ULS", "d_G", "NFI"]:
        assert fit_en.loc[m, "Saturated model"] == f"{mf.loc[m, 'saturated']:.3f}"
        assert fit_en.loc[m, "Estimated model"] == f"{mf.loc[m, 'estimated']:.3f}"
    for m in ["SRMR", "d_ULS", "d_G"]:
        assert fit_en.loc[m, "HI95"] == f"{exact.loc[m, 'hi95']:.3f}"
        assert fit_en.loc[m, "HI99"] == f"{exact.loc[m, 'hi99']:.3f}"
        assert fit_en.loc[m, "Exact fit (5%)"] == ("rejected" if exact.loc[m, "rejected"] else "not rejected")
    assert fit_en.loc["NFI", "HI95"] == ""
    fit_fa = t_fa["برازش مدل مسیر PLS به روش SmartPLS"].set_index("شاخص")
    np.testing.assert_allclose([_fa_num(v) for v in fit_fa["HI95"].iloc[:3]], exact["hi95"].round(3))
    items = t_en["PLSpredict: out-of-sample prediction errors of the indicators"]
    assert items["Item"].tolist() == pred.items["item"].tolist()
    assert items["RMSE PLS"].tolist() == [f"{v:.3f}" for v in pred.items["rmse_pls"]]
    assert items["RMSE LM"].tolist() == [f"{v:.3f}" for v in pred.items["rmse_lm"]]
    import docx

    text = " ".join(p.text for p in docx.Document(str(en_rep.docx)).paragraphs)
    assert f"GoF = {ref.gof()['gof']:.3f}" in text and "not a goodness-of-fit index" in text
    assert "Henseler and Sarstedt (2013)" in text and "(Hair, Risher, et al., 2019)" in " ".join(
        t.note for t in en_rep.chapter.tables)
    # IPMA of the study's target construct
    ip = crm.ipma(ref, "LOY", scale=(1, 5)).constructs
    got = t_en["Importance-performance map"]
    assert got["Construct"].tolist() == ip["construct"].tolist()
    assert got["Importance"].tolist() == [f"{v:.3f}" for v in ip["importance"]]
    assert got["Performance"].tolist() == [f"{v:.1f}" for v in ip["performance"]]
    got_fa = t_fa["نقشه اهمیت-عملکرد"]
    np.testing.assert_allclose([_fa_num(v) for v in got_fa["عملکرد"]], ip["performance"].round(1))
    assert any(f.key == "ipma" for f in en_rep.chapter.figures)
    # MGA between the gender groups: permutations = the study's resamples, same seed
    frame = x.copy()
    frame["gender"] = api["data"].loc[x.index, "gender"].to_numpy()
    mga = crm.pls_mga(frame, study.model, "gender", permutations=30, seed=study.seed, progress=False).paths
    got = t_en["Multi-group analysis of the path coefficients"]
    assert list(got.columns[1:3]) == ["female", "male"]
    assert got["female"].tolist() == [f"{v:.3f}" for v in mga["est_1"]]
    assert got["Difference"].tolist() == [f"{v:.3f}" for v in mga["diff"]]
    assert got["p"].tolist() == [("<\u00a0.001" if p < 0.001 else f"{p:.3f}".lstrip("0")) for p in mga["pvalue"]]
    got_fa = t_fa["تحلیل چندگروهی ضرایب مسیر"]
    assert list(got_fa.columns[1:3]) == ["زن", "مرد"]
    np.testing.assert_allclose([_fa_num(v) for v in got_fa["اختلاف"]], mga["diff"].round(3))
    for heading in ("4.4.4 Importance-performance map analysis (IPMA)", "4.4.5 Multi-group analysis (MGA)"):
        assert heading in [p.text for p in docx.Document(str(en_rep.docx)).paragraphs]
    assert "۴-۴-۵ تحلیل چندگروهی (MGA)" in [visible(p.text) for p in docx.Document(str(fa_rep.docx)).paragraphs]
    assert t_en["Results of the hypothesis tests"].columns[4] == "t"
    refs = _citations_two_way(en_rep)
    for start in ("Shmueli, G.", "Tenenhaus, M.", "Henseler, J., & Sarstedt", "Ringle, C. M.", "Chin, W. W.",
                  "Henseler, J., Ringle, C. M., & Sarstedt, M. (2016)", "Hair, J. F., Risher", "Dijkstra, T. K.",
                  "Bollen, K. A."):
        assert any(r.startswith(start) for r in refs), start
    # the PLS chapter's tables never break a number or a word either (font metrics, as test_report_layout)
    from crm_research.report.docx_writer import CELL_MARGIN_PT, text_width_pt, unbreakable_tokens
    from tests.test_report_layout import _tables_with_widths

    for rep in (en_rep, fa_rep):
        for cell, width, size, bold in _tables_with_widths(rep.docx):
            for token in unbreakable_tokens(cell):
                assert text_width_pt(token, size, rep.lang, bold=bold) + CELL_MARGIN_PT <= width + 0.01, token


def test_pls_needs_bootstrap(tmp_path):
    with pytest.raises(CRMInputError, match="key 'bootstrap.resamples'.*PLS-SEM"):
        crm.report(_pls_study(tmp_path, resamples=0), out=tmp_path / "pls", progress=False)


# --- golden values: the report's numbers for the sample study equal R's ---------------------------
# tests/reference/sem_lavaan.R (lavaan 0.6-14: sem() of datasets/ecrm_survey_model.lav, listwise) and
# tests/reference/psychometrics.R (psych 2.2.9 describe/mardia/alpha, semTools 0.5-6 compRelSEM/htmt,
# lavaan cfa) wrote these files from the same survey.
def _ref(*parts):
    from pathlib import Path

    return pd.read_csv(Path(__file__).resolve().parent / "reference" / Path(*parts))


def _csv(rep, key):
    path = next(p for p in rep.csv if p.name.endswith(f"_{key}.csv"))
    return pd.read_csv(path, encoding="utf-8-sig")


def test_structural_numbers_equal_lavaan(en):
    # Mardia rejects normality: the report fits by MLR, compared with lavaan's sem(estimator = "MLR")
    fit = _csv(en, "sem_fit").set_index("index")["value"]
    ref = _ref("sem_robust", "ecrm_mlr_fit.csv").set_index("measure")["value"]
    for name, key in (("chisq_ml", "chisq"), ("df", "df"), ("chisq_scaled", "chisq.scaled"),
                      ("pvalue_scaled", "pvalue.scaled"), ("chisq_scaling_factor", "chisq.scaling.factor"),
                      ("cfi_robust", "cfi.robust"), ("tli_robust", "tli.robust"), ("rmsea_robust", "rmsea.robust"),
                      ("srmr", "srmr")):
        assert fit[name] == pytest.approx(ref[key], rel=1e-5, abs=1e-8), name
    est = _ref("sem_robust", "ecrm_mlr_estimates.csv")
    reg = est[est["op"] == "~"]
    paths = _csv(en, "paths")
    # both optimisers stop at their own convergence tolerance: agreement is ~3e-6, far below the
    # three decimals the report prints (test_sem_lavaan.py holds the SEM layer to 5e-4)
    np.testing.assert_allclose(paths["est"], reg["est"], atol=1e-5)
    np.testing.assert_allclose(paths["se"], reg["se"], atol=1e-5)
    np.testing.assert_allclose(paths["std_all"], reg["std.all"], atol=1e-5)
    defined = est[est["op"] == ":="]
    indirect = _csv(en, "indirect")  # one row per mediation chain: indirect, direct and total effect
    ref_def = defined.set_index("lhs")["est"]
    np.testing.assert_allclose(indirect["est"], ref_def.loc[indirect["effect"]], atol=1e-5)
    np.testing.assert_allclose(indirect["total_est"], ref_def.loc[indirect["total"]], atol=1e-5)
    r2 = _ref("sem", "ecrm_sem_r2.csv").set_index("variable")["r2"]
    got = _csv(en, "r2").set_index("construct")["r2"]
    np.testing.assert_allclose(got, r2.loc[got.index], atol=1e-5)


def test_measurement_numbers_equal_lavaan_psych_semtools(en):
    fit = _csv(en, "cfa_fit").set_index("index")["value"]
    ref = _ref("psychometrics", "ecrm_cfa_fit.csv").set_index("measure")["value"]
    assert fit["chisq_ml"] == pytest.approx(ref["chisq"], rel=1e-6)
    assert fit["srmr"] == pytest.approx(ref["srmr"], rel=1e-6)
    # the MLR statistics of the same CFA (tests/reference/report_structural.R)
    mlr = _ref("report", "ecrm_cfa_mlr_fit.csv").set_index("measure")["value"]
    for name in mlr.index:
        key = {"chisq": "chisq_ml"}.get(name, name.replace(".", "_"))
        assert fit[key] == pytest.approx(mlr[name], rel=1e-5), name
    rel = _csv(en, "reliability").set_index("construct")
    cr = _ref("psychometrics", "ecrm_construct_reliability.csv").set_index("construct")
    for col in ("omega", "cr", "ave"):
        np.testing.assert_allclose(rel.loc[cr.index, col], cr[col], rtol=1e-5)
    alpha = _ref("psychometrics", "ecrm_alpha.csv").set_index("construct")
    np.testing.assert_allclose(rel.loc[alpha.index, "alpha"], alpha["alpha"], rtol=1e-8)
    load = _csv(en, "loadings")
    ref_load = _ref("psychometrics", "ecrm_cfa_loadings.csv")
    np.testing.assert_allclose(load["std_all"], ref_load["std_loading"], rtol=1e-5)
    ht = _csv(en, "htmt").set_index("construct")
    ref_ht = _ref("psychometrics", "ecrm_htmt2.csv").set_index("construct")
    np.testing.assert_allclose(ht.loc[ref_ht.index, ref_ht.columns], ref_ht, rtol=1e-8)
    desc = _csv(en, "item_descriptives").set_index("item")
    ref_desc = _ref("psychometrics", "ecrm_describe.csv").set_index("item")
    np.testing.assert_allclose(desc.loc[ref_desc.index, "mean"], ref_desc["mean"], rtol=1e-10)
    np.testing.assert_allclose(desc.loc[ref_desc.index, "sd"], ref_desc["sd"], rtol=1e-8)
    np.testing.assert_allclose(desc.loc[ref_desc.index, "skewness"], ref_desc["skew2"], rtol=1e-8)
    np.testing.assert_allclose(desc.loc[ref_desc.index, "kurtosis"], ref_desc["kurt2"], rtol=1e-8)
    mardia = _csv(en, "mardia").set_index("mardia")
    ref_m = _ref("psychometrics", "ecrm_mardia.csv").iloc[0]
    assert mardia.loc["skewness", "statistic"] == pytest.approx(ref_m["b1p"], rel=1e-8)
    assert mardia.loc["kurtosis", "statistic"] == pytest.approx(ref_m["b2p"], rel=1e-8)
    assert mardia.loc["kurtosis", "pvalue"] == pytest.approx(ref_m["p_kurt"], rel=1e-6)


def test_fiml_report_equals_sem_fiml(tmp_path, api):
    text = STUDY.read_text(encoding="utf-8").replace(
        "file: ecrm_survey.sav", f"file: {dataset_path('ecrm_survey.sav')}").replace(
        "model: ecrm_survey_model.lav", f"model: {dataset_path('ecrm_survey_model.lav')}")
    text = text.replace("policy: listwise", "policy: fiml  #")
    path = tmp_path / "fiml.yaml"
    path.write_text(text, encoding="utf-8")
    rep = crm.report(path, out=tmp_path / "out", bootstrap=0, progress=False)
    # a FIML fit is bootstrapped too (each resample refitted by FIML)
    boot = crm.report(path, out=tmp_path / "boot", bootstrap=10, progress=False)
    assert boot.sem.boot_n == 10 and set(boot.hypotheses["interval"]) == {"bootstrap percentile"}
    assert "refitted by FIML" in boot.html.read_text(encoding="utf-8")
    study = api["study"]
    items = api["data"][study.items].dropna(how="all")
    # Mardia rejects normality on the complete respondents: FIML with robust standard errors (MLR)
    assert rep.chapter.results["estimator"] == "MLR"
    ref = crm.hypotheses(crm.sem(items, study.model, missing="fiml", estimator="MLR"), study.hypotheses)
    hyp = docx_tables(rep.docx)["Results of the hypothesis tests"]
    assert hyp["β"].tolist() == [f"{v:.3f}" for v in ref["beta"]]
    assert hyp["Result"].tolist() == ["supported" if s else "not supported" for s in ref["supported"]]
    assert int(rep.sem.fit_measures["n"]) == len(items) == 400
    assert "full-information maximum likelihood" in rep.html.read_text(encoding="utf-8")


def _fa_num(text):
    """A Persian cell as a float; the cell must hold Persian digits only (no Latin digit)."""
    assert not any(ch.isascii() and ch.isdigit() for ch in text), text
    return num(text)


def test_construct_tests_equal_api(en, fa, api):
    """4.2.1-4.2.3: one-sample t-tests, Friedman ranking, group comparisons, read back from the DOCX."""
    study, x = api["study"], api["x"]
    scores = crm.construct_scores(x, study.constructs)
    one = crm.one_sample_test(scores, list(study.constructs), mu=3, scale=(1, 5)).table
    fr = crm.friedman_ranking(scores, list(study.constructs))
    t_en, t_fa = docx_tables(en.docx), docx_tables(fa.docx)
    got = t_en["One-sample t-tests of the construct means against the scale midpoint"].set_index("Construct")
    for c, r in one.iterrows():
        assert got.loc[c, "t"] == f"{r['statistic']:.2f}"
        assert got.loc[c, "df"] == str(int(r["df"]))
        assert got.loc[c, "Difference"] == f"{r['mean_diff']:.2f}"
        assert got.loc[c, "95% CI lower"] == f"{r['ci_low']:.2f}" and got.loc[c, "95% CI upper"] == f"{r['ci_high']:.2f}"
        assert got.loc[c, "Cohen's d"] == f"{r['cohen_d']:.2f}"
        assert got.loc[c, "p"] == ("<\u00a0.001" if r["p"] < 0.001 else f"{r['p']:.3f}".lstrip("0"))
    got_fa = t_fa["آزمون t تک‌نمونه‌ای میانگین سازه‌ها در مقایسه با میانه طیف"].set_index("سازه")
    np.testing.assert_allclose([_fa_num(v) for v in got_fa["t"]], one["statistic"].round(2), atol=1e-9)
    assert got_fa["p"].iloc[0] == "<\u00a0۰٫۰۰۱"  # Persian keeps the leading zero
    ranks = t_en["Friedman test: mean ranks of the constructs"]
    assert ranks["Construct"].tolist() == fr.ranks.index.tolist()
    assert ranks["Mean rank"].tolist() == [f"{v:.2f}" for v in fr.ranks["mean_rank"]]
    ranks_fa = t_fa["آزمون فریدمن: میانگین رتبه سازه‌ها"]
    np.testing.assert_allclose([_fa_num(v) for v in ranks_fa["میانگین رتبه"]], fr.ranks["mean_rank"].round(2))
    note = next(t.note for t in en.chapter.tables if t.key == "friedman")
    assert f"χ²({int(fr.test['df'].iloc[0])}) = {fr.test['chisq'].iloc[0]:.2f}" in note
    # group comparisons named in the study file (gender, preferred_channel)
    assert study.group_comparisons == ["gender", "preferred_channel"]
    groups = t_en["Comparison of the construct scores across groups"]
    rows = groups.to_dict("records")
    k = 0
    for col in study.group_comparisons:
        frame = scores.copy()
        frame[col] = api["data"].loc[x.index, col].to_numpy()
        res = crm.compare_groups(frame.dropna(), list(study.constructs), col)
        for var in study.constructs:
            chosen = res.tests[(res.tests["variable"] == var) & res.tests["chosen"]].iloc[0]
            row = rows[k]
            k += 1
            assert row["Construct"] == var
            assert row["Statistic"] == f"{chosen['statistic']:.2f}", (col, var)
            assert row["p"] == ("<\u00a0.001" if chosen["p"] < 0.001 else f"{chosen['p']:.3f}".lstrip("0"))
            assert row["Test"].replace("\u00a0", " ") == {"mann_whitney": "Mann-Whitney U", "kruskal": "Kruskal-Wallis H",
                                   "student_t": "Student's t", "welch_t": "Welch's t", "anova": "ANOVA F",
                                   "welch_anova": "Welch's F"}[chosen["test"]]
    assert k == len(rows)
    groups_fa = t_fa["مقایسه نمره سازه‌ها در گروه‌ها"]
    np.testing.assert_allclose([_fa_num(v) for v in groups_fa["آماره"]], [float(r["Statistic"]) for r in rows])
    means = t_en["Construct means by group"]
    assert means["Category"].tolist()[:2] == ["female", "male"]
    female = scores[api["data"].loc[x.index, "gender"].to_numpy() == 1].mean()
    assert means.iloc[0][list(study.constructs)].tolist() == [f"{v:.2f}" for v in female]
    means_fa = t_fa["میانگین سازه‌ها به تفکیک گروه"]
    assert means_fa["طبقه"].tolist()[:2] == ["زن", "مرد"]  # the SPSS value labels' Persian half
    np.testing.assert_allclose([_fa_num(v) for v in means_fa["OPR"]], [float(v) for v in means["OPR"]])


def test_method_bias_and_effect_sizes_equal_api_and_lavaan(en, fa, api):
    study, x = api["study"], api["x"]
    cmb = crm.common_method_bias(x, study.constructs)
    t_en, t_fa = docx_tables(en.docx), docx_tables(fa.docx)
    harman = t_en["Common-method bias: Harman's single-factor test and full-collinearity VIFs"].set_index("Check")
    share = cmb.harman.loc["component_share", "share"]
    assert harman.loc["First unrotated component (Harman)", "Value"] == f"{100 * share:.1f}%"
    for c, v in cmb.vif["vif"].items():
        assert harman.loc[f"VIF {c}", "Value"] == f"{v:.2f}"
    clf = t_en["Standardized loadings with and without a common latent factor"]
    assert clf["With CLF"].tolist() == [f"{v:.3f}" for v in cmb.loadings["loading_clf"]]
    text = " ".join(p.text for p in __import__("docx").Document(str(en.docx)).paragraphs)
    assert "does not show that the bias is absent" in text and "Podsakoff et al. (2003)" in text
    # f² (path fixed to zero, refitted) and VIF of the latent predictors equal lavaan
    ref = _ref("report", "ecrm_f2_vif.csv")
    got = _csv(en, "f2_vif")
    assert got["outcome"].tolist() == ref["outcome"].tolist() and got["predictor"].tolist() == ref["predictor"].tolist()
    for col in ("r2_included", "r2_excluded", "f2", "vif"):
        np.testing.assert_allclose(got[col], ref[col], atol=1e-5, err_msg=col)
    table = t_en["Effect sizes (f²) and collinearity (VIF) of the latent predictors"]
    assert table["f²"].tolist() == [f"{v:.3f}".replace("-0.000", "0.000") for v in ref["f2"]]
    assert table["f² effect"].tolist() == ["none" if v < 0.02 else "small" if v < 0.15 else "medium" if v < 0.35
                                           else "large" for v in ref["f2"]]
    assert table["VIF"].tolist() == [f"{v:.2f}" for v in ref["vif"]]
    table_fa = t_fa["اندازه اثر (f²) و هم‌خطی (VIF) پیش‌بین‌های پنهان"]
    np.testing.assert_allclose([_fa_num(v) for v in table_fa["VIF"]], ref["vif"].round(2))
    # the f² reading in Persian words
    assert set(table_fa["اندازه اثر f²"]) <= {"ناچیز", "کوچک", "متوسط", "بزرگ"}


def test_mlr_follows_from_mardia_and_is_cited(en, fa):
    import docx

    text = " ".join(p.text for p in docx.Document(str(en.docx)).paragraphs)
    assert "Mardia's tests reject multivariate normality" in text
    assert "robust maximum likelihood (MLR)" in text and "(Yuan & Bentler, 2000)" in text
    assert "robust CFI = " in text and "is not yet available" not in text
    assert en.cfa.estimator == "MLR" and en.sem.estimator == "MLR"
    refs = [p.text for p in docx.Document(str(en.docx)).paragraphs]
    for start in ("Yuan, K.-H.", "Brosseau-Liard, P. E., & Savalei", "Brosseau-Liard, P. E., Savalei, V., & Li",
                  "Podsakoff, P. M.", "Kock, N.", "Cohen, J.", "Hair, J. F., Risher"):
        assert any(r.startswith(start) for r in refs), start
    fa_text = " ".join(p.text for p in docx.Document(str(fa.docx)).paragraphs)
    assert "MLR" in fa_text and "یوان و بنتلر" in fa_text and "هیر، بلک و همکاران، ۲۰۱۹" in fa_text


def _moderation_study(tmp_path):
    model = dataset_path("ecrm_survey_model.lav").read_text(encoding="utf-8").replace(
        "SAT ~ a1*OPR + a2*ANL + a3*EMP", "SAT ~ a1*OPR + a2*ANL + a3*EMP + OPR:ANL")
    (tmp_path / "moderation.lav").write_text(model, encoding="utf-8")
    text = STUDY.read_text(encoding="utf-8").replace(
        "file: ecrm_survey.sav", f"file: {dataset_path('ecrm_survey.sav')}").replace(
        "model: ecrm_survey_model.lav", "model: moderation.lav").replace(
        "  H12: ind_EMP\n", "  H12: ind_EMP\n  H13: SAT ~ OPR:ANL\n")
    path = tmp_path / "moderation.yaml"
    path.write_text(text, encoding="utf-8")
    return path, model


def _citations_two_way(rep):
    """Every author-year citation of the chapter has its reference, and every listed reference is cited."""
    import re

    import docx

    paras = [p.text for p in docx.Document(str(rep.docx)).paragraphs]
    start = paras.index("References")
    body = " ".join(paras[:start]) + " " + " ".join(t.note for t in rep.chapter.tables)
    refs = paras[start + 1:]
    cites = set(re.findall(r"(?<![\w-])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:,| and| &| et al\.)[^()]{0,40}?\(?"
                           r"((?:19|20)\d\d)[);]", body))
    for name, year in cites:
        assert any(r.startswith(name) and f"({year})" in r for r in refs), (name, year)
    for ref in refs:
        surname, year = ref.split(",", 1)[0], re.search(r"\((\d{4})\)", ref).group(1)
        assert re.search(rf"{re.escape(surname)}[^)]{{0,60}}?{year}", body), ref
    return refs


def test_moderation_section_equals_interaction_sem(tmp_path, api):
    """A model with a latent interaction: simple slopes, Johnson-Neyman and the interaction's hypothesis row."""
    import docx

    from crm_research.report.docx_writer import CELL_MARGIN_PT, text_width_pt, unbreakable_tokens
    from tests.test_report_layout import _tables_with_widths

    path, model = _moderation_study(tmp_path)
    assert crm.load_study(path).interactions == [("SAT", "OPR", "ANL")]
    reps = [crm.report(path, out=tmp_path / lang, lang=lang, bootstrap=0, progress=False) for lang in ("en", "fa")]
    ires = crm.interaction_sem(api["x"], model)
    slopes = ires.probe(outcome="SAT", focal="OPR", moderator="ANL")
    jn = ires.johnson_neyman(outcome="SAT", focal="OPR", moderator="ANL")
    t_en, t_fa = docx_tables(reps[0].docx), docx_tables(reps[1].docx)
    got = t_en["Simple slopes of the moderated path"]
    assert got["Simple slope"].tolist() == [f"{v:.3f}" for v in slopes["est"]]
    assert got["SE"].tolist() == [f"{v:.3f}" for v in slopes["se"]]
    assert got["95% CI lower"].tolist() == [f"{v:.3f}" for v in slopes["ci_low"]]
    got_fa = t_fa["شیب‌های ساده مسیر تعدیل‌شده"]
    np.testing.assert_allclose([_fa_num(v) for v in got_fa["شیب ساده"]], slopes["est"].round(3))
    ref = crm.hypotheses(ires.fit, {"H13": "SAT ~ OPR_x_ANL"}).iloc[0]
    hyp = t_en["Results of the hypothesis tests"].set_index("Hypothesis").loc["H13"]
    assert hyp["Path"] == "SAT ← OPR × ANL" and hyp["β"] == f"{ref['beta']:.3f}" and hyp["B"] == f"{ref['est']:.3f}"
    assert hyp["Result"] == ("supported" if ref["supported"] else "not supported")
    text = " ".join(p.text for p in docx.Document(str(reps[0].docx)).paragraphs)
    assert "4.4.4 Moderation (latent interaction)" in text
    assert f"between {jn['lower']:.3f} and {jn['upper']:.3f}" in text and "(Johnson & Neyman, 1936)" in text
    assert "(Lin, Wen, Marsh, & Lin, 2010)" in text
    f2 = t_en["Effect sizes (f²) and collinearity (VIF) of the latent predictors"].set_index("Path")
    assert "SAT ← OPR × ANL" in f2.index
    refs = _citations_two_way(reps[0])
    assert any(r.startswith("Johnson, P. O.") for r in refs) and any(r.startswith("Lin, G.-C.") for r in refs)
    for rep in reps:  # the new tables never break a number or a word
        for cell, width, size, bold in _tables_with_widths(rep.docx):
            for token in unbreakable_tokens(cell):
                assert text_width_pt(token, size, rep.lang, bold=bold) + CELL_MARGIN_PT <= width + 0.01, token
