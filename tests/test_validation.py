"""The single validation helper: every failure is a CRMInputError that names the problem."""

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research import CRMInputError
from crm_research import validation as v


@pytest.fixture
def survey():
    return pd.DataFrame(
        {
            "SAT1": [1, 2, 3, 4, 5],
            "SAT2": ["۱", "۲", "٣", "4", None],  # Persian / Arabic-Indic digits, one missing
            "LOY1": ["agree", "3", "4", "5", "2"],
            "CONST": [3, 3, 3, 3, 3],
            "EMPTY": [np.nan] * 5,
        }
    )


def test_check_dataframe_rejects_non_frames_and_empty():
    with pytest.raises(CRMInputError, match="'data' parameter of f must be a pandas DataFrame. Got list"):
        v.check_dataframe([1, 2], func="f")
    with pytest.raises(CRMInputError, match="at least 1 row"):
        v.check_dataframe(pd.DataFrame({"a": []}))


def test_unknown_column_suggests_the_closest(survey):
    with pytest.raises(CRMInputError, match=r"column 'SAT3'.*Did you mean 'SAT[12]' or 'SAT[12]'"):
        v.check_columns(survey, ["SAT1", "SAT3"])
    with pytest.raises(CRMInputError, match="lists column 'SAT1' twice"):
        v.check_columns(survey, ["SAT1", "SAT1"])


def test_numeric_columns_read_persian_digits_without_mutating(survey):
    before = survey.copy()
    out = v.check_numeric_columns(survey, ["SAT1", "SAT2"])
    assert out["SAT2"].tolist()[:4] == [1.0, 2.0, 3.0, 4.0]
    assert np.isnan(out["SAT2"].iloc[4])
    pd.testing.assert_frame_equal(survey, before)


def test_text_answers_are_reported_with_column_and_examples(survey):
    with pytest.raises(CRMInputError, match=r"Column 'LOY1'.*must be numeric.*'agree'.*rows 0"):
        v.check_numeric_columns(survey, ["LOY1"])


def test_constant_empty_missing_and_scale(survey):
    with pytest.raises(CRMInputError, match="'CONST'.*constant"):
        v.check_numeric_columns(survey, ["CONST"], allow_constant=False)
    with pytest.raises(CRMInputError, match="'EMPTY'.*entirely missing"):
        v.check_numeric_columns(survey, ["EMPTY"])
    with pytest.raises(CRMInputError, match="'SAT2'.*1 missing"):
        v.check_numeric_columns(survey, ["SAT2"], allow_missing=False)
    with pytest.raises(CRMInputError, match=r"'SAT1'.*outside the declared scale \[1, 4\]: 5.0"):
        v.check_numeric_columns(survey, ["SAT1"], scale=(1, 4))


def test_scalar_checks_follow_one_message_shape():
    with pytest.raises(CRMInputError, match=r"The 'k' parameter of segment must be an int in the range \[2, inf\). Got 1"):
        v.check_int(1, "k", func="segment", min_value=2)
    assert v.check_int(3.0, "k") == 3
    with pytest.raises(CRMInputError, match="must be an int"):
        v.check_int(True, "k")
    with pytest.raises(CRMInputError, match=r"'ci'.*\(0.0, 1.0\)"):
        v.check_ci(1.0)
    assert v.check_ci(0.9) == 0.9
    with pytest.raises(CRMInputError, match="one of 'kmeans', 'gmm'"):
        v.check_choice("dbscan", "method", ["kmeans", "gmm"])
    assert v.check_choice("KMeans", "method", ["kmeans", "gmm"]) == "kmeans"
    with pytest.raises(CRMInputError, match="'seed'"):
        v.check_seed(-1)
    assert v.check_seed(None) is None
    with pytest.raises(CRMInputError, match="min < max"):
        v.check_scale((5, 1))
    assert v.check_scale([1, 7]) == (1.0, 7.0)
    with pytest.raises(CRMInputError, match="True or False"):
        v.check_bool("yes", "scale")


def test_constructs_mapping(survey):
    ok = v.check_constructs(survey, {"S": ["SAT1", "SAT2"]})
    assert ok == {"S": ["SAT1", "SAT2"]}
    with pytest.raises(CRMInputError, match="Item 'SAT1' is listed under both construct 'S' and 'T'"):
        v.check_constructs(survey, {"S": ["SAT1", "SAT2"], "T": ["SAT1"]})
    with pytest.raises(CRMInputError, match="Construct 'S'.*0 item"):
        v.check_constructs(survey, {"S": []})
    with pytest.raises(CRMInputError, match="'XYZ'"):
        v.check_constructs(survey, {"S": ["XYZ"]})
    with pytest.raises(CRMInputError, match="non-empty dict"):
        v.check_constructs(survey, ["SAT1"])


