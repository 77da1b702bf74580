"""Notebook 06c's driver analysis (statsmodels OLS, HC3, VIF, Breusch-Pagan, Cook's distance, dominance
weights) equals R: lm, sandwich::vcovHC(type = "HC3"), lmtest::coeftest/bptest, car::vif, cooks.distance,
and general dominance weights from lm over all subsets (tests/reference/driver_analysis/driver_analysis.R)."""

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.outliers_influence import variance_inflation_factor

import crm_research as crm

REF = pd.read_csv(Path(__file__).parent / "reference" / "driver_analysis" / "r_reference.csv")
DRIVERS = ["OPR", "ANL", "EMP", "DEL"]
FORMULA = "SAT ~ " + " + ".join(DRIVERS)


def r_value(analysis, term, stat):
    row = REF[(REF["analysis"] == analysis) & (REF["term"] == term) & (REF["stat"] == stat)]
    assert len(row) == 1, (analysis, term, stat)
    return float(row["value"].iloc[0])


@pytest.fixture(scope="module")
def scores():
    survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    return crm.construct_scores(survey, crm.ecrm_survey_constructs())


def test_ols_with_hc3_equals_r(scores):
    fit = smf.ols(FORMULA, data=scores).fit(cov_type="HC3", use_t=True)
    classical = smf.ols(FORMULA, data=scores).fit()
    assert int(fit.nobs) == r_value("ols", "model", "n") == 282
    for term in ["Intercept", *DRIVERS]:
        r_term = "(Intercept)" if term == "Intercept" else term
        assert fit.params[term] == pytest.approx(r_value("ols", r_term, "b"), abs=1e-8)
        assert classical.bse[term] == pytest.approx(r_value("ols", r_term, "se"), abs=1e-8)
        assert fit.bse[term] == pytest.approx(r_value("ols", r_term, "se_hc3"), abs=1e-8)
        assert fit.tvalues[term] == pytest.approx(r_value("ols", r_term, "t_hc3"), abs=1e-6)
        assert fit.pvalues[term] == pytest.approx(r_value("ols", r_term, "p_hc3"), abs=1e-8)
    assert fit.rsquared == pytest.approx(r_value("ols", "model", "r2"), abs=1e-10)
    assert fit.rsquared_adj == pytest.approx(r_value("ols", "model", "adj_r2"), abs=1e-10)
    # without use_t statsmodels tests against the normal distribution: a different p than R's coeftest
    z_test = smf.ols(FORMULA, data=scores).fit(cov_type="HC3")
    assert abs(z_test.pvalues["OPR"] - r_value("ols", "OPR", "p_hc3")) > 1e-7


def test_standardized_betas_vif_and_diagnostics_equal_r(scores):
    z = (scores - scores.mean()) / scores.std()
    beta = smf.ols(FORMULA, data=z).fit()
    classical = smf.ols(FORMULA, data=scores).fit()
    exog = classical.model.exog
    for i, term in enumerate(classical.model.exog_names):
        if term == "Intercept":
            continue
        assert beta.params[term] == pytest.approx(r_value("standardized", term, "beta"), abs=1e-8)
        assert variance_inflation_factor(exog, i) == pytest.approx(r_value("vif", term, "vif"), abs=1e-8)
    lm_stat, lm_p, _, _ = het_breuschpagan(classical.resid, exog)
    assert lm_stat == pytest.approx(r_value("breusch_pagan", "model", "statistic"), abs=1e-8)
    assert lm_p == pytest.approx(r_value("breusch_pagan", "model", "p"), abs=1e-8)
    cooks = classical.get_influence().cooks_distance[0]
    assert cooks.max() == pytest.approx(r_value("cooks_distance", "model", "max"), abs=1e-10)
    assert int((cooks > 4 / len(scores)).sum()) == r_value("cooks_distance", "model", "n_above_4_over_n")


def test_general_dominance_equals_r_and_adds_up_to_r2(scores):
    def r2(subset):
        return smf.ols("SAT ~ " + " + ".join(subset), data=scores).fit().rsquared if subset else 0.0

    weights = {}
    for d in DRIVERS:
        others = [o for o in DRIVERS if o != d]
        weights[d] = np.mean([np.mean([r2([*s, d]) - r2(list(s)) for s in itertools.combinations(others, k)])
                              for k in range(len(others) + 1)])
        assert weights[d] == pytest.approx(r_value("dominance", d, "general"), abs=1e-10)
    assert sum(weights.values()) == pytest.approx(r_value("ols", "model", "r2"), abs=1e-10)
