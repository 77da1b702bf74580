"""The chapter-4 tests equal R to 1e-3 (tests/reference/inferential/inferential.R, clf.R; CI needs no R).

Data: the bundled ecrm_survey (listwise, 282 respondents, construct scores = item means), R's
PlantGrowth and ToothGrowth (exported to CSV by the R script) and the bundled bfi.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

REF = crm.datasets.dataset_path().parent / "tests" / "reference" / "inferential"
TOL = 1e-3
CONSTRUCTS = {"OPR": ["OPR1", "OPR2", "OPR3", "OPR4"], "ANL": ["ANL1", "ANL2", "ANL3", "ANL4"],
              "EMP": ["EMP1", "EMP2", "EMP3"], "SAT": ["SAT1", "SAT2", "SAT3", "SAT4"],
              "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"], "DEL": ["DEL1", "DEL2", "DEL3"]}


@pytest.fixture(scope="module")
def r_ref() -> pd.DataFrame:
    return pd.read_csv(REF / "r_reference.csv")


def ref(r_ref, dataset, analysis, key, stat) -> float:
    hit = r_ref[(r_ref.dataset == dataset) & (r_ref.analysis == analysis) & (r_ref.key == key) & (r_ref.stat == stat)]
    assert len(hit) == 1, (dataset, analysis, key, stat)
    return float(hit["value"].iloc[0])


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))


@pytest.fixture(scope="module")
def scores(survey) -> pd.DataFrame:
    s = crm.construct_scores(survey, CONSTRUCTS)
    for g in ("gender", "education", "preferred_channel"):
        s[g] = survey.loc[s.index, g]
    return s


@pytest.fixture(scope="module")
def plant() -> pd.DataFrame:
    return pd.read_csv(REF / "plantgrowth.csv")


@pytest.fixture(scope="module")
def tooth() -> pd.DataFrame:
    return pd.read_csv(REF / "toothgrowth.csv")


def test_construct_scores_use_the_listwise_rule(scores):
    assert len(scores) == 282


@pytest.mark.parametrize("method,stat", [("shapiro", "shapiro"), ("lilliefors", "lilliefors"), ("ks", "ks")])
def test_normality_equals_r(r_ref, scores, plant, tooth, method, stat):
    cases = [("ecrm", scores, list(CONSTRUCTS)), ("plantgrowth", plant, ["weight"]), ("toothgrowth", tooth, ["len"])]
    for dataset, data, cols in cases:
        res = crm.normality(data, cols, method=method)
        for c in cols:
            letter = "W" if method == "shapiro" else "D"
            assert res.table.loc[c, "statistic"] == pytest.approx(ref(r_ref, dataset, "normality", c, f"{stat}_{letter}"), abs=TOL)
            assert res.table.loc[c, "p"] == pytest.approx(ref(r_ref, dataset, "normality", c, f"{stat}_p"), abs=TOL)
            assert res.table.loc[c, "skewness"] == pytest.approx(ref(r_ref, dataset, "normality", c, "skewness"), abs=TOL)
            assert res.table.loc[c, "kurtosis"] == pytest.approx(ref(r_ref, dataset, "normality", c, "kurtosis"), abs=TOL)


def test_one_sample_equals_r(r_ref, scores, plant):
    for dataset, data, cols, mu in [("ecrm", scores, list(CONSTRUCTS), 3), ("plantgrowth", plant, ["weight"], 5)]:
        t = crm.one_sample_test(data, cols, mu=mu).table
        tg = crm.one_sample_test(data, cols, mu=mu, alternative="greater").table
        w = crm.one_sample_test(data, cols, mu=mu, method="wilcoxon").table
        for c in cols:
            assert t.loc[c, "statistic"] == pytest.approx(ref(r_ref, dataset, "one_sample", c, "t"), abs=TOL)
            assert t.loc[c, "df"] == ref(r_ref, dataset, "one_sample", c, "df")
            assert t.loc[c, "p"] == pytest.approx(ref(r_ref, dataset, "one_sample", c, "p"), abs=TOL)
            assert t.loc[c, "ci_low"] == pytest.approx(ref(r_ref, dataset, "one_sample", c, "diff_ci_low"), abs=TOL)
            assert t.loc[c, "ci_high"] == pytest.approx(ref(r_ref, dataset, "one_sample", c, "diff_ci_high"), abs=TOL)
            assert t.loc[c, "cohen_d"] == pytest.approx(ref(r_ref, dataset, "one_sample", c, "cohen_d"), abs=TOL)
            assert tg.loc[c, "p"] == pytest.approx(ref(r_ref, dataset, "one_sample", c, "p_greater"), abs=TOL)
            assert w.loc[c, "statistic"] == pytest.approx(ref(r_ref, dataset, "one_sample", c, "V"), abs=TOL)
            assert w.loc[c, "p"] == pytest.approx(ref(r_ref, dataset, "one_sample", c, "wilcoxon_p"), abs=TOL)


def test_friedman_equals_r(r_ref, scores):
    bfi = crm.load_dataset("bfi")
    for dataset, data, cols in [("ecrm", scores, ["OPR", "ANL", "EMP"]), ("bfi", bfi, ["A2", "A3", "A4", "A5"])]:
        res = crm.friedman_ranking(data, cols)
        key = ",".join(cols)
        for stat, col in [("chisq", "chisq"), ("df", "df"), ("p", "p"), ("kendall_W", "kendall_w")]:
            assert res.test[col].iloc[0] == pytest.approx(ref(r_ref, dataset, "friedman", key, stat), abs=TOL)
        for c in cols:
            assert res.ranks.loc[c, "mean_rank"] == pytest.approx(ref(r_ref, dataset, "friedman", key, f"mean_rank_{c}"), abs=TOL)
        assert list(res.ranks["rank"]) == list(range(1, len(cols) + 1))


def _test(res, var, name):
    t = res.tests
    return t[(t.variable == var) & (t.test == name)].iloc[0]


def test_two_groups_equal_r(r_ref, scores, tooth):
    for dataset, data, cols, g in [("ecrm", scores, list(CONSTRUCTS), "gender"), ("toothgrowth", tooth, ["len"], "supp")]:
        res = crm.compare_groups(data, cols, g)
        for c in cols:
            key = f"{c}|{g}"
            st, we = _test(res, c, "student_t"), _test(res, c, "welch_t")
            lv, mw = _test(res, c, "levene"), _test(res, c, "mann_whitney")
            assert st.statistic == pytest.approx(ref(r_ref, dataset, "two_groups", key, "student_t"), abs=TOL)
            assert st.df1 == pytest.approx(ref(r_ref, dataset, "two_groups", key, "student_df"), abs=TOL)
            assert st.p == pytest.approx(ref(r_ref, dataset, "two_groups", key, "student_p"), abs=TOL)
            assert we.statistic == pytest.approx(ref(r_ref, dataset, "two_groups", key, "welch_t"), abs=TOL)
            assert we.df1 == pytest.approx(ref(r_ref, dataset, "two_groups", key, "welch_df"), abs=TOL)
            assert we.p == pytest.approx(ref(r_ref, dataset, "two_groups", key, "welch_p"), abs=TOL)
            assert lv.statistic == pytest.approx(ref(r_ref, dataset, "two_groups", key, "levene_F"), abs=TOL)
            assert lv.p == pytest.approx(ref(r_ref, dataset, "two_groups", key, "levene_p"), abs=TOL)
            assert mw.statistic == pytest.approx(ref(r_ref, dataset, "two_groups", key, "mwu_W"), abs=TOL)
            assert mw.p == pytest.approx(ref(r_ref, dataset, "two_groups", key, "mwu_p"), abs=TOL)
        assert res.tests.groupby("variable")["chosen"].sum().eq(1).all()


def test_k_groups_and_post_hoc_equal_r(r_ref, scores, plant):
    cases = [("ecrm", scores, list(CONSTRUCTS), "education"), ("ecrm", scores, ["SAT"], "preferred_channel"),
             ("plantgrowth", plant, ["weight"], "group")]
    for dataset, data, cols, g in cases:
        res = crm.compare_groups(data, cols, g)
        for c in cols:
            key = f"{c}|{g}"
            a, w, lv, kw = (_test(res, c, n) for n in ("anova", "welch_anova", "levene", "kruskal"))
            for row, stat, col in [(a, "anova_F", "statistic"), (a, "anova_p", "p"), (a, "anova_df1", "df1"),
                                   (a, "anova_df2", "df2"), (a, "eta_sq", "effect_size"),
                                   (w, "welch_F", "statistic"), (w, "welch_df2", "df2"), (w, "welch_p", "p"),
                                   (lv, "levene_F", "statistic"), (lv, "levene_p", "p"),
                                   (kw, "kruskal_H", "statistic"), (kw, "kruskal_p", "p"),
                                   (kw, "epsilon_sq", "effect_size")]:
                assert row[col] == pytest.approx(ref(r_ref, dataset, "k_groups", key, stat), abs=TOL), (key, stat)
            ph = res.posthoc[res.posthoc.variable == c]
            for test, analysis, stats in [("tukey", "tukey", [("diff", "diff"), ("ci_low", "ci_low"),
                                                              ("ci_high", "ci_high"), ("p_adj", "p_adj")]),
                                          ("games_howell", "games_howell", [("diff", "diff"), ("ci_low", "ci_low"),
                                                                            ("ci_high", "ci_high"), ("p_adj", "p_adj"),
                                                                            ("p_adj", "p_adj_unrounded")]),
                                          ("dunn", "dunn", [("statistic", "z"), ("p", "p"), ("p_adj", "p_adj")])]:
                rows = ph[ph.test == test]
                assert len(rows) > 0
                for _, r in rows.iterrows():
                    pair = f"{key}|{r.group2}-{r.group1}"
                    for col, stat in stats:
                        assert r[col] == pytest.approx(ref(r_ref, dataset, analysis, pair, stat), abs=TOL), (pair, test, stat)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlations_equal_r(r_ref, scores, method):
    bfi = crm.load_dataset("bfi")
    for dataset, data, cols in [("ecrm", scores, list(CONSTRUCTS)), ("bfi", bfi, [f"A{i}" for i in range(1, 6)])]:
        res = crm.correlation_matrix(data, cols, method=method)
        for _, row in res.pairs.iterrows():
            key = f"{method}|{row.var1}|{row.var2}"
            assert row.r == pytest.approx(ref(r_ref, dataset, "correlation", key, "r"), abs=TOL)
            assert row.p == pytest.approx(ref(r_ref, dataset, "correlation", key, "p"), abs=TOL)
            assert row.n == ref(r_ref, dataset, "correlation", key, "n")
            if method == "pearson":
                assert row.ci_low == pytest.approx(ref(r_ref, dataset, "correlation", key, "ci_low"), abs=TOL)
                assert row.ci_high == pytest.approx(ref(r_ref, dataset, "correlation", key, "ci_high"), abs=TOL)


def test_correlation_table_has_stars_and_sqrt_ave(survey):
    res = crm.correlation_matrix(survey, constructs=CONSTRUCTS)
    ave = crm.construct_reliability(survey, CONSTRUCTS)["ave"]
    assert res.table.loc["SAT", "SAT"] == f"({np.sqrt(ave['SAT']):.3f})"
    assert res.table.loc["LOY", "SAT"].endswith("***")
    assert res.table.loc["SAT", "LOY"] == ""


def test_harman_and_kock_equal_r(r_ref, survey):
    res = crm.common_method_bias(survey, CONSTRUCTS, method_factor=False)
    assert res.n == ref(r_ref, "ecrm", "harman", "all", "n")
    for share in ("component_share", "factor_share"):
        assert res.harman.loc[share, "share"] == pytest.approx(ref(r_ref, "ecrm", "harman", "all", share), abs=TOL)
    for c in CONSTRUCTS:
        assert res.vif.loc[c, "vif"] == pytest.approx(ref(r_ref, "ecrm", "full_collinearity", c, "vif"), abs=TOL)
    bfi = crm.load_dataset("bfi")
    bfi_items = [c for c in bfi.columns if c[0] in "ACENO" and c[1:].isdigit()]
    bfi_constructs = {t: [i for i in bfi_items if i[0] == t] for t in "ACENO"}
    res = crm.common_method_bias(bfi, bfi_constructs, method_factor=False)
    assert res.n == ref(r_ref, "bfi", "harman", "all", "n")
    for share in ("component_share", "factor_share"):
        assert res.harman.loc[share, "share"] == pytest.approx(ref(r_ref, "bfi", "harman", "all", share), abs=TOL)


def test_common_latent_factor_equals_lavaan(survey):
    lav = pd.read_csv(REF / "clf_ecrm.csv").set_index("item")
    res = crm.common_method_bias(survey, CONSTRUCTS)
    got = res.loadings
    assert np.max(np.abs(got["loading"] - lav.loc[got.index, "loading"])) < TOL
    assert np.max(np.abs(got["loading_clf"] - lav.loc[got.index, "loading_clf"])) < TOL
    # lavaan warns of a negative latent variance here: so must we
    assert res.method_variance < 0
    assert any("negative" in w for w in res.warnings)


def test_common_latent_factor_on_a_model_with_a_residual_covariance_equals_lavaan(survey):
    """model=: the method factor is added to the researcher's measurement model (here with LOY3 ~~ LOY4)."""
    lav = pd.read_csv(REF / "clf_rescov_ecrm.csv").set_index("item")
    model = "\n".join(f"{c} =~ {' + '.join(i)}" for c, i in CONSTRUCTS.items()) + "\nLOY3 ~~ LOY4"
    res = crm.common_method_bias(survey, CONSTRUCTS, model=model)
    got = res.loadings
    assert np.max(np.abs(got["loading"] - lav.loc[got.index, "loading"])) < TOL
    assert np.max(np.abs(got["loading_clf"] - lav.loc[got.index, "loading_clf"])) < TOL
    assert res.method_variance == pytest.approx(lav["method_variance"].iloc[0], abs=TOL)
    # without the residual covariance the baseline loadings of LOY3 and LOY4 differ: the model matters
    plain = crm.common_method_bias(survey, CONSTRUCTS).loadings
    assert abs(plain.loc["LOY4", "loading"] - got.loc["LOY4", "loading"]) > 1e-3


