"""Formative assessment, redundancy analysis, blindfolding Q², GoF and the chapter-4 conventions of pls_sem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

REF = Path(__file__).parent / "reference" / "pls"
SIMPLE = (REF / "corp_rep_simple.lav").read_text()


@pytest.fixture(scope="module")
def corp_rep():
    return crm.load_dataset("corp_rep")


@pytest.fixture(scope="module")
def extended(corp_rep):
    return crm.pls_sem(corp_rep, (REF / "corp_rep_extended.lav").read_text(), bootstrap=100, seed=1, n_jobs=1,
                       progress=False)


def test_redundancy_matches_hair(corp_rep, extended):
    # Hair et al. (2021, PLS-SEM Using R, ch. 5; 2022, Primer, ch. 5): redundancy-analysis paths, 3 decimals
    ref = pd.read_csv(REF / "corp_rep_redundancy_hair.csv")
    for _, r in ref.iterrows():
        got = extended.redundancy(corp_rep, r["construct"], r["global_item"])
        assert got["path"].iloc[0] == pytest.approx(r["path"], abs=5e-4), r["construct"]
        assert bool(got["convergent"].iloc[0])
    with pytest.raises(CRMInputError, match="formative"):
        extended.redundancy(corp_rep, "COMP", "qual_global")
    with pytest.raises(CRMInputError, match="global_item"):
        extended.redundancy(corp_rep, "QUAL", "qual_overall")


def test_formative_decision_rule(extended):
    f = extended.formative()
    assert len(f) == 21
    for _, r in f.iterrows():
        if r["weight_pvalue"] < 0.05:
            assert r["decision"].startswith("keep (significant")
        elif r["loading"] >= 0.5:
            assert "absolutely important" in r["decision"]
        elif r["loading_pvalue"] < 0.05:
            assert r["decision"].startswith("consider removal")
        else:
            assert r["decision"].startswith("delete")
    # qual_4's weight is not significant, its loading is above 0.5 (Hair et al.'s example of a kept indicator)
    q4 = f.set_index("item").loc["qual_4"]
    assert q4["weight_pvalue"] > 0.05 and "absolutely important" in q4["decision"]
    with pytest.raises(CRMInputError, match="bootstrap"):
        crm.pls_sem(crm.load_dataset("corp_rep"), (REF / "corp_rep_extended.lav").read_text()).formative()


def test_gof_by_formula(extended):
    g = extended.gof()
    rel = extended.reliability.set_index("construct")
    blocks = [c for c in ["COMP", "LIKE", "CUSL"]]  # mode A with 2+ items (CUSA is single-item)
    w = np.array([rel.loc[c, "n_items"] for c in blocks])
    communality = float(np.sum(w * rel.loc[blocks, "ave"].to_numpy()) / w.sum())
    assert g["mean_communality"] == pytest.approx(communality, abs=1e-10)
    assert g["gof"] == pytest.approx(np.sqrt(communality * extended.r2["r2"].mean()), abs=1e-10)
    assert "Henseler & Sarstedt" in g["caveat"]


def _q2_by_pls_sem(data, model, construct, d):
    """Blindfolding rebuilt on pls_sem (the seminr engine): an independent check of the kernel plumbing."""
    fit = crm.pls_sem(data, model)
    items = fit.spec.constructs[construct]
    preds = [f for f, t, _ in fit.spec.paths if t == construct]
    n = len(data)
    sse = sso = 0.0
    for rnd in range(d):
        x = data.copy()
        number = np.arange(n)[:, None] * len(items) + np.arange(len(items))[None, :]
        omit = number % d == rnd
        block = x[items].to_numpy(float, copy=True)
        block[omit] = np.nan
        x[items] = block
        f = crm.pls_sem(x, model)
        filled = x[fit.spec.items].astype(float)
        filled = filled.fillna(filled.mean())
        b = f.paths.set_index(["from", "to"])["est"]
        yhat = sum(b[(p, construct)] * f.scores[p].to_numpy() for p in preds)
        lam = f.outer.set_index("item")["loading"]
        for m, it in enumerate(items):
            orig = data[it].to_numpy(float)
            rows = omit[:, m] & ~np.isnan(orig)
            obs = (orig[rows] - filled[it].mean()) / filled[it].std(ddof=1)
            sse += np.sum((obs - lam[it] * yhat[rows]) ** 2)
            sso += np.sum(obs**2)
    return 1 - sse / sso


def test_blindfolding_matches_rebuild_on_pls_sem(corp_rep):
    fit = crm.pls_sem(corp_rep, SIMPLE)
    q = fit.blindfolding(7).set_index("construct")
    assert list(q.index) == ["CUSA", "CUSL"]
    for c in ["CUSA", "CUSL"]:
        assert q.loc[c, "q2"] == pytest.approx(_q2_by_pls_sem(corp_rep, SIMPLE, c, 7), abs=1e-8)
    assert (q["q2"] > 0).all()


def test_blindfolding_bad_omission_distance(corp_rep):
    fit = crm.pls_sem(corp_rep, SIMPLE)  # n = 344 = 8 * 43
    with pytest.raises(CRMInputError, match="is an integer"):
        fit.blindfolding(8)
    with pytest.raises(CRMInputError, match="between 5 and 12"):
        fit.blindfolding(13)
    with pytest.raises(CRMInputError, match="omission_distance"):
        fit.blindfolding(3)


def test_conventions_thresholds(extended):
    t = extended.conventions(omission_distance=None)
    r2 = t[(t["statistic"] == "R2") & (t["source"] == "Chin (1998)")].set_index("where")
    assert r2.loc["CUSA", "verdict"] == "weak"  # 0.292: between Chin's 0.19 and 0.33
    assert r2.loc["COMP", "verdict"] == "moderate"  # 0.631 < 0.67
    f2 = t[t["statistic"] == "f2"].set_index("where")
    assert f2.loc["CUSA -> CUSL", "verdict"] == "large"
    assert f2.loc["CSOR -> COMP", "verdict"] == "no effect"
    assert not (t["statistic"] == "Q2 (blindfolding)").any()
    q = extended.conventions()
    assert (q["statistic"] == "Q2 (blindfolding)").sum() == 4
