"""The bundled datasets: catalogue, loader, data dictionaries and the published facts of each dataset.

The generic tests iterate over ``list_datasets()``, so a catalogue file added later
(sample company, e-CRM survey, ...) is covered without touching this file.  Groups of
tables are checked through their members (``group/table``).
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.data import datasets as datasets_module
from crm_research.data.datasets import _entries

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "reference" / "datasets"
TYPES = {"int", "float", "str", "category", "bool", "date", "datetime"}

ALL_NAMES = sorted(crm.list_datasets()["name"])
SINGLE_TABLES = [n for n in ALL_NAMES if "tables" not in _entries()[n]]
GROUPS = [n for n in ALL_NAMES if "tables" in _entries()[n]]


# --- the catalogue ---------------------------------------------------------------------------


def test_list_datasets_columns():
    table = crm.list_datasets()
    assert list(table.columns) == ["name", "title", "description", "source", "licence", "rows", "columns"]
    assert table["name"].is_unique
    for ours in ["holzinger1939", "political_democracy", "cdnow_transactions", "cdnow_summary", "mobi", "corp_rep"]:
        assert ours in set(table["name"])


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_dataset_has_title_provenance_and_licence(name):
    row = crm.list_datasets().set_index("name").loc[name]
    for field in ["title", "source", "licence"]:
        assert isinstance(row[field], str) and row[field].strip(), f"{name}: empty {field}"


@pytest.mark.parametrize("name", SINGLE_TABLES)
def test_every_dictionary_entry_has_type_and_meaning(name):
    columns = _entries()[name].get("columns")
    assert columns, f"{name}: no data dictionary (columns:) in the catalogue"
    for col, spec in columns.items():
        assert isinstance(spec, dict), f"{name}.{col}: dictionary entry is not a mapping"
        assert spec.get("type") in TYPES, f"{name}.{col}: type {spec.get('type')!r} is not one of {sorted(TYPES)}"
        assert str(spec.get("meaning") or "").strip(), f"{name}.{col}: empty meaning"
        assert "unit" in spec, f"{name}.{col}: no unit (use an empty string when there is none)"


@pytest.mark.parametrize("name", SINGLE_TABLES)
def test_every_dataset_loads_with_the_catalogued_shape_and_columns(name):
    entry = _entries()[name]
    frame = crm.load_dataset(name)
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (entry["rows"], len(entry["columns"]))
    dictionary = crm.data_dictionary(name)
    assert list(dictionary.columns) == ["column", "type", "meaning", "unit"]
    assert list(frame.columns) == list(dictionary["column"])


@pytest.mark.parametrize("name", SINGLE_TABLES)
def test_catalogued_types_are_the_loaded_dtypes(name):
    frame = crm.load_dataset(name)
    for col, spec in _entries()[name]["columns"].items():
        kind = spec["type"]
        dtype = frame[col].dtype
        if kind == "int":
            assert pd.api.types.is_integer_dtype(dtype), f"{name}.{col}: {dtype}"
        elif kind == "float":
            assert pd.api.types.is_float_dtype(dtype), f"{name}.{col}: {dtype}"
        elif kind in ("date", "datetime"):
            assert pd.api.types.is_datetime64_any_dtype(dtype), f"{name}.{col}: {dtype}"
        elif kind == "category":
            assert isinstance(dtype, pd.CategoricalDtype), f"{name}.{col}: {dtype}"


@pytest.mark.parametrize("name", GROUPS)
def test_group_dictionary_lists_its_tables(name):
    dictionary = crm.data_dictionary(name)
    assert list(dictionary.columns) == ["table", "column", "type", "meaning", "unit"]
    assert set(dictionary["table"]) == set(_entries()[name]["tables"])
    for table in _entries()[name]["tables"]:
        assert f"{name}/{table}" in ALL_NAMES


def test_load_dataset_returns_a_fresh_frame():
    first = crm.load_dataset("political_democracy")
    first.loc[0, "y1"] = -1.0
    assert crm.load_dataset("political_democracy").loc[0, "y1"] == 2.5


# --- where the folder is (the installed wheel is tested end to end in tests/test_wheel.py) --------


def test_a_checkout_reads_its_own_datasets_folder():
    assert crm.dataset_path() == ROOT / "datasets"
    assert crm.dataset_path("catalog", "cdnow.yaml").is_file()


def test_a_datasets_folder_beside_site_packages_is_not_taken_for_the_checkout(tmp_path, monkeypatch):
    # installed, the package's grandparent is site-packages, where e.g. the "datasets" library lives
    site = tmp_path / "site-packages"
    (site / "datasets" / "catalog").mkdir(parents=True)
    monkeypatch.setattr(datasets_module, "__file__", str(site / "crm_research" / "data" / "datasets.py"))
    assert datasets_module._checkout_datasets() is None
    (tmp_path / "site-packages" / "pyproject.toml").write_text("[project]\n")
    assert datasets_module._checkout_datasets() == site / "datasets"


def test_no_folder_found_says_how_to_fix_it(monkeypatch):
    monkeypatch.delenv("CRM_DATASETS", raising=False)
    monkeypatch.setattr(datasets_module, "_checkout_datasets", lambda: None)
    monkeypatch.setattr(datasets_module, "_bundled_datasets", lambda: None)
    datasets_module._datasets_root.cache_clear()
    try:
        with pytest.raises(crm.CRMInputError, match="crm_research/_bundled .* set CRM_DATASETS"):
            crm.dataset_path()
    finally:
        datasets_module._datasets_root.cache_clear()


def test_crm_datasets_overrides_and_must_be_a_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATASETS", str(tmp_path))
    assert crm.dataset_path("x.csv") == tmp_path / "x.csv"
    monkeypatch.setenv("CRM_DATASETS", str(tmp_path / "nowhere"))
    with pytest.raises(crm.CRMInputError, match="CRM_DATASETS must name a folder"):
        crm.dataset_path()


# --- errors ----------------------------------------------------------------------------------


def test_unknown_name_suggests_the_closest_and_lists_valid_names():
    with pytest.raises(crm.CRMInputError) as info:
        crm.load_dataset("holzinger")
    message = str(info.value)
    assert "'name' parameter of load_dataset" in message
    assert "Did you mean 'holzinger1939'" in message
    assert "Valid names:" in message and "cdnow_summary" in message and "political_democracy" in message


def test_unknown_name_in_data_dictionary():
    with pytest.raises(crm.CRMInputError, match="Did you mean 'cdnow_summary'"):
        crm.data_dictionary("cdnow_sumary")


@pytest.mark.parametrize("bad", [None, 3, ["mobi"]])
def test_non_string_name_is_an_input_error(bad):
    with pytest.raises(crm.CRMInputError, match="must be one of the bundled datasets"):
        crm.load_dataset(bad)


def test_data_dictionary_of_holzinger():
    dictionary = crm.data_dictionary("holzinger1939").set_index("column")
    assert len(dictionary) == 15
    assert dictionary.loc["school", "type"] == "category"
    assert "visual perception" in dictionary.loc["x1", "meaning"].lower()


# --- classic SEM data: identical to lavaan ----------------------------------------------------


@pytest.mark.parametrize(
    "name, reference",
    [
        ("holzinger1939", "lavaan_HolzingerSwineford1939.csv"),
        ("political_democracy", "lavaan_PoliticalDemocracy.csv"),
    ],
)
def test_classic_sem_data_equal_lavaan(name, reference):
    # tests/reference/datasets/lavaan_datasets.R wrote lavaan 0.6-14's own copies.
    ours = crm.load_dataset(name)
    theirs = pd.read_csv(REFERENCE / reference)
    assert list(ours.columns) == list(theirs.columns)
    assert len(ours) == len(theirs)
    for col in ours.columns:
        if isinstance(ours[col].dtype, pd.CategoricalDtype):
            assert ours[col].astype(str).tolist() == theirs[col].astype(str).tolist(), col
        else:
            a = ours[col].to_numpy(dtype=float, na_value=np.nan)
            b = theirs[col].to_numpy(dtype=float, na_value=np.nan)
            np.testing.assert_array_equal(a, b, err_msg=f"{name}.{col} differs from lavaan")


def test_holzinger_facts():
    hs = crm.load_dataset("holzinger1939")
    # lavaan's copy: 156 Pasteur and 145 Grant-White pupils (Joreskog 1969 used the 145).
    assert hs["school"].value_counts().to_dict() == {"Pasteur": 156, "Grant-White": 145}
    assert hs["grade"].isna().sum() == 1


# --- CDNOW -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow():
    return crm.load_dataset("cdnow_transactions")


@pytest.fixture(scope="module")
def cdnow_summary():
    return crm.load_dataset("cdnow_summary")


def test_cdnow_transactions_facts(cdnow):
    # Fader & Hardie (2001): 23,570 customers of the Q1 1997 cohort, purchases to the end of June 1998.
    assert len(cdnow) == 69_659
    assert cdnow["customer_id"].nunique() == 23_570
    assert cdnow["date"].min() == pd.Timestamp("1997-01-01")
    assert cdnow["date"].max() == pd.Timestamp("1998-06-30")
    first = cdnow.groupby("customer_id")["date"].min()
    assert first.max() < pd.Timestamp("1997-04-01")
    assert (cdnow["quantity"] >= 1).all() and (cdnow["amount"] >= 0).all()


def test_cdnow_summary_published_facts(cdnow_summary):
    s = cdnow_summary
    assert len(s) == 2_357
    assert s["customer_id"].tolist() == list(range(1, 2358))
    # Fader, Hardie & Lee (2005, Marketing Science): 1,411 of the 2,357 made no repeat purchase
    # in the 39-week calibration period.
    assert (s["frequency"] == 0).sum() == 1_411
    repeaters = s.loc[s["frequency"] > 0, "monetary_value"]
    # Fader & Hardie (2013), gamma-gamma note: 946 repeat buyers, mean zbar $35.08, median $27.50, max $299.63.
    assert len(repeaters) == 946
    assert repeaters.mean() == pytest.approx(35.08, abs=0.005)
    assert repeaters.median() == pytest.approx(27.50, abs=1e-9)
    assert repeaters.max() == pytest.approx(299.63, abs=1e-9)
    zero = s[s["frequency"] == 0]
    assert (zero["recency"] == 0).all() and (zero["monetary_value"] == 0).all()
    assert (s["recency"] <= s["T"]).all()
    assert s["T"].max() == pytest.approx(38.86) and s["T"].min() == pytest.approx(27.00)


def test_cdnow_summary_recomputed_from_the_transactions(cdnow, cdnow_summary):
    # Rebuild x, t_x, T and zbar from the master file: purchases on one day are one purchase,
    # the calibration period ends on 1997-09-30 (week 39).  The published file rounds to 2 decimals.
    end = pd.Timestamp("1997-09-30")
    sample = cdnow[cdnow["customer_id"].isin(cdnow_summary["master_customer_id"]) & (cdnow["date"] <= end)]
    days = sample.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    days["first"] = days.groupby("customer_id")["date"].transform("min")
    grouped = days.groupby("customer_id")
    mine = pd.DataFrame(
        {
            "frequency": grouped.size() - 1,
            "recency": (grouped["date"].max() - grouped["first"].min()).dt.days / 7,
            "T": (end - grouped["first"].min()).dt.days / 7,
            "monetary_value": days[days["date"] > days["first"]].groupby("customer_id")["amount"].mean(),
        }
    ).fillna({"monetary_value": 0.0})
    published = cdnow_summary.set_index("master_customer_id")
    mine = mine.loc[published.index]
    assert (mine["frequency"].to_numpy() == published["frequency"].to_numpy()).all()
    for col in ["recency", "T", "monetary_value"]:
        gap = np.abs(mine[col].to_numpy(float) - published[col].to_numpy(float)).max()
        assert gap <= 0.005 + 1e-9, f"{col}: largest difference {gap}"


# --- PLS survey data ---------------------------------------------------------------------------


def test_mobi_facts():
    mobi = crm.load_dataset("mobi")
    assert mobi.shape == (250, 24)
    assert not mobi.isna().any().any()
    assert mobi.min().min() >= 1 and mobi.max().max() <= 10
    blocks = {"IMAG": 5, "CUEX": 3, "PERQ": 7, "PERV": 2, "CUSA": 3, "CUSL": 3, "CUSCO": 1}
    for prefix, n in blocks.items():
        assert sum(c.startswith(prefix) for c in mobi.columns) == n, prefix


def test_corp_rep_missing_values_are_na_not_minus_99():
    corp = crm.load_dataset("corp_rep")
    assert corp.shape == (344, 41)
    assert not (corp == -99).any().any()
    missing = corp.isna().sum()
    assert missing[missing > 0].to_dict() == {"cusa": 1, "cusl_1": 3, "cusl_2": 4, "cusl_3": 3}
    items = corp.drop(columns=["servicetype", "serviceprovider"])
    switch = [c for c in items.columns if c.startswith("switch_")]
    assert items.drop(columns=switch).stack().between(1, 7).all()
    assert items[switch].stack().between(1, 5).all()
    assert set(corp["servicetype"]) == {1, 2} and set(corp["serviceprovider"]) == {1, 2, 3, 4}


# --- generated documentation -------------------------------------------------------------------


def _docs_tool():
    spec = importlib.util.spec_from_file_location("make_dataset_docs", ROOT / "tools" / "make_dataset_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_datasets_readme_is_current():
    committed = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert committed == _docs_tool().render_readme(), (
        "datasets/README.md is out of date with datasets/catalog/: run python tools/make_dataset_docs.py"
    )


def test_readme_documents_every_dataset_and_column():
    text = _docs_tool().render_readme()
    for name in SINGLE_TABLES:
        for col in _entries()[name]["columns"]:
            assert f"| `{col}` |" in text, f"{name}.{col} missing from the README"
    for name in crm.list_datasets()["name"]:
        assert f"`{name}`" in text


@pytest.mark.parametrize("name, golden", [
    ("lavaan_pd_tutorial_estimates", "sem/pd_tutorial_estimates.csv"),
    ("lavaan_pd_tutorial_fit", "sem/pd_tutorial_fit.csv"),
    ("lavaan_hs_cfa_estimates", "sem/hs_cfa_estimates.csv"),
    ("lavaan_hs_cfa_fit", "sem/hs_cfa_fit.csv"),
    ("lavaan_wheaton_cov_estimates", "sem_wheaton/cov_estimates.csv"),
    ("lavaan_wheaton_cov_fit", "sem_wheaton/cov_fit.csv"),
    ("lavaan_wheaton_cor_estimates", "sem_wheaton/cor_estimates.csv"),
])
def test_shipped_lavaan_output_equals_the_golden_files(name, golden):
    # notebook 09 reads lavaan's output from these datasets, so that it runs outside the repository
    shipped = crm.dataset_path(_entries()[name]["file"]).read_bytes()
    assert shipped == (Path(__file__).parent / "reference" / golden).read_bytes()