def test_review_pd_na_in_a_string_column_is_missing_not_text():
    # review: pandas' "string" dtype marks gaps with pd.NA, which was reported as a
    # non-numeric value "nan" instead of a missing value
    data = pd.DataFrame({"q1": pd.Series(["1", "۲", None, "4"], dtype="string")})
    out = v.check_numeric_columns(data, ["q1"])
    assert out["q1"].tolist()[:2] == [1.0, 2.0] and np.isnan(out["q1"].iloc[2])
    with pytest.raises(CRMInputError, match="'q1' of 'data' has 1 missing value"):
        v.check_numeric_columns(data, ["q1"], allow_missing=False)


def test_review_duplicated_column_names_are_reported():
    # review: data[col] then returned a DataFrame and the helper failed with a bare TypeError
    data = pd.DataFrame([[1, 2, 3], [3, 4, 5]], columns=["x", "x", "y"])
    with pytest.raises(CRMInputError, match="several columns of that name"):
        v.check_numeric_columns(data, ["x"])
    assert v.check_numeric_columns(data, ["y"])["y"].tolist() == [3.0, 5.0]


def test_nested_lists_and_constructs_named_alike_are_refused(survey):
    with pytest.raises(CRMInputError, match="must list column names; \\['SAT1'\\] is a list"):
        v.check_columns(survey, [["SAT1"]])
    with pytest.raises(CRMInputError, match="Construct '1' is listed twice"):
        v.check_constructs(survey, {1: ["SAT1"], "1": ["SAT2"]})


# -- issue 16: messages that say the real cause; nothing dropped silently ----------------------------


def test_issue16_one_row_is_not_called_constant():
    with pytest.raises(CRMInputError, match="only 1 non-missing value") as err:
        v.check_numeric_columns(pd.DataFrame({"A": [3.0]}), ["A"], allow_constant=False)
    assert "constant" not in str(err.value)


def test_issue16_infinite_item_is_an_error_not_dropped():
    frame = pd.DataFrame({"A": [1.0, 2.0, np.inf, 4.0]})
    with pytest.raises(CRMInputError, match="infinite value"):
        v.check_numeric_columns(frame, ["A"])


def test_issue16_huge_values_are_refused_before_they_overflow():
    frame = pd.DataFrame({"A": [1e200, 2e200, 3e200]})
    with pytest.raises(CRMInputError, match="Rescale"):
        v.check_numeric_columns(frame, ["A"])


def _likert(n=60, p=5, seed=3):
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    return pd.DataFrame(np.clip(np.round(3 + common + rng.normal(scale=0.8, size=(n, p))), 1, 5),
                        columns=[f"I{i}" for i in range(1, p + 1)])


def test_issue16_likert_times_1e200_alpha_is_not_nan():
    with pytest.raises(CRMInputError, match="overflow"):
        crm.cronbach_alpha(_likert() * 1e200)


def test_issue16_col_errors_name_the_real_parameter():
    log = pd.DataFrame({"customer_id": [1, 2], "order_date": ["2024-01-01", "2024-01-02"], "amount": [1.0, 2.0]})
    with pytest.raises(CRMInputError, match="'date_col' parameter of rfm"):
        crm.rfm(log, date_col="day")
    with pytest.raises(CRMInputError, match="'week_col' parameter"):
        crm.winback_timing(pd.DataFrame({"w": [1], "r": [1]}), week_col="week", response_col="r")


def test_issue16_fewer_respondents_than_items_says_so():
    with pytest.raises(CRMInputError, match="4 respondents .* for 5 items") as err:
        crm.kmo(_likert().head(4))
    assert "duplicates" not in str(err.value)


def test_issue16_params_name_the_argument_and_the_frame():
    frame = pd.DataFrame({"customer_id": [1]})
    with pytest.raises(CRMInputError, match="The 'offer_col' parameter of f names column 'offer', which is not in "
                                            "'train'"):
        v.check_columns(frame, ["customer_id", "offer"], name="train", func="f", params=["customer_col", "offer_col"])


@pytest.mark.parametrize("value", [-(2**63) - 1, 10**400, complex(1, 2)])
def test_issue16_check_number_of_a_huge_int_is_a_crm_error_or_a_float(value):
    # found by Hypothesis: np.isnan on a Python int beyond int64 raised TypeError
    try:
        out = v.check_number(value, "x", "f")
    except CRMInputError:
        return
    assert out == float(value)
