"""SmartPLS-style model fit of PLS-SEM results (crm_research/pls/fit.py).

References: ``tests/reference/pls/pls_fit.R`` computes SRMR, d_ULS, d_G, Chi² and NFI of the saturated and the
estimated model from first principles in base R (its own PLS algorithm, the model-implied correlations and the
distances of Dijkstra & Henseler, 2015) and stores them in ``pls_fit_r.csv``; no SmartPLS, seminr or cSEM value
could be had here (see the README of that folder).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError
from crm_research.pls.fit import implied_correlations, model_fit

REF = Path(__file__).parent / "reference" / "pls"


@pytest.fixture(scope="module")
def corp_rep():
    return crm.load_dataset("corp_rep")


@pytest.fixture(scope="module")
def fits(corp_rep):
    return {m: crm.pls_sem(corp_rep, (REF / f"corp_rep_{m}.lav").read_text(), progress=False)
            for m in ["simple", "extended", "moderation"]}


@pytest.mark.parametrize("model", ["simple", "extended", "moderation"])
@pytest.mark.parametrize("approach", ["smartpls", "composite"])
def test_model_fit_equals_first_principles_r(fits, model, approach):
    ref = pd.read_csv(REF / "pls_fit_r.csv")
    ref = ref[(ref["model"] == model) & (ref["approach"] == approach)].set_index("measure")
    got = model_fit(fits[model], approach=approach)
    for col in ["saturated", "estimated"]:
        for measure in ["SRMR", "d_ULS", "d_G", "NFI"]:
            assert got.loc[measure, col] == pytest.approx(ref.loc[measure, col], abs=1e-6), (measure, col)
        assert got.loc["Chi-square", col] == pytest.approx(ref.loc["Chi-square", col], rel=1e-6)


def test_r_pls_algorithm_equals_seminr_fixture():
    """The R script's own PLS algorithm reproduces R seminr's paths, so its fit measures rest on the same fit."""
    mine = pd.read_csv(REF / "pls_fit_paths_r.csv")
    mine = mine[mine["model"] == "simple"].set_index(["from", "to"])["est"]
    seminr = pd.read_csv(REF / "corp_rep_simple_paths_seminr.csv", index_col=0)
    for (f, t), v in mine.items():
        assert v == pytest.approx(seminr.loc[f, t], abs=1e-6)


def test_saturated_structure_gives_equal_columns(fits):
    """The simple model's structural model is saturated (every construct pair linked): both columns agree."""
    t = fits["simple"].model_fit()
    assert np.allclose(t["saturated"], t["estimated"], atol=1e-12)
    t = fits["extended"].model_fit()
    assert (t.loc["SRMR", "estimated"] > t.loc["SRMR", "saturated"])


def test_result_properties(fits):
    fit = fits["extended"]
    table = fit.model_fit()
    assert fit.srmr == table.loc["SRMR", "estimated"]
    assert fit.nfi == table.loc["NFI", "estimated"]
    assert list(table.index) == ["SRMR", "d_ULS", "d_G", "Chi-square", "NFI"]


def test_implied_matrix_structure(fits):
    """Formative blocks keep the observed correlations; reflective blocks get lambda_i lambda_j (SmartPLS)."""
    fit = fits["extended"]
    sigma = implied_correlations(fit, saturated=True)
    s = np.corrcoef(np.asarray(fit.engine_model.data.values, dtype=float), rowvar=False)
    cols = list(fit.engine_model.data.columns)
    i, j = cols.index("qual_1"), cols.index("qual_2")
    assert sigma.loc["qual_1", "qual_2"] == pytest.approx(s[i, j], abs=1e-12)
    lam = fit.outer.set_index("item")["loading"]
    assert sigma.loc["comp_1", "comp_2"] == pytest.approx(lam["comp_1"] * lam["comp_2"], abs=1e-9)
    comp = implied_correlations(fit, saturated=True, approach="composite")
    i, j = cols.index("comp_1"), cols.index("comp_2")
    assert comp.loc["comp_1", "comp_2"] == pytest.approx(s[i, j], abs=1e-12)


def test_repeated_indicators_have_no_likelihood_measures():
    fit = crm.pls_sem(crm.load_dataset("mobi"), (REF / "mobi_hoc.lav").read_text(), hoc="repeated_indicators",
                      progress=False)
    t = fit.model_fit()
    assert np.isfinite(t.loc["SRMR"]).all()
    assert t.loc[["d_G", "Chi-square", "NFI"]].isna().all().all()


def test_bad_approach(fits):
    with pytest.raises(CRMInputError, match="approach"):
        fits["simple"].model_fit(approach="adanco")



HS100 = """
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ visual
speed ~ visual + textual
"""


@pytest.mark.parametrize("consistent, estimator", [(False, "PLS"), (True, "PLSc")])
def test_model_fit_equals_smartpls4(consistent, estimator):
    """SmartPLS 4.1.1.8's displayed saturated SRMR, d_ULS and d_G on the first 100 Holzinger-Swineford rows.

    Source: StatEdu/StatEdu_Studio, docs/evidence/release_1_3_0/pls/smartpls_4_1_1_8_hs_first100/external_fit.csv
    (path weighting, initial weights +1, stop criterion 1e-7; three decimals as SmartPLS displays them).
    """
    data = pd.read_csv(REF / "hs100.csv")
    fit = crm.pls_sem(data, HS100, consistent=consistent, progress=False)
    ref = pd.read_csv(REF / "smartpls4_hs100_fit.csv").query("estimator == @estimator").set_index("measure")
    got = fit.model_fit()
    for measure in ["SRMR", "d_ULS", "d_G"]:
        assert got.loc[measure, "saturated"] == pytest.approx(ref.loc[measure, "saturated"], abs=5e-4), measure
    # the composite treatment is not what SmartPLS prints: it is visibly different
    assert abs(fit.model_fit(approach="composite").loc["SRMR", "saturated"] - ref.loc["SRMR", "saturated"]) > 0.01
