"""Multi-group syntax against lavaan (tests/reference/sem_multigroup_syntax.R, lavaan 0.6-14).

Group-specific labels ``c(bp, bg)*x``, defined parameters over them (``diff := bp - bg``,
delta-method SE and std.all) and ``==`` constraints, with and without group.equal.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.syntax import parse_model

REF = Path(__file__).parent / "reference" / "sem_multigroup_syntax"
HS = pd.read_csv(Path(__file__).parent / "reference" / "datasets" / "lavaan_HolzingerSwineford1939.csv")
BASE = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
ECRM_MODEL = ("OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4\n"
              "SAT ~ c(am, af)*OPR\nLOY ~ c(bm, bf)*SAT + OPR\n")
TOL = 1e-3


def ecrm():
    return crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))


MODELS = {
    "hs_labels": (lambda: HS, "school", None, BASE + "speed ~ c(bp, bg)*visual + textual\ndiff := bp - bg\n"
                                                    "ratio := bp / bg\n"),
    "hs_equal_constraint": (lambda: HS, "school", None, BASE + "speed ~ c(bp, bg)*visual + textual\nbp == bg\n"),
    "hs_labels_metric": (lambda: HS, "school", ["loadings"],
                         BASE + "speed ~ c(bp, bg)*visual + c(tp, tp)*textual\ndiff := bp - bg\n"),
    "ecrm_gender": (ecrm, "gender", None, ECRM_MODEL + "ind_m := am*bm\nind_f := af*bf\nind_diff := am*bm - af*bf\n"),
    "ecrm_gender_equal": (ecrm, "gender", None, ECRM_MODEL + "am == af\n"),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_group_specific_syntax_equals_lavaan(name):
    data, group, equal, model = MODELS[name]
    fit = crm.multigroup_sem(data(), model, group_col=group, group_equal=equal)
    ref = pd.read_csv(REF / f"{name}_est.csv", keep_default_na=False)
    ref["group_value"] = ref["group_value"].astype(str)
    ours = fit.estimates.assign(group=fit.estimates["group"].astype(str))
    merged = ref.merge(ours, left_on=["lhs", "op", "rhs", "group_value"], right_on=["lhs", "op", "rhs", "group"],
                       how="left", suffixes=("_r", ""), validate="one_to_one")
    assert merged["est"].notna().all()
    assert len(ours) == len(ref)
    np.testing.assert_allclose(merged["est"], merged["est_r"].astype(float), atol=TOL)
    np.testing.assert_allclose(merged["se"], pd.to_numeric(merged["se_r"]), atol=TOL)
    np.testing.assert_allclose(merged["std_all"], pd.to_numeric(merged["std.all"]), atol=TOL)
    labelled = merged[(merged["label_r"] != "") & ~merged["label_r"].str.startswith(".")]  # not lavaan's .p2.
    assert (labelled["label"] == labelled["label_r"]).all()
    fm = pd.read_csv(REF / f"{name}_fit.csv").set_index("measure")["value"]
    for k in ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]:
        assert fit.fit_measures[k] == pytest.approx(fm[k], abs=TOL), k


def test_sem_with_group_col_reads_the_same_syntax():
    data, group, equal, model = MODELS["hs_labels"]
    fit = crm.sem(data(), model, group_col=group)
    d = fit.estimates.set_index("lhs").loc["diff"]
    assert d["est"] == pytest.approx(-0.31753, abs=TOL)
    assert d["se"] == pytest.approx(0.159596, abs=TOL)


def test_constraint_equals_a_shared_label():
    shared = crm.multigroup_sem(HS, BASE + "speed ~ c(b, b)*visual + textual", group_col="school")
    constrained = crm.multigroup_sem(HS, BASE + "speed ~ c(bp, bg)*visual + textual\nbp == bg", group_col="school")
    assert shared.fit_measures["chisq"] == pytest.approx(constrained.fit_measures["chisq"], abs=1e-6)
    assert shared.fit_measures["df"] == constrained.fit_measures["df"]


def test_parser_reads_group_modifiers_and_constraints():
    parsed = parse_model("f =~ c(1, NA)*x1 + c(a, 'b')*x2 + x3\na == b\nd := a - b")
    mods = [t.group_modifiers for t in parsed.statements[0].terms]
    assert mods == [[("fixed", 1.0), ("free", None)], [("label", "a"), ("label", "b")], None]
    assert [(c.lhs, c.rhs) for c in parsed.constraints] == [("a", "b")]


@pytest.mark.parametrize("model, match", [
    (BASE + "speed ~ c(bp, bg, bx)*visual", r"3 entries.*2 groups"),
    (BASE + "speed ~ c(bp, bg)*visual\nd := bp - bq", r"'bq'.*not a label.*'bg', 'bp'"),
    (BASE + "speed ~ c(bp, bg)*visual\nbp == bz", r"'bz'.*not the label"),
])
def test_bad_group_syntax(model, match):
    with pytest.raises(crm.CRMInputError, match=match):
        crm.multigroup_sem(HS, model, group_col="school")


def test_group_syntax_without_groups_is_refused():
    with pytest.raises(crm.CRMInputError, match=r"c\(\.\.\.\).*multi-group model \(group_col"):
        crm.sem(HS, BASE + "speed ~ c(bp, bg)*visual")
    with pytest.raises(crm.CRMInputError, match=r"'==' constraints are supported in multi-group"):
        crm.sem(HS, BASE + "speed ~ bp*visual + bt*textual\nbp == bt")
    with pytest.raises(crm.CRMInputError, match=r"not supported yet"):
        parse_model("f =~ x1 + x2 + x3\na == 2*b")
