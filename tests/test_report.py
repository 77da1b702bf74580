"""The thesis report: the DOCX and HTML show exactly the API's numbers; Persian layout; atomic output.

The reference values here are the toolkit's own public functions (crm.sem, crm.hypotheses,
crm.cfa, crm.construct_reliability, crm.item_descriptives) run directly on the same data; those
functions are checked against lavaan/psych/semTools in test_sem_lavaan.py and
test_reliability.py.  The report must not compute anything itself, only show these numbers.
"""

from __future__ import annotations

import importlib
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
    fit = crm.sem(x, study.model, bootstrap=B, seed=study.seed, progress=False)
    measurement = "\n".join(f"{c} =~ " + " + ".join(i) for c, i in study.constructs.items())
    return {
        "study": study, "data": data, "x": x, "sem": fit, "hyp": crm.hypotheses(fit, study.hypotheses),
        "cfa": crm.cfa(x, measurement, progress=False),
        "rel": crm.construct_reliability(x, study.constructs, scale=(1, 5)),
        "desc": crm.item_descriptives(x, study.items, scale=(1, 5)).table,
    }


def docx_tables(path):
    """{table title: DataFrame of cell texts} read back with python-docx."""
    import docx

    doc = docx.Document(str(path))
    body = doc.element.body
    out, last_title = {}, None
    tables = iter(doc.tables)
    for child in body.iterchildren():
        if child.tag == W_NS + "p":
            text = "".join(t.text or "" for t in child.iter(W_NS + "t")).strip()
            if text:
                last_title = text
        elif child.tag == W_NS + "tbl":
            table = next(tables)
            rows = [[c.text for c in r.cells] for r in table.rows]
            out[last_title] = pd.DataFrame(rows[1:], columns=rows[0])
    return out


def num(text):
    text = normalize_digits(text.replace("٫", ".").replace("−", "-")).strip()
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
    for name, key in [("CFI", "cfi"), ("TLI", "tli"), ("RMSEA", "rmsea"), ("SRMR", "srmr"), ("χ²", "chisq")]:
        assert fit.loc[name, "Value"] == f"{fm[key]:.3f}"
    assert fit.loc["df", "Value"] == str(int(fm["df"]))
    assert fit.loc["CFI", "Verdict"] == ("good" if fm["cfi"] >= 0.95 else "acceptable" if fm["cfi"] >= 0.9
                                         else "poor")
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
    fit = _csv(en, "sem_fit").set_index("index")["value"]
    ref = _ref("sem", "ecrm_sem_fit.csv").set_index("measure")["value"]
    for name in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"):
        assert fit[name] == pytest.approx(ref[name], rel=1e-6, abs=1e-8), name
    est = _ref("sem", "ecrm_sem_estimates.csv")
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
    for name in ref.index:
        assert fit[name] == pytest.approx(ref[name], rel=1e-6), name
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
    # crm.sem cannot bootstrap a FIML fit yet: the study must say so rather than silently drop it
    with pytest.raises(CRMInputError, match="key 'missing.policy'.*bootstrap"):
        crm.report(path, out=tmp_path / "out", progress=False)
    rep = crm.report(path, out=tmp_path / "out", bootstrap=0, progress=False)
    study = api["study"]
    items = api["data"][study.items].dropna(how="all")
    ref = crm.hypotheses(crm.sem(items, study.model, missing="fiml"), study.hypotheses)
    hyp = docx_tables(rep.docx)["Results of the hypothesis tests"]
    assert hyp["β"].tolist() == [f"{v:.3f}" for v in ref["beta"]]
    assert hyp["Result"].tolist() == ["supported" if s else "not supported" for s in ref["supported"]]
    assert int(rep.sem.fit_measures["n"]) == len(items) == 400
    assert "full-information maximum likelihood" in rep.html.read_text(encoding="utf-8")
