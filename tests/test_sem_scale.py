"""Issue 16: a variable on a large scale (a spend in Tomans) beside Likert items is valid data for sem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

MODEL = "SAT =~ s1 + s2 + s3\nspend ~ SAT"


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    n = 400
    sat = rng.normal(size=n)
    d = pd.DataFrame({f"s{i}": np.clip(np.round(3 + sat + rng.normal(scale=0.7, size=n)), 1, 5) for i in (1, 2, 3)})
    d["spend"] = 2e7 + 4e6 * (0.5 * sat + rng.normal(size=n))  # Tomans
    return d


@pytest.mark.parametrize("missing", ["listwise", "fiml"])
def test_toman_scale_variable_equals_the_rescaled_fit(data, missing):
    # the same data in millions of Tomans: estimates and standard errors of spend's rows scale by 1e6
    # (1e12 for its variance), everything standardized and every fit index is the same
    x = data.copy()
    if missing == "fiml":
        x.loc[::17, "s2"] = np.nan
    big = crm.sem(x, MODEL, missing=missing, progress=False)
    small = crm.sem(x.assign(spend=x["spend"] / 1e6), MODEL, missing=missing, progress=False)
    b, s = big.estimates, small.estimates
    factor = np.ones(len(b))
    factor[((b["lhs"] == "spend") & (b["op"] == "~"))] = 1e6
    factor[((b["lhs"] == "spend") & (b["op"] == "~~"))] = 1e12
    if "op" in b and (b["op"] == "~1").any():
        factor[((b["lhs"] == "spend") & (b["op"] == "~1")).to_numpy()] = 1e6
    np.testing.assert_allclose(b["est"] / factor, s["est"], rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(b["se"] / factor, s["se"], rtol=1e-4, atol=1e-8)
    assert np.isfinite(b["se"]).all()
    for index in ("chisq", "cfi", "rmsea", "srmr"):
        assert big.fit_measures[index] == pytest.approx(small.fit_measures[index], rel=1e-5, abs=1e-8)


def test_a_constant_variable_is_still_refused(data):
    with pytest.raises(crm.CRMInputError, match="'spend'.*constant"):
        crm.sem(data.assign(spend=5e7), MODEL, progress=False)


def test_a_redundant_variable_is_still_refused(data):
    with pytest.raises(crm.CRMInputError, match="not positive definite"):
        crm.sem(data.assign(s3=data["s1"] + data["s2"]), MODEL, progress=False)