def test_common_latent_factor_model_must_match_the_constructs(survey):
    two = {"SAT": CONSTRUCTS["SAT"], "LOY": CONSTRUCTS["LOY"]}
    base = "SAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4"
    with pytest.raises(CRMInputError, match="exactly the constructs"):
        crm.common_method_bias(survey, two, model=base.replace(" + SAT4", ""))
    with pytest.raises(CRMInputError, match="measurement model"):
        crm.common_method_bias(survey, two, model=base + "\nLOY ~ SAT")
    with pytest.raises(CRMInputError, match="model"):
        crm.common_method_bias(survey, two, model=42)


def test_rmsea_power_and_sample_size_equal_semtools(r_ref):
    for df in (10, 50, 100, 284):
        for n in (100, 200, 400):
            assert crm.rmsea_power(df, n) == pytest.approx(ref(r_ref, "rmsea", "power", f"close|{df}|{n}", "power"), abs=TOL)
            assert crm.rmsea_power(df, n, rmsea_a=0.01) == pytest.approx(
                ref(r_ref, "rmsea", "power", f"notclose|{df}|{n}", "power"), abs=TOL)
    for df in (2, 10, 50, 100, 284):
        assert crm.sem_sample_size(df) == ref(r_ref, "rmsea", "samplesize", f"close|{df}", "n")
        assert crm.sem_sample_size(df, rmsea_a=0.01) == ref(r_ref, "rmsea", "samplesize", f"notclose|{df}", "n")


