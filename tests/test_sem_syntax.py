"""The lavaan-syntax parser and the model-building errors of crm.cfa / crm.sem."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research import CRMInputError
from crm_research.core.syntax import parse_model
from crm_research.sem.model import build_spec

REF = Path(__file__).parent / "reference" / "sem"
HS = pd.read_csv(REF / "holzinger1939.csv")
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def test_parse_operators_labels_fixed_values_and_definitions():
    parsed = parse_model("""
        # a comment line
        f =~ x1 + a*x2 + 0.5*x3   ! lavaan's other comment sign
        g =~ NA*x4 + x5 +
             x6                   # continues after a trailing '+'
        g ~ b*f; x1 ~~ x4
        y ~ -1.5*f + start(0.2)*g
        ind := a*b
        ratio := a / (b^2)
    """)
    ops = [(s.lhs, s.op, [t.name for t in s.terms]) for s in parsed.statements]
    assert ops == [("f", "=~", ["x1", "x2", "x3"]), ("g", "=~", ["x4", "x5", "x6"]), ("g", "~", ["f"]),
                   ("x1", "~~", ["x4"]), ("y", "~", ["f", "g"])]
    t = parsed.statements[0].terms
    assert t[1].label == "a" and t[2].fixed == 0.5 and t[0].label is None
    assert parsed.statements[1].terms[0].free is True
    assert parsed.statements[4].terms[0].fixed == -1.5
    assert parsed.statements[4].terms[1].start == 0.2
    assert [d.name for d in parsed.definitions] == ["ind", "ratio"]
    assert parsed.definitions[1].names == ["a", "b"]
    from crm_research.core.syntax import evaluate_definition

    assert evaluate_definition(parsed.definitions[1], {"a": 2.0, "b": 2.0}) == pytest.approx(0.5)


@pytest.mark.parametrize("model, line, col, fragment", [
    ("f =~ x1 + + x2", 1, 11, "expected a variable name"),
    ("f =~ x1 + x2\ng ~ f x3", 2, 7, "expected '+'"),
    ("f =~ x1 + x2 + x3\nf = x4", 2, 3, "unexpected character"),
    ("f =~ x1 + x2 + x3 ; f == 2", 1, 23, "not supported yet"),
    ("=~ x1 + x2", 1, 1, "variable name is needed"),
    ("f g =~ x1 + x2", 1, 3, "only one variable name"),
])
def test_syntax_errors_name_line_and_position_with_a_caret(model, line, col, fragment):
    with pytest.raises(CRMInputError) as info:
        parse_model(model)
    msg = str(info.value)
    assert f"line {line}, position {col}" in msg
    assert fragment in msg
    src_line, caret_line = msg.splitlines()[1:3]
    assert src_line.strip() == model.splitlines()[line - 1].strip()
    # the caret sits under the reported column
    assert caret_line.index("^") - 4 == col - 1


def test_unknown_variable_suggests_closest_column():
    with pytest.raises(CRMInputError, match=r"'xx9'.*did you mean 'x9'"):
        crm.cfa(HS, "f =~ x1 + x2 + xx9")


def test_definition_with_unknown_label():
    with pytest.raises(CRMInputError, match=r"uses 'bb', which is not a label.*Did you mean 'b'"):
        crm.sem(HS, "f =~ x1 + x2 + x3\nf ~ b*ageyr\nind := bb*2")


def test_not_identified_model_says_so():
    # three indicators, all loadings and the factor variance free: 7 parameters, 6 moments
    with pytest.raises(CRMInputError, match=r"not identified.*degrees of freedom would be -1"):
        crm.cfa(HS, "f =~ NA*x1 + x2 + x3")


def test_non_positive_definite_matrix_is_reported():
    data = HS[["x1", "x2", "x3"]].copy()
    data["x4"] = data["x1"] + data["x2"]  # a linear combination
    with pytest.raises(CRMInputError, match="not positive definite"):
        crm.cfa(data, "f =~ x1 + x2 + x3 + x4")
    cov = pd.DataFrame(np.ones((3, 3)), index=["a", "b", "c"], columns=["a", "b", "c"])
    with pytest.raises(CRMInputError, match="not positive definite"):
        crm.cfa(model="f =~ a + b + c", sample_cov=cov, sample_nobs=100)


def test_matrix_input_errors():
    cov = HS[["x1", "x2", "x3"]].cov()
    with pytest.raises(CRMInputError, match="sample_nobs"):
        crm.cfa(model="f =~ x1 + x2 + x3", sample_cov=cov)
    bad = cov.copy()
    bad.iloc[0, 1] += 1
    with pytest.raises(CRMInputError, match="not symmetric"):
        crm.cfa(model="f =~ x1 + x2 + x3", sample_cov=bad, sample_nobs=301)
    with pytest.raises(CRMInputError, match="sample_sd"):
        crm.cfa(model="f =~ x1 + x2 + x3", sample_cor=HS[["x1", "x2", "x3"]].corr(), sample_nobs=301)
    typo = HS[["x1", "x2", "x3"]].corr()
    typo.iloc[0, 1] = typo.iloc[1, 0] = 4.59
    with pytest.raises(CRMInputError, match=r"correlation of 4.59 between 'x1' and 'x2'"):
        crm.cfa(model="f =~ x1 + x2 + x3", sample_cor=typo, sample_sd=[1, 1, 1], sample_nobs=301)
    with pytest.raises(CRMInputError, match="not both"):
        crm.cfa(HS, "f =~ x1 + x2 + x3", sample_cov=cov, sample_nobs=301)


def test_lavaan_defaults_in_the_parameter_table():
    spec = build_spec(parse_model("""
        f1 =~ x1 + x2 + x3
        f2 =~ x4 + x5 + x6
        f3 =~ x7 + x8 + x9
        f2 ~ f1
        f3 ~ f1
        x1 ~ ageyr
    """), HS.columns)
    auto = [(r.lhs, r.op, r.rhs, r.free, r.exo) for r in spec.rows if not r.user]
    # the same rows lavaan's lavaanify(auto = TRUE) adds (checked in R)
    assert auto == [(f"x{i}", "~~", f"x{i}", True, False) for i in range(1, 10)] + [
        ("f1", "~~", "f1", True, False), ("f2", "~~", "f2", True, False), ("f3", "~~", "f3", True, False),
        ("f2", "~~", "f3", True, False), ("ageyr", "~~", "ageyr", False, True)]
    markers = [(r.lhs, r.rhs) for r in spec.rows if r.op == "=~" and not r.free]
    assert markers == [("f1", "x1"), ("f2", "x4"), ("f3", "x7")]


def test_input_frame_is_not_modified_and_persian_digits_are_read():
    data = HS[["x1", "x2", "x3"]].copy()
    before = data.copy()
    crm.cfa(data, "f =~ x1 + x2 + x3")
    pd.testing.assert_frame_equal(data, before)
    persian = data.astype(object)
    persian.loc[0, "x1"] = "۳.۵"  # Persian digits in a cell
    fit = crm.cfa(persian, "f =~ x1 + x2 + x3")
    assert fit.converged


def test_missing_values_are_dropped_listwise_and_counted():
    data = HS[["x1", "x2", "x3"]].copy()
    data.loc[:9, "x2"] = np.nan
    fit = crm.cfa(data, "f =~ x1 + x2 + x3")
    assert fit.fit_measures["n"] == 291
    assert "10 incomplete row(s) dropped" in fit.source


def test_fiml_and_dwls_are_routed_to_their_engines():
    from crm_research.sem.fiml import FIMLResult, fit_fiml
    from crm_research.sem.ordinal import OrdinalSEMResult

    holes = HS.copy()
    holes.loc[::7, "x2"] = np.nan
    fiml = crm.cfa(holes, HS_MODEL, missing="fiml")
    assert isinstance(fiml, FIMLResult)
    direct = fit_fiml(holes, HS_MODEL)
    assert fiml.fit_measures["chisq"] == pytest.approx(direct.fit_measures["chisq"], abs=1e-9)
    ordinal = HS[[f"x{i}" for i in range(1, 10)]].apply(lambda x: pd.qcut(x, 4, labels=False) + 1)
    assert isinstance(crm.cfa(ordinal, HS_MODEL, estimator="WLSMV"), OrdinalSEMResult)
    with pytest.raises(CRMInputError, match="complete cases only"):
        crm.cfa(ordinal, HS_MODEL, estimator="DWLS", missing="fiml")
    # FIML fits bootstrap since issue 13 (tests/test_sem_robust.py); DWLS fits do not yet
    with pytest.raises(CRMInputError, match="bootstrap is not available"):
        crm.cfa(ordinal, HS_MODEL, estimator="WLSMV", bootstrap=100)
    with pytest.raises(CRMInputError, match="raw data"):
        crm.cfa(model=HS_MODEL, sample_cov=HS[[f"x{i}" for i in range(1, 10)]].cov(), sample_nobs=301,
                missing="fiml")
    with pytest.raises(CRMInputError, match="unknown option"):
        crm.cfa(HS, HS_MODEL, std_ov=True)
