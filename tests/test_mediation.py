"""Mediation typology (Zhao, Lynch & Chen, 2010) and the indirect-effects table of a fitted SEM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError


@pytest.mark.parametrize(("ind", "direct", "ind_sig", "dir_sig", "expected"), [
    (0.2, 0.3, True, True, "complementary"),
    (-0.2, -0.3, True, True, "complementary"),
    (0.2, -0.3, True, True, "competitive"),
    (-0.2, 0.3, True, True, "competitive"),
    (0.2, 0.01, True, False, "indirect-only"),
    (0.2, None, True, False, "indirect-only"),
    (0.01, 0.3, False, True, "direct-only"),
    (0.01, 0.02, False, False, "no-effect"),
])
def test_mediation_type_typology(ind, direct, ind_sig, dir_sig, expected):
    assert crm.mediation_type(ind, direct, indirect_significant=ind_sig, direct_significant=dir_sig) == expected
    assert expected in crm.MEDIATION_TYPES


def test_mediation_type_rejects_bad_input():
    with pytest.raises(CRMInputError, match="indirect_significant"):
        crm.mediation_type(0.1, 0.2, indirect_significant="yes", direct_significant=False)
    with pytest.raises(CRMInputError, match="no direct effect"):
        crm.mediation_type(0.1, None, indirect_significant=True, direct_significant=True)


@pytest.fixture(scope="module")
def fit():
    df = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    study = crm.load_study(crm.dataset_path("ecrm_survey_study.yaml"))
    x = df[study.items].dropna()
    return crm.sem(x, study.model, bootstrap=40, seed=3, progress=False)


def test_mediation_effects_equal_hypotheses(fit):
    table = crm.mediation_effects(fit)
    assert table["chain"].tolist() == ["OPR → SAT → LOY", "ANL → SAT → LOY", "EMP → SAT → LOY"]
    assert table["total"].tolist() == ["total_OPR", "total_ANL", "total_EMP"]
    names = dict(zip(table["effect"], table["chain"]))
    hyp = crm.hypotheses(fit, {k: k for k in names})
    np.testing.assert_allclose(table[["est", "ci_low", "ci_high"]], hyp[["est", "ci_low", "ci_high"]])
    assert (table["interval"] == "bootstrap percentile").all()
    direct = crm.hypotheses(fit, {"c1": "LOY ~ OPR", "c2": "LOY ~ ANL", "c3": "LOY ~ EMP"})
    np.testing.assert_allclose(table["direct_est"], direct["est"])
    assert table["direct_significant"].tolist() == direct["supported"].tolist()
    total = fit.estimates.set_index("lhs").loc[table["total"], "est"].to_numpy()
    np.testing.assert_allclose(table["total_est"], total)
    # the total is the direct plus the indirect effect
    np.testing.assert_allclose(table["total_est"], table["direct_est"] + table["est"], atol=1e-10)
    for _, r in table.iterrows():
        assert r["mediation"] == crm.mediation_type(r["est"], r["direct_est"], indirect_significant=r["significant"],
                                                    direct_significant=r["direct_significant"])


def test_mediation_effects_without_direct_path():
    df = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    model = """OPR =~ OPR1 + OPR2 + OPR3 + OPR4
SAT =~ SAT1 + SAT2 + SAT3 + SAT4
LOY =~ LOY1 + LOY2 + LOY3 + LOY4
SAT ~ a*OPR
LOY ~ b*SAT
ind := a*b
"""
    table = crm.mediation_effects(crm.sem(df.dropna(), model, progress=False))
    assert len(table) == 1 and table["chain"].iloc[0] == "OPR → SAT → LOY"
    assert np.isnan(table["direct_est"].iloc[0]) and table["total"].iloc[0] == ""
    assert table["mediation"].iloc[0] in ("indirect-only", "no-effect")
    with pytest.raises(CRMInputError, match="SEMResult"):
        crm.mediation_effects(pd.DataFrame())


def test_mediation_effects_of_a_pls_fit():
    df = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    study = crm.load_study(crm.dataset_path("ecrm_survey_study.yaml"))
    res = crm.pls_sem(df[study.items].dropna(), study.model, bootstrap=20, seed=2, progress=False)
    table = crm.mediation_effects(res)
    assert table["chain"].tolist() == ["OPR → SAT → LOY", "ANL → SAT → LOY", "EMP → SAT → LOY"]
    est = res.estimates.set_index("lhs")["est"]
    np.testing.assert_allclose(table["est"], est.loc[["ind_OPR", "ind_ANL", "ind_EMP"]])
    np.testing.assert_allclose(table["total_est"], est.loc[["total_OPR", "total_ANL", "total_EMP"]])
    assert (table["interval"] == "bootstrap percentile").all()
