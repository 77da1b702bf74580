"""Higher-order constructs: the embedded two-stage approach (issue 14).

No R package estimates the embedded two-stage approach (R seminr has the disjoint one, checked in
test_pls_moderation.py against its fixtures), so the embedded approach is checked by rebuilding it by hand as a
SmartPLS user does it (Sarstedt, Hair, Cheah, Becker & Ringle, 2019): estimate the repeated-indicators model,
add its lower-order construct scores to the data, estimate the stage-2 model with them as the HOC's items.
"""

from pathlib import Path

import numpy as np
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

REF = Path(__file__).parent / "reference" / "pls"
STAGE2 = """
Expectation =~ CUEX1 + CUEX2 + CUEX3
Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Satisfaction {op} Image + Value
Complaints =~ CUSCO
Loyalty =~ CUSL1 + CUSL2 + CUSL3
Satisfaction ~ Expectation + Quality
Complaints ~ Satisfaction
Loyalty ~ Satisfaction
"""


@pytest.fixture(scope="module")
def mobi():
    return crm.load_dataset("mobi")


@pytest.mark.parametrize("op", ["=~", "<~"])
def test_embedded_two_stage_equals_manual_rebuild(mobi, op):
    model = (REF / "mobi_hoc.lav").read_text().replace("Satisfaction =~", f"Satisfaction {op}")
    fit = crm.pls_sem(mobi, model, hoc="embedded_two_stage", progress=False)
    stage1 = crm.pls_sem(mobi, model, hoc="repeated_indicators", progress=False)
    data = mobi.assign(Image=stage1.scores["Image"], Value=stage1.scores["Value"])
    manual = crm.pls_sem(data, STAGE2.format(op=op), progress=False)
    np.testing.assert_allclose(fit.paths["est"], manual.paths["est"], atol=1e-10)
    hoc = fit.outer[fit.outer["construct"] == "Satisfaction"].set_index("item")
    ref = manual.outer[manual.outer["construct"] == "Satisfaction"].set_index("item")
    np.testing.assert_allclose(hoc[["loading", "weight"]], ref[["loading", "weight"]], atol=1e-10)
    assert list(hoc["mode"].unique()) == ["A" if op == "=~" else "B"]
    # the LOCs' measurement models are assessed in stage 1
    rel = fit.reliability.set_index("construct")
    assert rel.loc["Image", "rho_c"] == pytest.approx(stage1.reliability.set_index("construct").loc["Image", "rho_c"])
    assert fit.stage1 is not None and fit.hoc == "embedded_two_stage"
    assert "embedded two-stage" in str(fit.summary())
    assert fit.paths["est"].notna().all()


def test_embedded_differs_from_disjoint_but_little(mobi):
    model = (REF / "mobi_hoc.lav").read_text()
    emb = crm.pls_sem(mobi, model, hoc="embedded_two_stage", progress=False).paths["est"].to_numpy()
    dis = crm.pls_sem(mobi, model, hoc="disjoint_two_stage", progress=False).paths["est"].to_numpy()
    alias = crm.pls_sem(mobi, model, hoc="two_stage", progress=False).paths["est"].to_numpy()
    np.testing.assert_array_equal(dis, alias)
    assert 0 < np.abs(emb - dis).max() < 0.05


def test_reflective_formative_assessment_with_bootstrap(mobi):
    """A formative HOC (reflective-formative type): LOC weights with bootstrap p values, VIF, Hair's decision."""
    model = (REF / "mobi_hoc.lav").read_text().replace("Satisfaction =~", "Satisfaction <~")
    fit = crm.pls_sem(mobi, model, hoc="embedded_two_stage", bootstrap=100, seed=4, n_jobs=1, progress=False)
    f = fit.formative().set_index("item")
    assert list(f.index) == ["Image", "Value"]
    assert (f["weight_pvalue"] < 0.05).all() and (f["vif"] < 3).all()
    again = crm.pls_sem(mobi, model, hoc="embedded_two_stage", bootstrap=100, seed=4, n_jobs=1, progress=False)
    assert fit.paths.equals(again.paths)  # seeded


def test_embedded_with_interaction_is_rejected(mobi):
    with pytest.raises(CRMInputError, match="embedded_two_stage"):
        crm.pls_sem(mobi, (REF / "mobi_hoc_interaction.lav").read_text(), hoc="embedded_two_stage")
