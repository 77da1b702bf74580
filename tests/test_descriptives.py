"""Item descriptives, reverse coding and Mardia's tests against psych (tests/reference/psychometrics.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm

REF = Path(__file__).parent / "reference" / "psychometrics"
BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
BFI_ITEMS = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]
ECRM_ITEMS = ([f"OPR{i}" for i in range(1, 5)] + [f"ANL{i}" for i in range(1, 5)] + [f"EMP{i}" for i in range(1, 4)]
              + [f"SAT{i}" for i in range(1, 5)] + [f"LOY{i}" for i in range(1, 5)] + [f"DEL{i}" for i in range(1, 4)])


def ref(name):
    return pd.read_csv(REF / name)


@pytest.fixture(scope="module")
def bfi():
    return crm.reverse_code(crm.load_dataset("bfi"), BFI_REVERSED, scale=(1, 6))


@pytest.fixture(scope="module")
def ecrm():
    data = crm.load_dataset("ecrm_survey")
    data = crm.reverse_code(data, ["SAT3r", "LOY4r"], scale=(1, 5))
    return data.rename(columns={"SAT3r": "SAT3", "LOY4r": "LOY4"})


def test_reverse_code_reverses_and_leaves_input_alone():
    data = pd.DataFrame({"q1": [1, 2, 5, None], "q2": [3, 3, 4, 2], "name": ["a", "b", "c", "d"]})
    before = data.copy()
    out = crm.reverse_code(data, ["q1"], scale=(1, 5))
    pd.testing.assert_frame_equal(data, before)
    assert out["q1"].tolist()[:3] == [5.0, 4.0, 1.0] and np.isnan(out["q1"].iloc[3])
    assert out["q2"].tolist() == [3, 3, 4, 2] and out["name"].tolist() == ["a", "b", "c", "d"]


def test_reverse_code_reads_persian_digits():
    data = pd.DataFrame({"q1": ["۱", "۴", "٥"]})
    assert crm.reverse_code(data, "q1", scale=(1, 5))["q1"].tolist() == [5.0, 2.0, 1.0]


@pytest.mark.parametrize(
    "data, items, scale, match",
    [
        (pd.DataFrame({"q1": [1, 6, 3]}), ["q1"], (1, 5), r"'q1'.*outside the declared scale \[1, 5\]"),
        (pd.DataFrame({"q1": ["agree", "2", "3"]}), ["q1"], (1, 5), r"'q1'.*must be numeric.*'agree'"),
        (pd.DataFrame({"q1": [1, 2, 3]}), ["q9"], (1, 5), r"'q9'"),
        (pd.DataFrame({"q1": [1, 2, 3]}), ["q1"], (5, 1), r"'scale'"),
    ],
)
def test_reverse_code_bad_input(data, items, scale, match):
    with pytest.raises(crm.CRMInputError, match=match):
        crm.reverse_code(data, items, scale=scale)


@pytest.mark.parametrize("name, kind", [("bfi", 2), ("bfi", 3), ("bfi", 1), ("ecrm", 2), ("ecrm", 3)])
def test_item_descriptives_match_psych_describe(name, kind, bfi, ecrm):
    data, items = (bfi, BFI_ITEMS) if name == "bfi" else (ecrm, ECRM_ITEMS)
    expected = ref(f"{name}_describe.csv").set_index("item")
    result = crm.item_descriptives(data, items, skew_type=kind)
    t = result.table
    # psych::describe(type = 1, 2, 3) on the complete cases
    for ours, theirs in [("mean", "mean"), ("sd", "sd"), ("median", "median"), ("min", "min"), ("max", "max"),
                         ("skewness", f"skew{kind}"), ("kurtosis", f"kurt{kind}")]:
        np.testing.assert_allclose(t[ours].to_numpy(), expected.loc[items, theirs].to_numpy(), atol=1e-6, err_msg=ours)
    assert (t["n"] == expected.loc[items, "n"].to_numpy()).all()
    n = ref(f"{name}_n.csv").iloc[0]
    assert result.n_dropped == n["n_total"] - n["n_complete"]


def test_item_descriptives_frequencies_floor_ceiling():
    data = pd.DataFrame({"q1": [1, 1, 2, 5, 5, 5, None], "q2": [2, 3, 3, 3, 4, 4, 4]})
    result = crm.item_descriptives(data, scale=(1, 5), missing="pairwise")
    freq = result.frequencies
    assert freq.loc["q1", [1, 2, 3, 4, 5]].tolist() == [2, 1, 0, 0, 3]  # unused answers still get a column
    assert freq.loc["q1", "missing"] == 1
    assert result.table.loc["q1", "floor_pct"] == pytest.approx(100 * 2 / 6)
    assert result.table.loc["q1", "ceiling_pct"] == pytest.approx(50.0)
    assert result.table.loc["q2", "floor_pct"] == 0.0
    assert result.percentages.loc["q2"].sum() == pytest.approx(100.0)
    listwise = crm.item_descriptives(data, scale=(1, 5))
    assert listwise.n_dropped == 1 and listwise.table.loc["q2", "n"] == 6


def test_item_descriptives_rejects_constant_and_empty_items():
    with pytest.raises(crm.CRMInputError, match="'q2'.*constant"):
        crm.item_descriptives(pd.DataFrame({"q1": [1, 2, 3], "q2": [4, 4, 4]}))
    with pytest.raises(crm.CRMInputError, match="'q2'.*entirely missing"):
        crm.item_descriptives(pd.DataFrame({"q1": [1, 2, 3], "q2": [None, None, None]}))
    with pytest.raises(crm.CRMInputError, match="skew_type"):
        crm.item_descriptives(pd.DataFrame({"q1": [1, 2, 3]}), skew_type=4)


@pytest.mark.parametrize("name", ["bfi", "ecrm"])
def test_mardia_matches_psych(name, bfi, ecrm):
    data, items = (bfi, BFI_ITEMS) if name == "bfi" else (ecrm, ECRM_ITEMS)
    result = crm.mardia(data, items)
    expected = ref(f"{name}_mardia.csv").iloc[0]  # psych::mardia
    for field in ["b1p", "b2p", "skew", "small_skew", "kurtosis"]:
        assert getattr(result, field) == pytest.approx(expected[field], rel=1e-8), field
    for field in ["p_skew", "p_small", "p_kurt"]:
        assert getattr(result, field) == pytest.approx(expected[field], abs=1e-10), field
    assert result.n == expected["n"]
    frame = result.to_frame()
    assert list(frame.index) == ["skewness", "kurtosis"]
    assert "Mardia" in str(result.summary())


def test_pairwise_drop_warning_does_not_say_listwise():
    # with missing="pairwise" only rows with no answer at all are dropped; the warning must say so
    data = pd.DataFrame({"a": [1, 2, 3, np.nan, 5, 2], "b": [2, np.nan, 4, np.nan, 1, 3]})
    result = crm.item_descriptives(data, missing="pairwise")
    assert result.n_dropped == 1 and result.table.loc["a", "n"] == 5
    assert result.warnings and not any("listwise" in w for w in result.warnings)
    listwise = crm.item_descriptives(data)
    assert listwise.n_dropped == 2 and any("listwise" in w for w in listwise.warnings)


def test_frequencies_with_scale_keep_answers_between_scale_points():
    # an answer of 2.5 on a 1-5 scale was dropped from the frequencies, so the percentages of
    # the item were computed out of 6 answers instead of 7
    data = pd.DataFrame({"a": [1, 2, 2.5, 3, 4, 5, 5], "b": [1, 2, 3, 3, 4, 5, 1]})
    result = crm.item_descriptives(data, scale=(1, 5))
    assert result.frequencies.drop(columns="missing").sum(axis=1).tolist() == [7, 7]
    assert result.frequencies.loc["a", 2.5] == 1 and result.frequencies.loc["b", 2.5] == 0
    np.testing.assert_allclose(result.percentages.loc["a", 5], 200 / 7)
    assert list(result.frequencies.columns[:6]) == [1, 2, 2.5, 3, 4, 5]
