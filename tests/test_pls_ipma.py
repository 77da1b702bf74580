"""Importance-performance map analysis (crm.ipma): the Ringle & Sarstedt (2016) definitions, computed here
independently from the data (no published IPMA table of the corp_rep model could be consulted)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

matplotlib.use("Agg")
REF = Path(__file__).parent / "reference" / "pls"
SIMPLE = """COMP =~ comp_1 + comp_2 + comp_3
LIKE =~ like_1 + like_2 + like_3
CUSA =~ cusa
CUSL =~ cusl_1 + cusl_2 + cusl_3
CUSA ~ COMP + LIKE
CUSL ~ COMP + LIKE + CUSA"""


@pytest.fixture(scope="module")
def corp_rep():
    return crm.load_dataset("corp_rep")


@pytest.fixture(scope="module")
def fit(corp_rep):
    return crm.pls_sem(corp_rep, SIMPLE)


def _rescaled_scores(data, fit, construct, lo=1, hi=7):
    its = fit.spec.constructs[construct]
    x = data[its].astype(float)
    x = x.fillna(x.mean())
    w = fit.outer.set_index("item").loc[its, "weight"].to_numpy() / x.std(ddof=1).to_numpy()
    return ((x - lo) / (hi - lo) * 100).to_numpy() @ (w / w.sum())


def test_performance_and_importance_by_definition(corp_rep, fit):
    m = crm.ipma(fit, "CUSL", scale=(1, 7))
    c = m.constructs.set_index("construct")
    assert list(c.index) == ["COMP", "LIKE", "CUSA"]
    # a single-item construct's performance is its rescaled item mean
    cusa = corp_rep["cusa"].astype(float)
    assert c.loc["CUSA", "performance"] == pytest.approx(((cusa.fillna(cusa.mean()) - 1) / 6 * 100).mean(),
                                                         abs=1e-10)
    s = {k: _rescaled_scores(corp_rep, fit, k) for k in ["COMP", "LIKE", "CUSA", "CUSL"]}
    assert m.target_performance == pytest.approx(s["CUSL"].mean(), abs=1e-10)
    # importance: total effect in the path model re-estimated by OLS on the rescaled scores
    x = np.column_stack([np.ones(len(s["CUSL"])), s["COMP"], s["LIKE"], s["CUSA"]])
    b_l = np.linalg.lstsq(x, s["CUSL"], rcond=None)[0]
    x2 = np.column_stack([np.ones(len(s["CUSA"])), s["COMP"], s["LIKE"]])
    b_a = np.linalg.lstsq(x2, s["CUSA"], rcond=None)[0]
    assert c.loc["CUSA", "importance"] == pytest.approx(b_l[3], abs=1e-10)
    assert c.loc["LIKE", "importance"] == pytest.approx(b_l[2] + b_a[2] * b_l[3], abs=1e-10)
    assert c.loc["COMP", "importance"] == pytest.approx(b_l[1] + b_a[1] * b_l[3], abs=1e-10)
    ind = m.indicators.set_index("item")
    assert ind.groupby("construct")["rescaled_weight"].sum().to_numpy() == pytest.approx(1.0)
    assert ind.loc["like_1", "importance"] == pytest.approx(ind.loc["like_1", "rescaled_weight"]
                                                            * c.loc["LIKE", "importance"])
    ax = m.plot()
    assert len(ax.texts) == 3
    ax = m.plot(level="indicators", lang="fa")
    assert "نقشه" in ax.get_title()


def test_ipma_bad_input(fit):
    with pytest.raises(CRMInputError, match="scale"):
        crm.ipma(fit, "CUSL", scale=None)
    with pytest.raises(CRMInputError, match="outside"):
        crm.ipma(fit, "CUSL", scale=(1, 5))  # corp_rep items are on a 7-point scale
    with pytest.raises(CRMInputError, match="construct"):
        crm.ipma(fit, "LOYALTY", scale=(1, 7))
    with pytest.raises(CRMInputError, match="no predecessors"):
        crm.ipma(fit, "COMP", scale=(1, 7))
    with pytest.raises(CRMInputError, match="max > min"):
        crm.ipma(fit, "CUSL", scale=(7, 1))


def test_ipma_warns_on_negative_weight(corp_rep):
    ext = crm.pls_sem(corp_rep, (REF / "corp_rep_extended.lav").read_text())
    m = crm.ipma(ext, "CUSL", scale=(1, 7))
    assert any("qual_4" in w for w in m.warnings)
    assert set(m.constructs["construct"]) == {"QUAL", "PERF", "CSOR", "ATTR", "COMP", "LIKE", "CUSA"}
