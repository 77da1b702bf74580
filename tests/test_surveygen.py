"""The ecrm_survey generator: population model, shipped files, reverse items, validation."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import crm_research as crm
from crm_research.data import surveygen

ROOT = Path(crm.__file__).resolve().parent.parent
DATA = ROOT / "datasets"
REFERENCE = ROOT / "tests" / "reference" / "surveygen"
ITEM_COLUMNS = [i.column for i in surveygen.ITEMS]
MODEL_NAMES = [i.model_name for i in surveygen.ITEMS]


def _tool(name):
    """A script of tools/ as a module (the writers of datasets/ live there, outside the package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_ecrm_survey = _tool("make_ecrm_survey")


@pytest.fixture(scope="module")
def shipped():
    return crm.load_dataset("ecrm_survey")


@pytest.fixture(scope="module")
def big_continuous():
    # large n: sampling error of a covariance is about 1/sqrt(200000) = 0.0022
    return crm.generate_ecrm_survey(n=200_000, seed=7, continuous=True)


# --- the population model ---------------------------------------------------------


def test_implied_cov_is_a_correlation_matrix_with_hand_checked_entries():
    sigma = crm.ecrm_survey_implied_cov()
    assert list(sigma.index) == MODEL_NAMES
    np.testing.assert_allclose(np.diag(sigma), 1.0, atol=1e-12)
    np.testing.assert_allclose(sigma.to_numpy(), sigma.to_numpy().T, atol=1e-12)
    # same factor: product of the loadings
    assert sigma.loc["OPR1", "OPR2"] == pytest.approx(0.80 * 0.75, abs=1e-12)
    # exogenous factors: loadings times their correlation
    assert sigma.loc["OPR1", "EMP1"] == pytest.approx(0.80 * 0.75 * 0.35, abs=1e-12)
    # by hand: cov(SAT, EMP) = .35*.35 + .30*.30 + .15 = .3625; cor(SAT, LOY) = .55 + .20*.3625 = .6225
    assert sigma.loc["SAT1", "LOY1"] == pytest.approx(0.85 * 0.82 * 0.6225, abs=1e-12)
    # cor(OPR, DEL) = .45; cor(SAT, DEL) = .45 * cov(SAT, OPR) = .45 * (.35 + .30*.45 + .15*.35)
    assert sigma.loc["SAT1", "DEL1"] == pytest.approx(0.85 * 0.80 * 0.45 * (0.35 + 0.135 + 0.0525), abs=1e-12)
    assert np.linalg.eigvalsh(sigma.to_numpy()).min() > 0


def test_large_sample_covariance_approaches_the_implied_covariance(big_continuous):
    sample = big_continuous[MODEL_NAMES].cov().to_numpy()
    implied = crm.ecrm_survey_implied_cov().to_numpy()
    # 253 distinct entries, each with standard error <= ~0.0032 (variances: sqrt(2/n))
    assert np.abs(sample - implied).max() < 0.015
    assert np.abs(sample - implied).mean() < 0.004
    assert np.abs(big_continuous[MODEL_NAMES].mean().to_numpy()).max() < 0.01


def test_large_sample_likert_proportions_match_the_thresholds():
    data = crm.generate_ecrm_survey(n=100_000, seed=11, missing_rate=0.0, skip_rate=0.0)
    truth = crm.ecrm_survey_truth()
    for item in ("OPR1", "ANL4", "DEL3", "SAT3r"):
        tau = truth.loc[(truth["op"] == "|") & (truth["lhs"] == item.rstrip("r")), "value"].to_numpy()
        expected = np.diff(norm.cdf(np.r_[-np.inf, tau, np.inf]))
        answers = data[item].to_numpy()
        if item.endswith("r"):
            answers = 6 - answers
        observed = np.bincount(answers.astype(int), minlength=6)[1:] / len(answers)
        np.testing.assert_allclose(observed, expected, atol=0.006)


def test_likert_answers_are_the_cut_continuous_responses():
    seed, n = 5, 300
    cont = crm.generate_ecrm_survey(n=n, seed=seed, continuous=True)
    data = crm.generate_ecrm_survey(n=n, seed=seed)
    truth = crm.ecrm_survey_truth()
    for item in surveygen.ITEMS:
        tau = truth.loc[(truth["op"] == "|") & (truth["lhs"] == item.model_name), "value"].to_numpy()
        expected = 1 + np.searchsorted(tau, cont[item.model_name].to_numpy())
        if item.reverse:
            expected = 6 - expected
        observed = data[item.column].to_numpy()
        seen = ~np.isnan(observed)
        np.testing.assert_array_equal(observed[seen], expected[seen])


def test_truth_table_values():
    truth = crm.ecrm_survey_truth().set_index(["lhs", "op", "rhs"])
    assert truth.loc[("SAT", "r2", "SAT"), "std_all"] == pytest.approx(0.39325, abs=1e-12)  # b' Phi b by hand
    assert truth.loc[("SAT", "~~", "SAT"), "std_all"] == pytest.approx(1 - 0.39325, abs=1e-12)
    # marker-variable scaling: loading ratio, path times lambda1(outcome)/lambda1(predictor)
    assert truth.loc[("OPR", "=~", "OPR2"), "value"] == pytest.approx(0.75 / 0.80)
    assert truth.loc[("SAT", "~", "OPR"), "value"] == pytest.approx(0.35 * 0.85 / 0.80)
    assert truth.loc[("OPR", "~~", "ANL"), "value"] == pytest.approx(0.45 * 0.80 * 0.78)
    assert truth.loc[("ind_OPR", ":=", "a1*b1"), "std_all"] == pytest.approx(0.35 * 0.55)
    assert truth.loc[("total_EMP", ":=", "c3+a3*b1"), "std_all"] == pytest.approx(0.20 + 0.15 * 0.55)
    assert truth.loc[("LOY", "~~", "DEL"), "value"] == 0
    hyp = truth.reset_index().dropna(subset=["hypothesis_true"]).set_index("hypothesis")["hypothesis_true"]
    assert list(hyp.index) == [f"H{i}" for i in range(1, 13)]
    assert sorted(hyp.index[~hyp.astype(bool)]) == ["H5", "H6", "H9"]
    loadings = truth.xs("=~", level="op")["std_all"]
    assert loadings.between(0.6, 0.85).all()


def test_implied_cov_equals_lavaan():
    # tests/reference/surveygen/ecrm_implied_cov.R: lavaan 0.6-14 fitted() of the model with
    # every parameter fixed to the unstandardized truth (ecrm_survey_truth.csv)
    lavaan = pd.read_csv(REFERENCE / "ecrm_implied_cov_lavaan.csv", index_col=0)
    ours = crm.ecrm_survey_implied_cov()
    lavaan = lavaan.loc[ours.index, ours.columns]
    np.testing.assert_allclose(ours.to_numpy(), lavaan.to_numpy(), atol=1e-6)


def test_truth_std_all_equals_lavaan_standardized_solution():
    # tests/reference/surveygen/ecrm_implied_cov.R: lavaan 0.6-14 standardizedSolution() and r2 of the
    # model with every parameter fixed at the unstandardized truth; checks the marker <-> std conversion
    lavaan = pd.read_csv(REFERENCE / "ecrm_truth_std_lavaan.csv")
    ours = crm.ecrm_survey_truth()
    merged = ours.merge(lavaan, on=["lhs", "op", "rhs"], how="inner", validate="one_to_one")
    compared = ours["op"].isin(["=~", "~", "~~"]).sum() + len(surveygen._ENDO)  # + latent R-squares
    assert len(merged) == compared == 66  # 22 loadings, 9 paths, 32 (co)variances, 3 R-squares
    np.testing.assert_allclose(merged["std_all"], merged["est.std"], atol=1e-9)


def test_lavaan_wlsmv_recovers_the_truth_on_a_large_sample():
    # tests/reference/surveygen/ecrm_wlsmv_large.R: lavaan 0.6-14 sem(ordered=, estimator="WLSMV") of
    # ecrm_survey_model.lav on generate_ecrm_survey(n=20000, seed=2024, missing_rate=0, skip_rate=0), recoded.
    lavaan = pd.read_csv(REFERENCE / "ecrm_wlsmv_large_lavaan.csv")
    data = crm.recode_ecrm_survey(crm.generate_ecrm_survey(n=20_000, seed=2024, missing_rate=0, skip_rate=0))
    means = lavaan[lavaan["op"] == "mean"].set_index("lhs")["est"]
    np.testing.assert_allclose(data[means.index].mean(), means, rtol=0, atol=1e-9)  # the same sample

    merged = crm.ecrm_survey_truth().merge(lavaan, on=["lhs", "op", "rhs"], validate="one_to_one")
    assert len(merged) == 160  # every row of the truth: lavaan's names, including "c1+a1*b1"
    estimated = merged[merged["op"].isin(["=~", "~", "~~", ":=", "|"]) & (merged["se"] > 0)]
    z = (estimated["est"] - estimated["value"]) / estimated["se"]
    assert len(estimated) == 129 and z.abs().max() < 4  # measured: max |z| = 3.3 (a threshold), sd(z) = 0.97
    std = merged[merged["op"].isin(["=~", "~", "~~", ":="])]
    assert (std["std_all"] - std["std.all"]).abs().max() < 0.035  # measured: 0.024
    r2 = merged[merged["op"] == "r2"]
    assert (r2["value"] - r2["est"]).abs().max() < 0.03  # measured: 0.014


# --- the shipped files -------------------------------------------------------------


def test_shipped_csv_is_reproduced_by_the_seed(shipped):
    regenerated = crm.generate_ecrm_survey()  # defaults = the shipped n, seed and rates
    pd.testing.assert_frame_equal(regenerated, shipped)
    assert list(shipped.columns) == ["resp_id", *surveygen.DEMOGRAPHICS, *ITEM_COLUMNS]
    assert shipped.shape == (400, 29)


def test_shipped_text_files_are_current(tmp_path):
    make_ecrm_survey.write_ecrm_survey(tmp_path)
    for name in ("ecrm_survey.csv", "ecrm_survey_truth.csv", "ecrm_survey_items.csv",
                 "ecrm_survey_model.lav", "catalog/ecrm_survey.yaml"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), f"datasets/{name} is out of date"


def test_truth_and_items_load_as_catalogued():
    truth = crm.load_dataset("ecrm_survey_truth")
    pd.testing.assert_frame_equal(truth, crm.ecrm_survey_truth(), check_dtype=False, atol=1e-12)
    items = crm.load_dataset("ecrm_survey_items")
    assert list(items["item"]) == ITEM_COLUMNS
    assert items.loc[items["reverse"].astype(bool), "item"].tolist() == ["SAT3r", "LOY4r"]
    assert items["text_fa"].str.len().min() > 10


def test_sav_round_trip(shipped):
    pyreadstat = pytest.importorskip("pyreadstat")
    sav, meta = pyreadstat.read_sav(DATA / "ecrm_survey.sav")
    assert list(sav.columns) == list(shipped.columns)
    np.testing.assert_array_equal(sav.to_numpy(dtype=float), shipped.astype(float).to_numpy())
    assert meta.variable_value_labels["gender"] == {1.0: "female | زن", 2.0: "male | مرد"}
    assert meta.variable_value_labels["SAT3r"][5.0].startswith("strongly agree")
    assert "disappointed" in meta.column_names_to_labels["SAT3r"]
    assert meta.variable_measure["gender"] == "nominal"


def test_xlsx_round_trip(shipped):
    data = pd.read_excel(DATA / "ecrm_survey.xlsx", sheet_name="data")
    np.testing.assert_array_equal(data.to_numpy(dtype=float), shipped.astype(float).to_numpy())
    truth = pd.read_excel(DATA / "ecrm_survey.xlsx", sheet_name="truth")
    np.testing.assert_allclose(truth["std_all"], crm.ecrm_survey_truth()["std_all"])
    labels = pd.read_excel(DATA / "ecrm_survey.xlsx", sheet_name="value_labels")
    assert {"variable", "code", "label_en", "label_fa"} <= set(labels.columns)


def test_model_file_names_the_recoded_items_and_the_truth_labels(shipped):
    text = (DATA / "ecrm_survey_model.lav").read_text(encoding="utf-8")
    assert text == crm.ecrm_survey_model()
    recoded = crm.recode_ecrm_survey(shipped)
    for name in MODEL_NAMES:
        assert f" {name}" in text and name in recoded.columns
    labels = set(crm.ecrm_survey_truth()["label"].dropna())
    assert len(labels) == 15
    for label in labels:
        assert f"{label}*" in text or f"{label} :=" in text


def test_constructs_mapping_matches_the_model_and_the_data(shipped):
    recoded = crm.ecrm_survey_constructs()
    assert list(recoded) == ["OPR", "ANL", "EMP", "SAT", "LOY", "DEL"]
    assert sum(recoded.values(), []) == MODEL_NAMES
    assert sum(crm.ecrm_survey_constructs(recoded=False).values(), []) == ITEM_COLUMNS
    for construct, items in recoded.items():
        assert f"{construct} =~ {' + '.join(items)}" in crm.ecrm_survey_model()
    with pytest.raises(crm.CRMInputError, match="'recoded' parameter"):
        crm.ecrm_survey_constructs(recoded="yes")


def test_catalogue_dictionary_has_labels_for_the_demographics():
    dictionary = crm.data_dictionary("ecrm_survey").set_index("column")
    assert "female" in dictionary.loc["gender", "meaning"] and "زن" in dictionary.loc["gender", "meaning"]
    assert "REVERSE-WORDED" in dictionary.loc["LOY4r", "meaning"]
    assert "Likert 1-5" in dictionary.loc["OPR1", "unit"]


# --- data properties ---------------------------------------------------------------


def test_reverse_items_are_reversed_before_recoding(shipped):
    corr = shipped[ITEM_COLUMNS].corr()
    for rev, others in (("SAT3r", ["SAT1", "SAT2", "SAT4"]), ("LOY4r", ["LOY1", "LOY2", "LOY3"])):
        assert (corr.loc[rev, others] < -0.3).all(), corr.loc[rev, others]
    recoded = crm.recode_ecrm_survey(shipped)
    corr = recoded[MODEL_NAMES].corr()
    assert (corr.loc["SAT3", ["SAT1", "SAT2", "SAT4"]] > 0.3).all()
    assert (corr.loc["LOY4", ["LOY1", "LOY2", "LOY3"]] > 0.3).all()


def test_recode_does_not_touch_the_input_and_keeps_column_order(shipped):
    before = shipped.copy()
    recoded = crm.recode_ecrm_survey(shipped)
    pd.testing.assert_frame_equal(shipped, before)
    assert list(recoded.columns) == ["resp_id", *surveygen.DEMOGRAPHICS, *MODEL_NAMES]
    both = shipped["SAT3r"].notna()
    assert (recoded.loc[both, "SAT3"] == 6 - shipped.loc[both, "SAT3r"]).all()
    assert recoded["SAT3"].isna().sum() == shipped["SAT3r"].isna().sum()


def test_missing_data_pattern(shipped):
    items = shipped[ITEM_COLUMNS]
    rate = items.isna().to_numpy().mean()
    assert 0.01 <= rate <= 0.03
    blocks = {c: [i.column for i in surveygen.ITEMS if i.construct == c] for c in surveygen._CODES}
    skipped = {who for c, cols in blocks.items() for who in items.index[items[cols].isna().all(axis=1)]}
    assert len(skipped) >= 8  # round(0.02 * 400) respondents skipped a block
    assert shipped[["resp_id", *surveygen.DEMOGRAPHICS]].notna().all().all()
    none = crm.generate_ecrm_survey(n=50, seed=3, missing_rate=0, skip_rate=0)
    assert none.notna().all().all()


def test_answers_are_skewed_likert_codes(shipped):
    values = shipped[ITEM_COLUMNS].stack().dropna().to_numpy()
    assert set(np.unique(values)) == {1.0, 2.0, 3.0, 4.0, 5.0}
    positive = [c for c in ITEM_COLUMNS if not c.endswith("r")]
    assert (shipped[positive].skew() < 0).all()  # customers agree more often than they disagree
    assert set(shipped["gender"]) == {1, 2}
    assert shipped["purchase_frequency"].between(1, 4).all()
    assert shipped["preferred_channel"].between(1, 4).all()


def test_demographics_follow_the_documented_relations():
    data = crm.generate_ecrm_survey(n=20_000, seed=2, missing_rate=0, skip_rate=0)
    loyalty = data[["LOY1", "LOY2", "LOY3"]].mean(axis=1)
    assert data["purchase_frequency"].astype(float).corr(loyalty, method="spearman") > 0.2
    assert abs(data["gender"].astype(float).corr(loyalty)) < 0.03  # a true null
    means = data.groupby("preferred_channel")[["EMP1", "EMP2", "EMP3"]].mean().mean(axis=1)
    assert means[[1, 2]].min() > means[[3, 4]].max()  # empowered customers prefer web and app


def test_seed_none_and_other_seeds_give_other_samples():
    a = crm.generate_ecrm_survey(n=30, seed=1)
    b = crm.generate_ecrm_survey(n=30, seed=2)
    assert not a.equals(b)
    assert crm.generate_ecrm_survey(n=30, seed=None).shape == (30, 29)


# --- validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 5}, "'n' parameter of generate_ecrm_survey must be an int in the range \\[10, inf\\)"),
        ({"n": "400"}, "'n' parameter"),
        ({"seed": -1}, "'seed' parameter"),
        ({"missing_rate": 0.7}, "'missing_rate' parameter .* \\[0.0, 0.5\\]"),
        ({"skip_rate": -0.1}, "'skip_rate' parameter"),
        ({"continuous": "yes"}, "'continuous' parameter .* True or False"),
    ],
)
def test_generate_validates_arguments(kwargs, message):
    with pytest.raises(crm.CRMInputError, match=message):
        crm.generate_ecrm_survey(**kwargs)


