"""BCa intervals of pls_sem (ci_type="bca"): Efron & Tibshirani (1993, eq. 14.9-14.15) recomputed by hand from
the bootstrap draws and leave-one-out fits made independently with pls_sem (the seminr engine)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

import crm_research as crm

MODEL = """Image =~ IMAG1 + IMAG2 + IMAG3
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Satisfaction ~ a*Image
Loyalty ~ Image + b*Satisfaction
ind := a*b"""


@pytest.fixture(scope="module")
def small():
    return crm.load_dataset("mobi").iloc[:60].reset_index(drop=True)


@pytest.fixture(scope="module")
def fit(small):
    return crm.pls_sem(small, MODEL, bootstrap=300, seed=4, n_jobs=1, progress=False, ci_type="bca")


def _bca_by_hand(est, draws, jack, ci=0.95):
    z0 = norm.ppf(np.mean(draws < est))
    d = jack.mean() - jack
    a = np.sum(d**3) / (6 * np.sum(d**2) ** 1.5)
    out = []
    for q in ((1 - ci) / 2, (1 + ci) / 2):
        z = norm.ppf(q)
        out.append(np.quantile(draws, norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))))
    return out


def test_bca_paths_and_defined_parameter_by_hand(small, fit):
    idx = {c: i for i, c in enumerate(fit.constructs)}
    loo = [crm.pls_sem(small.drop(index=i), MODEL).paths.set_index(["from", "to"])["est"] for i in range(len(small))]
    p = fit.paths.set_index(["from", "to"])
    for f, t in [("Image", "Satisfaction"), ("Satisfaction", "Loyalty")]:
        draws = fit.boot_draws.paths[:, idx[f], idx[t]]
        jack = np.array([s[(f, t)] for s in loo])
        lo, hi = _bca_by_hand(p.loc[(f, t), "est"], draws, jack)
        assert p.loc[(f, t), "bca_low"] == pytest.approx(lo, abs=1e-10)
        assert p.loc[(f, t), "bca_high"] == pytest.approx(hi, abs=1e-10)
    # the defined indirect effect a*b
    draws = fit.defined_draws["ind"]
    jack = np.array([s[("Image", "Satisfaction")] * s[("Satisfaction", "Loyalty")] for s in loo])
    row = fit.estimates.set_index("lhs").loc["ind"]
    lo, hi = _bca_by_hand(row["est"], draws, jack)
    assert row["bca_lower"] == pytest.approx(lo, abs=1e-10) and row["bca_upper"] == pytest.approx(hi, abs=1e-10)


def test_bca_beside_percentile_and_in_hypotheses(fit):
    plain = crm.pls_sem(fit_data := crm.load_dataset("mobi").iloc[:60].reset_index(drop=True), MODEL, bootstrap=300,
                        seed=4, n_jobs=1, progress=False)
    assert fit_data.shape[0] == 60
    np.testing.assert_allclose(plain.paths["ci_low"], fit.paths["ci_low"])  # percentile kept as it was
    assert "bca_low" not in plain.paths.columns
    assert {"bca_low", "bca_high"} <= set(fit.outer.columns.str.replace("loading_", "").str.replace("weight_", ""))
    h = crm.hypotheses(fit, {"H1": "Satisfaction ~ Image", "H2": "ind"})
    assert (h["interval"] == "bootstrap BCa").all()
    p = fit.paths.set_index(["from", "to"])
    assert h["ci_low"].iloc[0] == pytest.approx(p.loc[("Image", "Satisfaction"), "bca_low"])
    with pytest.raises(crm.CRMInputError, match="bca"):
        crm.hypotheses(plain, {"H1": "Satisfaction ~ Image"}, interval="bca")
    with pytest.raises(crm.CRMInputError, match="ci_type"):
        crm.pls_sem(fit_data, MODEL, ci_type="student")
