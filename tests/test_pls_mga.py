"""MICOM and PLS multi-group analysis: agreement with R seminr's method (its Python port's estimate_pls_mga on
identical resamples), the definitions of Henseler et al. (2016), and bad input.

No published MICOM / MGA table of the corp_rep data could be consulted here; see tests/reference/pls/README.md.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError
from crm_research.core.resampling import resample_indices

matplotlib.use("Agg")
REF = Path(__file__).parent / "reference" / "pls"


@pytest.fixture(scope="module")
def corp_rep():
    return crm.load_dataset("corp_rep")


@pytest.fixture(scope="module")
def simple():
    return (REF / "corp_rep_simple.lav").read_text()


@pytest.fixture(scope="module")
def micom_fit(corp_rep, simple):
    return crm.micom(corp_rep, simple, "servicetype", permutations=150, seed=11, progress=False)


def test_group_paths_and_henseler_match_seminr(corp_rep, simple):
    from seminr.estimate.rerun import rerun  # noqa: F401  (seminr's own MGA path, as R seminr)
    from seminr.mga import estimate_pls_mga

    b = 120
    res = crm.pls_mga(corp_rep, simple, "servicetype", method="henseler", bootstrap=b, seed=5, progress=False)
    fit = crm.pls_sem(corp_rep, simple)
    g1 = (corp_rep["servicetype"] == 1).to_numpy()
    idx1 = resample_indices(int(g1.sum()), b, seed=5)
    idx2 = resample_indices(int((~g1).sum()), b, seed=6)
    ref = estimate_pls_mga(fit.engine_model, g1, nboot=b, group1_indices=idx1, group2_indices=idx2)
    got = res.paths.set_index(["from", "to"])
    for r in ref:
        row = got.loc[(r.source, r.target)]
        assert row["est_1"] == pytest.approx(r.group1_beta, abs=1e-10)
        assert row["est_2"] == pytest.approx(r.group2_beta, abs=1e-10)
        assert row["pvalue_one_sided"] == pytest.approx(r.pls_mga_p, abs=1e-12)
    assert res.resamples == b and res.groups == {1: 125, 2: 219}


def test_parametric_and_welch_formulas(corp_rep, simple):
    from scipy import stats

    par = crm.pls_mga(corp_rep, simple, "servicetype", method="parametric", bootstrap=100, seed=2, progress=False).paths
    wel = crm.pls_mga(corp_rep, simple, "servicetype", method="welch", bootstrap=100, seed=2, progress=False).paths
    n1, n2 = 125, 219
    np.testing.assert_allclose(par["se_1"], wel["se_1"])  # same seeded group bootstraps
    r = par.iloc[0]
    sp = np.sqrt((n1 - 1) ** 2 / (n1 + n2 - 2) * r.se_1**2 + (n2 - 1) ** 2 / (n1 + n2 - 2) * r.se_2**2)
    t = r["diff"] / (sp * np.sqrt(1 / n1 + 1 / n2))
    assert r["t"] == pytest.approx(t) and r["pvalue"] == pytest.approx(2 * stats.t.sf(abs(t), n1 + n2 - 2))
    w = wel.iloc[0]
    v = (n1 - 1) / n1 * w.se_1**2 + (n2 - 1) / n2 * w.se_2**2
    df = v**2 / ((n1 - 1) / n1**2 * w.se_1**4 + (n2 - 1) / n2**2 * w.se_2**4) - 2
    assert w["df"] == pytest.approx(df) and w["t"] == pytest.approx(w["diff"] / np.sqrt(v))


def test_permutation_test_by_distribution(corp_rep, simple):
    a = crm.pls_mga(corp_rep, simple, "servicetype", permutations=150, seed=3, progress=False)
    b = crm.pls_mga(corp_rep, simple, "servicetype", permutations=150, seed=3, progress=False)
    assert a.paths.equals(b.paths)  # seeded
    p = a.paths
    assert ((p["pvalue"] >= 0) & (p["pvalue"] <= 1)).all()
    # under random labels the difference is centred on zero: the interval brackets 0
    assert ((p["ci_low"] < 0) & (p["ci_high"] > 0)).all()
    # observed group paths equal pls_sem on each group
    for g, col in ((1, "est_1"), (2, "est_2")):
        sub = crm.pls_sem(corp_rep[corp_rep["servicetype"] == g], simple).paths
        np.testing.assert_allclose(p[col], sub["est"], atol=1e-10)


def test_micom_step2_and_step3_by_definition(corp_rep, simple, micom_fit):
    pooled = crm.pls_sem(corp_rep, simple)
    items = pooled.spec.items
    x = corp_rep[items].astype(float)
    x = x.fillna(x.mean())
    z = ((x - x.mean()) / x.std(ddof=1)).to_numpy()
    weights = {}
    for g in (1, 2):
        f = crm.pls_sem(corp_rep[corp_rep["servicetype"] == g], simple)
        weights[g] = f.outer
    c = micom_fit.compositional.set_index("construct")
    for con, its in pooled.spec.constructs.items():
        cols = [items.index(i) for i in its]
        s = [z[:, cols] @ weights[g].set_index("item").loc[its, "weight"].to_numpy() for g in (1, 2)]
        assert c.loc[con, "c"] == pytest.approx(np.corrcoef(s[0], s[1])[0, 1], abs=1e-10)
    # step 3 with the pooled model's scores
    g1 = (corp_rep["servicetype"] == 1).to_numpy()
    m = micom_fit.means.set_index("construct")
    v = micom_fit.variances.set_index("construct")
    for con in pooled.spec.constructs:
        s = pooled.scores[con].to_numpy()
        assert m.loc[con, "diff"] == pytest.approx(s[g1].mean() - s[~g1].mean(), abs=1e-10)
        assert v.loc[con, "diff"] == pytest.approx(np.log(s[g1].var(ddof=1)) - np.log(s[~g1].var(ddof=1)),
                                                   abs=1e-10)
    # a single-item construct is trivially invariant: c = 1, never undercut by a permutation
    assert c.loc["CUSA", "c"] == pytest.approx(1.0) and c.loc["CUSA", "pvalue"] == 0 and c.loc["CUSA", "invariant"]
    inv = micom_fit.invariance
    assert (inv["full"] <= inv["partial"]).all()
    ax = micom_fit.plot()
    assert len(ax.patches) == 4
    assert "MICOM" in micom_fit.summary().as_text()


def test_mga_and_micom_bad_input(corp_rep, simple):
    one = corp_rep.assign(grp="a")
    with pytest.raises(CRMInputError, match="single level"):
        crm.micom(one, simple, "grp", permutations=20, progress=False)
    tiny = corp_rep.assign(grp=["a"] * 8 + ["b"] * (len(corp_rep) - 8))
    with pytest.raises(CRMInputError, match="no more respondents than the model has indicators"):
        crm.pls_mga(tiny, simple, "grp", permutations=20, progress=False)
    with pytest.raises(CRMInputError, match="3 levels"):
        crm.pls_mga(corp_rep.assign(grp=np.arange(len(corp_rep)) % 3), simple, "grp", progress=False)
    with pytest.raises(CRMInputError, match="group_col"):
        crm.micom(corp_rep, simple, "gender", progress=False)
    with pytest.raises(CRMInputError, match="method"):
        crm.pls_mga(corp_rep, simple, "servicetype", method="bayes", progress=False)