def test_recode_validates_its_input(shipped):
    with pytest.raises(crm.CRMInputError, match="must be a pandas DataFrame"):
        crm.recode_ecrm_survey(shipped.to_numpy())
    recoded = crm.recode_ecrm_survey(shipped)
    with pytest.raises(crm.CRMInputError, match="was it recoded before"):
        crm.recode_ecrm_survey(recoded)
    bad = shipped.copy()
    bad["SAT3r"] = bad["SAT3r"].astype(object)
    bad.loc[0, "SAT3r"] = "agree"
    with pytest.raises(crm.CRMInputError, match="'SAT3r' .* must be numeric.*'agree'"):
        crm.recode_ecrm_survey(bad)
    bad.loc[0, "SAT3r"] = 7
    with pytest.raises(crm.CRMInputError, match="'SAT3r' .* outside the declared scale \\[1, 5\\]"):
        crm.recode_ecrm_survey(bad)
    persian = shipped.head(3).copy()
    persian["LOY4r"] = persian["LOY4r"].astype(object)
    persian.loc[0, "LOY4r"] = "۴"  # Persian digit four
    assert crm.recode_ecrm_survey(persian).loc[0, "LOY4"] == 2


def test_write_requires_a_seed_and_leaves_no_partial_files(tmp_path, monkeypatch):
    with pytest.raises(crm.CRMInputError, match="'seed' parameter of write_ecrm_survey"):
        make_ecrm_survey.write_ecrm_survey(tmp_path, seed=None)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(crm.CRMInputError, match="'directory' parameter .* must be a folder"):
        make_ecrm_survey.write_ecrm_survey(tmp_path / "a_file")
    with pytest.raises(crm.CRMInputError, match="'directory' parameter"):
        make_ecrm_survey.write_ecrm_survey(42)
    (tmp_path / "a_file").unlink()

    pyreadstat = pytest.importorskip("pyreadstat")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    # the .sav is the second of seven files: the CSV before it must not be left behind
    monkeypatch.setattr(pyreadstat, "write_sav", broken)
    with pytest.raises(OSError, match="disk full"):
        make_ecrm_survey.write_ecrm_survey(tmp_path)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # all or nothing
