"""Fornell-Larcker and HTMT against lavaan and semTools::htmt (tests/reference/psychometrics.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.psychometrics.validity import _block_matrix, _cor_stack, _htmt_from_cor

REF = Path(__file__).parent / "reference" / "psychometrics"
BFI = {c: [f"{c}{i}" for i in range(1, 6)] for c in "ACENO"}
ECRM = {
    "OPR": [f"OPR{i}" for i in range(1, 5)],
    "ANL": [f"ANL{i}" for i in range(1, 5)],
    "EMP": [f"EMP{i}" for i in range(1, 4)],
    "SAT": [f"SAT{i}" for i in range(1, 5)],
    "LOY": [f"LOY{i}" for i in range(1, 5)],
    "DEL": [f"DEL{i}" for i in range(1, 4)],
}


def ref(name, index_col=0):
    return pd.read_csv(REF / name, index_col=index_col)


def dataset(name, bfi, ecrm):
    return (bfi, BFI) if name == "bfi" else (ecrm, ECRM)


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
@pytest.mark.parametrize("htmt2", [True, False])
def test_htmt_matches_semtools(name, htmt2, bfi, ecrm):
    data, constructs = dataset(name, bfi, ecrm)
    table = crm.htmt(data, constructs, htmt2=htmt2)
    # semTools::htmt(model, data, htmt2 = TRUE (its default) / FALSE) on complete cases
    expected = ref(f"{name}_htmt2.csv" if htmt2 else f"{name}_htmt.csv")
    assert list(table.index) == list(constructs) == list(table.columns)
    np.testing.assert_allclose(table.to_numpy(), expected.to_numpy(), atol=1e-10)
    n = ref(f"{name}_n.csv", None).iloc[0]
    assert table.n_dropped == n["n_total"] - n["n_complete"] and not table.attrs


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_fornell_larcker_matches_lavaan(name, bfi, ecrm):
    data, constructs = dataset(name, bfi, ecrm)
    names = list(constructs)
    table = crm.fornell_larcker(data, constructs)
    cor = ref(f"{name}_cfa_factor_cor.csv")  # lavInspect(fit, "cor.lv")
    ave = ref(f"{name}_construct_reliability.csv")["ave"]  # from standardizedSolution
    square = table[names].to_numpy()
    off = ~np.eye(len(names), dtype=bool)
    np.testing.assert_allclose(square[off], cor.loc[names, names].to_numpy()[off], atol=2e-5)
    np.testing.assert_allclose(np.diag(square), np.sqrt(ave.loc[names].to_numpy()), atol=2e-5)
    expected_ok = np.sqrt(ave.loc[names].to_numpy()) > np.max(np.abs(np.where(off, cor.loc[names, names], 0)), axis=1)
    assert table["discriminant_ok"].tolist() == expected_ok.tolist()


def test_bootstrap_correlations_equal_direct_resampling(ecrm):
    # the vectorised bootstrap (counts matrix) gives exactly the correlations of the resampled rows
    x = ecrm[[i for its in ECRM.values() for i in its]].dropna().to_numpy()
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(x), size=(3, len(x)))
    W = np.stack([np.bincount(i, minlength=len(x)) for i in idx]).astype(float)
    stack = _cor_stack(x, W)
    for b in range(3):
        np.testing.assert_allclose(stack[b], np.corrcoef(x[idx[b]], rowvar=False), atol=1e-12)
    A = _block_matrix(ECRM, [i for its in ECRM.values() for i in its])
    direct = _htmt_from_cor(np.corrcoef(x[idx[0]], rowvar=False), A, True, True)
    np.testing.assert_allclose(_htmt_from_cor(stack, A, True, True)[0], direct, atol=1e-12)


def test_htmt_bootstrap_intervals(ecrm):
    res = crm.htmt_intervals(ecrm, ECRM, bootstrap=300, seed=11)
    again = crm.htmt_intervals(ecrm, ECRM, bootstrap=300, seed=11)
    intervals = res.intervals
    pd.testing.assert_frame_equal(intervals, again.intervals)  # same seed, same numbers
    pd.testing.assert_frame_equal(res.table, crm.htmt(ecrm, ECRM))
    assert len(intervals) == 15 and res.bootstrap == 300 and res.n_failed == 0 and res.seed == 11
    assert list(intervals.columns) == ["construct_1", "construct_2", "htmt", "ci_low", "ci_high",
                                       "below_085", "below_090", "upper_below_1"]
    assert (intervals["ci_low"] < intervals["htmt"]).all() and (intervals["htmt"] < intervals["ci_high"]).all()
    assert (intervals["upper_below_1"] == (intervals["ci_high"] < 1)).all()
    lo, hi = res.ci_low, res.ci_high
    assert lo.loc["SAT", "LOY"] == pytest.approx(intervals.set_index(["construct_1", "construct_2"]).loc[("SAT", "LOY"), "ci_low"])
    assert (hi.to_numpy() >= lo.to_numpy()).all()
    # a percentile interval's width shrinks roughly with 1/sqrt(n): the bootstrap SD should be near the
    # delta-method scale of a correlation-based ratio, i.e. between 0.005 and 0.2 here
    width = (intervals["ci_high"] - intervals["ci_low"]) / (2 * 1.96)
    assert width.between(0.005, 0.2).all()
    assert crm.htmt(ecrm, ECRM).attrs.get("intervals") is None
    # the limits are the percentile rule of core.resampling on the resamples it draws
    from crm_research.core.resampling import percentile_interval, resample_indices

    x = ecrm[[i for its in ECRM.values() for i in its]].dropna().to_numpy()
    A = _block_matrix(ECRM, [i for its in ECRM.values() for i in its])
    idx = resample_indices(len(x), 300, seed=11)
    direct = np.stack([_htmt_from_cor(np.corrcoef(x[i], rowvar=False), A, True, True) for i in idx])
    np.testing.assert_allclose(lo.to_numpy(), percentile_interval(direct, 0.95)[0], atol=1e-10)
    assert "HTMT" in res.summary().as_text() and len(res.to_frame()) == 15


def test_htmt_bootstrap_argument_is_deprecated_but_works(ecrm):
    pair = {"SAT": ECRM["SAT"], "LOY": ECRM["LOY"]}
    with pytest.warns(FutureWarning, match="htmt_intervals"):
        table = crm.htmt(ecrm, pair, bootstrap=50, seed=3)
    pd.testing.assert_frame_equal(table.attrs["intervals"],
                                  crm.htmt_intervals(ecrm, pair, bootstrap=50, seed=3).intervals)


def test_htmt_interval_warns_when_upper_limit_reaches_one(ecrm):
    # two halves of one construct: HTMT near 1, so its upper limit passes 1
    res = crm.htmt_intervals(ecrm, {"S1": ["SAT1", "SAT2"], "S2": ["SAT3", "SAT4"]}, bootstrap=200, seed=1)
    row = res.intervals.iloc[0]
    assert not row["upper_below_1"]
    assert any("discriminant validity is not established" in w for w in res.warnings)


@pytest.mark.parametrize(
    "constructs, kwargs, match",
    [
        ({"SAT": ["SAT1", "SAT2"], "LOY": ["LOY1", "LOYX"]}, {}, r"'LOYX'"),
        ({"SAT": ["SAT1", "SAT2"], "LOY": ["SAT2", "LOY1"]}, {}, r"'SAT2'.*both"),
        ({"SAT": ["SAT1"], "LOY": ["LOY1", "LOY2"]}, {}, r"'SAT'.*at least 2"),
        ({"SAT": ["SAT1", "SAT2"], "LOY": ["LOY1", "LOY2"]}, {"bootstrap": -1}, r"'bootstrap'"),
        ({"SAT": ["SAT1", "SAT2"], "LOY": ["LOY1", "LOY2"]}, {"ci": 1.5}, r"'ci'"),
        ({"SAT": ["SAT1", "SAT2"], "LOY": ["LOY1", "LOY2"]}, {"seed": "x"}, r"'seed'"),
    ],
)
def test_htmt_bad_input(ecrm, constructs, kwargs, match):
    with pytest.raises(crm.CRMInputError, match=match):
        crm.htmt_intervals(ecrm, constructs, **{"bootstrap": 20, **kwargs})
    if not kwargs:
        with pytest.raises(crm.CRMInputError, match=match):
            crm.htmt(ecrm, constructs)


def test_htmt_text_answers_and_persian_digits(ecrm):
    data = ecrm.copy()
    data["SAT1"] = data["SAT1"].astype(object)
    data.loc[data.index[0], "SAT1"] = "agree"
    with pytest.raises(crm.CRMInputError, match=r"'SAT1'.*'agree'"):
        crm.htmt(data, {"SAT": ECRM["SAT"], "LOY": ECRM["LOY"]})
    persian = ecrm.copy()
    persian["SAT1"] = [crm.to_persian_digits(f"{v:.0f}") if v == v else None for v in ecrm["SAT1"]]
    pd.testing.assert_frame_equal(crm.htmt(persian, {"SAT": ECRM["SAT"], "LOY": ECRM["LOY"]}),
                                  crm.htmt(ecrm, {"SAT": ECRM["SAT"], "LOY": ECRM["LOY"]}))


def test_fornell_larcker_accepts_any_construct_name(bfi):
    # construct names are labels chosen by the researcher ("Customer Satisfaction", a Persian name
    # with a zero-width non-joiner, a number), not lavaan identifiers; the internal CFA must not
    # reject them with a syntax error about a model the user never wrote
    plain = crm.fornell_larcker(bfi, {"A": BFI["A"], "C": BFI["C"]})
    names = {"Customer Satisfaction": BFI["A"], "وفاداری\u200cمشتری": BFI["C"]}
    named = crm.fornell_larcker(bfi, names)
    assert list(named.index) == list(names)
    np.testing.assert_allclose(named[list(names)].to_numpy(), plain[["A", "C"]].to_numpy(), atol=1e-12)
    numbered = crm.fornell_larcker(bfi, {1: BFI["A"], 2: BFI["C"]})
    np.testing.assert_allclose(numbered["max_r"].to_numpy(), plain["max_r"].to_numpy(), atol=1e-12)
