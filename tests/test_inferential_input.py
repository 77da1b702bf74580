"""Bad input to the chapter-4 tests raises CRMInputError naming what and why; results print in English and Persian."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError


@pytest.fixture()
def data() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60
    return pd.DataFrame({"SAT": rng.normal(3.6, 0.6, n).clip(1, 5), "LOY": rng.normal(3.2, 0.7, n).clip(1, 5),
                         "EMP": rng.normal(3.0, 0.8, n).clip(1, 5),
                         "gender": rng.choice(["f", "m"], n), "channel": rng.choice(["web", "app", "shop"], n)})


def test_grouping_column_with_one_level(data):
    data = data.assign(gender="f")
    with pytest.raises(CRMInputError, match=r"'gender' has 1 level"):
        crm.compare_groups(data, "SAT", "gender")


def test_group_of_size_one(data):
    data = data.copy()
    data.loc[0, "channel"] = "phone"
    with pytest.raises(CRMInputError, match=r"\['phone'\].*single respondent"):
        crm.compare_groups(data, "SAT", "channel")


def test_all_tied_values(data):
    # tied in every row that has a group; the one different answer has no group
    tied = data.assign(SAT=3.0)
    tied.loc[5, "SAT"] = 4.0
    tied.loc[5, "gender"] = None
    with pytest.raises(CRMInputError, match="all values of 'SAT' are tied"):
        crm.compare_groups(tied, "SAT", "gender")
    with pytest.raises(CRMInputError, match="all ties"):
        crm.friedman_ranking(pd.DataFrame({"A": [1, 2, 3, 4], "B": [1, 2, 3, 4]}))
    with pytest.raises(CRMInputError, match="'SAT'.*constant"):
        crm.one_sample_test(pd.DataFrame({"SAT": [3.0, 3.0, 3.0, 3.0]}), mu=3, method="wilcoxon")


def test_constant_variable(data):
    for call in (lambda d: crm.normality(d, ["SAT"]), lambda d: crm.one_sample_test(d, ["SAT"]),
                 lambda d: crm.correlation_matrix(d, ["SAT", "LOY"]), lambda d: crm.compare_groups(d, "SAT", "gender")):
        with pytest.raises(CRMInputError, match="'SAT'.*constant"):
            call(data.assign(SAT=4.0))


def test_text_in_a_numeric_column(data):
    data = data.astype({"SAT": object})
    data.loc[3, "SAT"] = "agree"
    for call in (lambda: crm.normality(data, ["SAT"]), lambda: crm.one_sample_test(data, ["SAT"]),
                 lambda: crm.compare_groups(data, "SAT", "gender"), lambda: crm.friedman_ranking(data, ["SAT", "LOY"]),
                 lambda: crm.correlation_matrix(data, ["SAT", "LOY"])):
        with pytest.raises(CRMInputError, match="'SAT'.*must be numeric.*'agree'"):
            call()


def test_midpoint_outside_the_scale(data):
    with pytest.raises(CRMInputError, match=r"mu=4 lies outside the scale \[1, 3\]"):
        crm.one_sample_test(data.assign(SAT=data["SAT"].clip(1, 3)), ["SAT"], mu=4, scale=(1, 3))
    with pytest.raises(CRMInputError, match="outside the scale"):
        crm.one_sample_test(data, ["SAT"], mu=3, scale=(1, 4))


def test_population_smaller_than_sample():
    with pytest.raises(CRMInputError, match=r"achieved=500.*larger than the population \(400\)"):
        crm.sample_size(400, achieved=500)
    with pytest.raises(CRMInputError, match="population"):
        crm.krejcie_morgan(0)
    with pytest.raises(CRMInputError, match="rmsea_a"):
        crm.rmsea_power(10, 200, rmsea_a=0.05)


def test_other_bad_arguments(data):
    with pytest.raises(CRMInputError, match="method"):
        crm.normality(data, ["SAT"], method="kolmogorov")
    with pytest.raises(CRMInputError, match="both the grouping column"):
        crm.compare_groups(data, ["SAT", "gender"], "gender")
    with pytest.raises(CRMInputError, match="at least 2 constructs"):
        crm.common_method_bias(data, {"S": ["SAT", "LOY"]})
    with pytest.raises(CRMInputError, match="group_col"):
        crm.compare_groups(data, "SAT", "sex")


def test_inputs_are_not_mutated(data):
    before = data.copy()
    crm.compare_groups(data, ["SAT", "LOY"], "channel")
    crm.one_sample_test(data, ["SAT"])
    crm.normality(data, ["SAT", "LOY"])
    pd.testing.assert_frame_equal(data, before)


def test_decision_rule_and_persian_summary(data):
    res = crm.compare_groups(data, ["SAT", "LOY"], "channel")
    assert res.choice["post_hoc"].isin(["tukey", "games_howell", "dunn"]).all()
    assert res.posthoc.groupby("variable")["chosen"].sum().eq(3).all()  # 3 pairs of the chosen post hoc
    forced = crm.compare_groups(data, ["SAT"], "channel", parametric=False)
    assert forced.choice.loc["SAT", "test"] == "kruskal" and forced.choice.loc["SAT", "post_hoc"] == "dunn"
    text = res.summary(language="fa").as_text()
    assert "مقایسه گروه‌ها" in text and "آزمون‌های تعقیبی" in text
    assert "Group comparisons" in str(res)
    for r in (crm.normality(data, ["SAT"]), crm.one_sample_test(data, ["SAT"]),
              crm.friedman_ranking(data, ["SAT", "LOY", "EMP"]), crm.correlation_matrix(data, ["SAT", "LOY"])):
        assert r.summary(language="fa").title != r.summary().title
    with pytest.raises(CRMInputError, match="language"):
        res.summary(language="de")


def test_ks_without_lilliefors_warns_and_is_lenient(data):
    x = pd.DataFrame({"v": np.r_[np.random.default_rng(1).exponential(1, 80)]})
    ks = crm.normality(x, method="ks")
    lil = crm.normality(x, method="lilliefors")
    assert ks.table.loc["v", "statistic"] == pytest.approx(lil.table.loc["v", "statistic"])
    assert ks.table.loc["v", "p"] > lil.table.loc["v", "p"]
    assert any("Lilliefors" in w for w in ks.warnings)