def test_krejcie_morgan_reproduces_their_table():
    table = pd.read_csv(REF / "krejcie_morgan_1970_table1.csv", comment="#")
    got = [crm.krejcie_morgan(int(n)) for n in table["N"]]
    assert got == table["S"].tolist()


def test_cochran():
    # Cochran (1977): n0 = 1.96^2 * .25 / .05^2 = 384.16 -> 385; N = 1000: 384.16 / (1 + 383.16 / 1000) = 277.7 -> 278
    assert crm.sample_size()["n0"] == pytest.approx(384.146, abs=TOL)
    assert crm.sample_size()["n"] == 385
    assert crm.sample_size(1000)["n"] == 278
    assert crm.sample_size(population=5000, margin=0.03)["n"] == 880
    assert crm.sample_size(population=400, achieved=282)["achieved_margin"] == pytest.approx(
        1.959964 * np.sqrt(0.25 / 282 * (400 - 282) / 399), abs=1e-6)


def test_marker_variable_method_factor_equals_lavaan(survey):
    lav = pd.read_csv(REF / "clf_marker_ecrm.csv").set_index("item")
    res = crm.common_method_bias(survey, {"SAT": CONSTRUCTS["SAT"], "LOY": CONSTRUCTS["LOY"]},
                                 marker=["DEL1", "DEL2", "DEL3"])
    got = res.loadings
    assert np.max(np.abs(got["loading"] - lav.loc[got.index, "loading"])) < TOL
    assert np.max(np.abs(got["loading_clf"] - lav.loc[got.index, "loading_clf"])) < TOL
    assert res.method_variance == pytest.approx(lav["method_variance"].iloc[0], abs=TOL)
    assert not any("negative" in w for w in res.warnings)
