"""crm.sem_effect_sizes: f² (refit with the path fixed to zero) and latent VIF, against lavaan.

Reference: ``tests/reference/report_structural.R`` (lavaan) → ``tests/reference/report/ecrm_f2_vif.csv``, the
e-CRM sample study's model on its 282 complete respondents.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMConvergenceWarning, CRMInputError

REF = Path(__file__).parent / "reference" / "report" / "ecrm_f2_vif.csv"


@pytest.fixture(scope="module")
def study():
    survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    model = crm.ecrm_survey_model()
    data = survey.dropna(subset=[i for i in survey.columns if i[:3] in {"OPR", "ANL", "EMP", "SAT", "LOY", "DEL"}])
    return data, model, crm.sem(data, model, progress=False)


def test_equals_lavaan(study):
    data, _, fit = study
    ref = pd.read_csv(REF)
    got = crm.sem_effect_sizes(data, fit)
    assert got["outcome"].tolist() == ref["outcome"].tolist()
    assert got["predictor"].tolist() == ref["predictor"].tolist()
    for col in ("r2_included", "r2_excluded", "f2", "vif"):
        np.testing.assert_allclose(got[col], ref[col], atol=1e-5, err_msg=col)
    assert got["refit_converged"].all()
    bands = ["none" if v < 0.02 else "small" if v < 0.15 else "medium" if v < 0.35 else "large" for v in ref["f2"]]
    assert got["effect"].tolist() == bands


def test_no_latent_paths_gives_an_empty_table():
    data = crm.load_dataset("holzinger1939")
    fit = crm.cfa(data, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", progress=False)
    out = crm.sem_effect_sizes(data, fit)
    assert out.empty and "f2" in out.columns


def test_bad_input(study):
    data, model, fit = study
    with pytest.raises(CRMInputError, match="result"):
        crm.sem_effect_sizes(data, "not a fit")
    with pytest.raises(CRMInputError, match="missing"):
        crm.sem_effect_sizes(data, fit, missing="pairwise")


def test_a_refit_that_does_not_converge_is_reported(study, monkeypatch):
    import importlib

    api = importlib.import_module("crm_research.sem.api")  # crm_research.sem is also the function sem()

    data, model, fit = study
    real = api.sem

    def stubborn(*args, **kwargs):
        import warnings

        out = real(*args, **kwargs)
        warnings.warn("did not converge", CRMConvergenceWarning, stacklevel=2)
        return out

    monkeypatch.setattr(api, "sem", stubborn)
    with pytest.warns(CRMConvergenceWarning, match="fixed to zero"):
        out = crm.sem_effect_sizes(data, fit)
    assert not out["refit_converged"].any() and out["f2"].isna().all() and out["vif"].notna().all()
