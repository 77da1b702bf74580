"""Study files: schema validation with line numbers, content checks, data reading."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError
from crm_research.data.datasets import dataset_path
from crm_research.data.study import load_study, read_study_data

DATA = dataset_path("ecrm_survey.sav")
MODEL = dataset_path("ecrm_survey_model.lav")

# A study file whose line numbers the tests rely on (line 1 is 'title:').
BASE = """\
title: test study
data:
  file: {data}
scale: [1, 5]
reverse_items:
  SAT3r: SAT3
  LOY4r: LOY4
missing:
  codes: [0, 99, -99]
  policy: listwise
demographics: [gender, age_band]
model: {model}
hypotheses:
  H1: SAT ~ OPR
  H4: LOY ~ SAT
  H10: ind_OPR
estimator: CB-SEM
bootstrap:
  resamples: 50
  seed: 7
language: en
output: out
"""


def write(tmp_path, text=None, name="study.yaml", **fmt):
    values = {"data": str(DATA), "model": str(MODEL)}
    values.update(fmt)
    path = tmp_path / name
    path.write_text((text or BASE).format(**values), encoding="utf-8")
    return path


def error_of(path) -> str:
    with pytest.raises(CRMInputError) as info:
        load_study(path)
    return str(info.value)


def test_bundled_study_loads():
    study = load_study(dataset_path("ecrm_survey_study.yaml"))
    assert study.scale == (1.0, 5.0)
    assert study.reverse == {"SAT3r": "SAT3", "LOY4r": "LOY4"}
    assert study.estimator == "CB-SEM" and study.bootstrap == 1000 and study.language == "en"
    assert list(study.constructs) == ["OPR", "ANL", "EMP", "SAT", "LOY", "DEL"]
    # the hypotheses of the bundled study are those of the survey's population model
    truth = crm.ecrm_survey_truth()
    named = truth[truth["hypothesis"].notna()]
    assert sorted(study.hypotheses) == sorted(named["hypothesis"])
    for _, row in named.iterrows():
        spec = study.hypotheses[row["hypothesis"]]
        assert spec in (f"{row['lhs']} ~ {row['rhs']}", row["lhs"])


def test_valid_study_reads_data(tmp_path):
    study = load_study(write(tmp_path))
    assert study.output == (tmp_path / "out").resolve()
    data = read_study_data(study)
    assert data.n_total == 400
    assert list(data.items.columns) == study.items
    raw = crm.load_dataset("ecrm_survey")
    # reverse coding: SAT3 = 6 - SAT3r, as crm.recode_ecrm_survey does
    expected = crm.recode_ecrm_survey(raw)
    pd.testing.assert_series_equal(data.items["SAT3"].reset_index(drop=True),
                                   expected["SAT3"].astype(float).reset_index(drop=True), check_names=False)
    # SPSS value labels come through for the demographic tables
    assert data.value_labels["gender"][1.0].startswith("female")
    assert data.variable_labels["gender"].startswith("Gender")


@pytest.mark.parametrize(
    "old, new, line, key, words",
    [
        ("scale: [1, 5]", "scale: [5, 1]", 4, "scale", "min < max"),
        ("scale: [1, 5]", "scale: [1]", 4, "scale", "two numbers"),
        ("scale: [1, 5]", "scale: five", 4, "scale", "two numbers"),
        ("estimator: CB-SEM", "estimator: LISREL", 17, "estimator", "'CB-SEM' or 'PLS-SEM'"),
        ("language: en", "language: de", 21, "language", "'en' or 'fa'"),
        ("  resamples: 50", "  resamples: many", 19, "bootstrap.resamples", "integer"),
        ("  resamples: 50", "  resamples: 5", 19, "bootstrap.resamples", "at least 10"),
        ("  codes: [0, 99, -99]", "  codes: [0, nine]", 9, "missing.codes", "list of distinct numbers"),
        ("  policy: listwise", "  policy: pairwise", 10, "missing.policy", "'listwise' or 'fiml'"),
        ("output: out", "outptu: out", 22, "outptu", "unknown key"),
    ],
)
def test_schema_errors_name_line_and_key(tmp_path, old, new, line, key, words):
    path = write(tmp_path, BASE.replace(old, new))
    msg = error_of(path)
    assert f"line {line}, key '{key}'" in msg
    assert words in msg


def test_unknown_key_suggests_the_right_one(tmp_path):
    msg = error_of(write(tmp_path, BASE.replace("output: out", "outptu: out")))
    assert "did you mean 'output'" in msg


def test_missing_required_key(tmp_path):
    text = BASE.replace("hypotheses:\n  H1: SAT ~ OPR\n  H4: LOY ~ SAT\n  H10: ind_OPR\n", "")
    msg = error_of(write(tmp_path, text))
    assert "key 'hypotheses'" in msg and "required" in msg


def test_unknown_column(tmp_path):
    msg = error_of(write(tmp_path, BASE.replace("[gender, age_band]", "[gendr, age_band]")))
    assert "line 11, key 'demographics'" in msg
    assert "'gendr'" in msg and "(did you mean 'gender'" in msg


def test_model_item_not_in_data(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text(MODEL.read_text(encoding="utf-8").replace("OPR4", "OPR9"), encoding="utf-8")
    msg = error_of(write(tmp_path, model=str(model)))
    assert "key 'model'" in msg and "'OPR9'" in msg


def test_missing_data_file(tmp_path):
    msg = error_of(write(tmp_path, data=str(tmp_path / "nowhere.sav")))
    assert "line 3, key 'data.file'" in msg and "does not exist" in msg


def test_bad_data_file_suffix(tmp_path):
    msg = error_of(write(tmp_path, data="answers.txt"))
    assert "line 3, key 'data.file'" in msg and ".csv, .xlsx or .sav" in msg


def test_model_syntax_error(tmp_path):
    model = tmp_path / "bad.lav"
    model.write_text("SAT =~ SAT1 + SAT2 + SAT3\nLOY ~~~ SAT\n", encoding="utf-8")
    msg = error_of(write(tmp_path, model=str(model)))
    assert "line 12, key 'model'" in msg
    # the model's own line and caret follow
    assert "syntax error on line 2" in msg and "^" in msg


def test_inline_model_syntax_error(tmp_path):
    text = BASE.replace("model: {model}", "model: |\n  SAT =~ SAT1 + + SAT2\n  LOY ~ SAT")
    msg = error_of(write(tmp_path, text))
    assert "key 'model'" in msg and "syntax error" in msg


def test_missing_model_file(tmp_path):
    msg = error_of(write(tmp_path, model="nowhere.lav"))
    assert "key 'model'" in msg and "does not exist" in msg


def test_reverse_item_not_in_model(tmp_path):
    msg = error_of(write(tmp_path, BASE.replace("  LOY4r: LOY4", "  LOY4r: LOY5")))
    assert "line 7, key 'reverse_items'" in msg
    assert "'LOY4r'" in msg and "not an item of the model" in msg and "(did you mean 'LOY4'" in msg


def test_reverse_item_not_in_data(tmp_path):
    msg = error_of(write(tmp_path, BASE.replace("  SAT3r: SAT3", "  SAT3x: SAT3")))
    assert "line 6, key 'reverse_items'" in msg and "'SAT3x'" in msg and "(did you mean 'SAT3r'" in msg


def test_hypothesis_not_in_model(tmp_path):
    msg = error_of(write(tmp_path, BASE.replace("H4: LOY ~ SAT", "H4: SAT ~ LOY")))
    assert "line 15, key 'hypotheses.H4'" in msg and "'SAT ~ LOY'" in msg


def test_yaml_syntax_error(tmp_path):
    msg = error_of(write(tmp_path, BASE.replace("scale: [1, 5]", "scale: [1, 5")))
    assert re.search(r"line \d+, column \d+: not valid YAML", msg)


def test_not_a_mapping(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert "must be a YAML mapping" in error_of(path)


def test_missing_study_file(tmp_path):
    assert "does not exist" in error_of(tmp_path / "none.yaml")


def test_csv_with_persian_digits_and_missing_codes(tmp_path):
    raw = crm.load_dataset("ecrm_survey").head(60).copy()
    csv = raw.astype("object")
    csv.loc[0, "OPR1"] = 99  # a missing-value code, not an out-of-scale answer
    csv.loc[1, "gender"] = -99
    csv["OPR2"] = [crm.to_persian_digits(int(v)) if pd.notna(v) else "" for v in raw["OPR2"]]
    path = tmp_path / "answers.csv"
    csv.to_csv(path, index=False, encoding="utf-8")
    study = load_study(write(tmp_path, data=str(path)))
    data = read_study_data(study)
    assert np.isnan(data.items.loc[0, "OPR1"])
    assert pd.isna(data.demographics.loc[1, "gender"])
    assert data.codes_replaced["OPR1"] == 1 and data.codes_replaced["gender"] == 1
    np.testing.assert_array_equal(data.items["OPR2"].to_numpy(), raw["OPR2"].to_numpy(dtype=float))


def test_answer_outside_scale_names_column_and_value(tmp_path):
    raw = crm.load_dataset("ecrm_survey").head(30).copy()
    raw.loc[3, "DEL2"] = 7
    path = tmp_path / "answers.csv"
    raw.to_csv(path, index=False)
    study = load_study(write(tmp_path, data=str(path)))
    with pytest.raises(CRMInputError, match=r"key 'scale'.*DEL2.*7"):
        read_study_data(study)


def test_excel_data(tmp_path):
    study = load_study(write(tmp_path, data=str(dataset_path("ecrm_survey.xlsx"))))
    data = read_study_data(study)
    sav = read_study_data(load_study(write(tmp_path, name="s2.yaml")))
    pd.testing.assert_frame_equal(data.items, sav.items)


def test_list_form_of_reverse_items(tmp_path):
    raw = crm.load_dataset("ecrm_survey").rename(columns={"SAT3r": "SAT3", "LOY4r": "LOY4"})
    path = tmp_path / "answers.csv"
    raw.to_csv(path, index=False)
    text = BASE.replace("reverse_items:\n  SAT3r: SAT3\n  LOY4r: LOY4", "reverse_items: [SAT3, LOY4]")
    study = load_study(write(tmp_path, text, data=str(path)))
    assert study.reverse == {"SAT3": "SAT3", "LOY4": "LOY4"}
    data = read_study_data(study)
    np.testing.assert_array_equal(data.items["LOY4"].to_numpy(), 6 - raw["LOY4"].to_numpy(dtype=float))


def test_schema_is_valid_json_schema():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(crm.STUDY_SCHEMA)


def test_repeated_key_is_an_error_not_silently_dropped(tmp_path):
    # YAML keeps the last of two equal keys: a hypothesis name pasted twice dropped a hypothesis
    text = BASE.replace("  H4: LOY ~ SAT", "  H1: LOY ~ SAT")
    msg = error_of(write(tmp_path, text))
    assert "line 15, key 'hypotheses.H1'" in msg and "given twice (lines 14 and 15)" in msg
    msg = error_of(write(tmp_path, BASE.replace("language: en", "language: en\nlanguage: fa")))
    assert "key 'language'" in msg and "twice" in msg


# -- issue 16: hostile and foreign-format study files ------------------------------------------------


def test_issue16_yaml_alias_bomb_is_refused_quickly(tmp_path):
    import time

    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = "\n".join(lines) + "\n" + BASE.replace("title: test study", "title: bomb")
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb.format(data=DATA, model=MODEL), encoding="utf-8")
    assert path.stat().st_size < 1500
    start = time.perf_counter()
    msg = error_of(path)
    assert time.perf_counter() - start < 5
    assert "aliases" in msg and "memory" in msg


def test_issue16_small_aliases_still_work(tmp_path):
    text = BASE.replace("demographics: [gender, age_band]", "demographics: &d [gender, age_band]")
    assert load_study(write(tmp_path, text)).demographics == ["gender", "age_band"]


def test_issue16_oversized_study_file_is_refused(tmp_path):
    path = write(tmp_path)
    path.write_text(path.read_text() + "#" * 1_100_000 + "\n", encoding="utf-8")
    assert "a page of text" in error_of(path)


def _csv(tmp_path, frame, name="answers.csv", **options):
    path = tmp_path / name
    frame.to_csv(path, index=False, **options)
    return path


def test_issue16_repeated_column_header_is_an_error(tmp_path):
    raw = crm.load_dataset("ecrm_survey").head(40)
    path = tmp_path / "answers.csv"
    text = raw.to_csv(index=False)
    header, rest = text.split("\n", 1)
    path.write_text(header.replace("OPR2", "OPR1", 1) + "\n" + rest, encoding="utf-8")
    msg = error_of(write(tmp_path, data=str(path)))
    assert "'OPR1'" in msg and "more than once" in msg


def test_issue16_semicolon_and_decimal_comma_csv(tmp_path):
    raw = crm.load_dataset("ecrm_survey").head(40).copy()
    raw["OPR1"] = raw["OPR1"].astype(float)
    raw.loc[0, "OPR1"] = 3.5
    path = _csv(tmp_path, raw, sep=";", decimal=",")
    msg = error_of(write(tmp_path, data=str(path)))
    assert "separator" in msg and "';'" in msg
    text = BASE.replace("  file: {data}", "  file: {data}\n  separator: ';'")
    study = load_study(write(tmp_path, text, data=str(path)))
    with pytest.raises(CRMInputError, match="decimal comma.*'3,5'"):
        read_study_data(study)
    text = BASE.replace("  file: {data}", "  file: {data}\n  separator: ';'\n  decimal: ','")
    data = read_study_data(load_study(write(tmp_path, text, data=str(path))))
    assert data.items.loc[0, "OPR1"] == 3.5 and len(data.items) == 40


def test_issue16_windows_1256_csv(tmp_path):
    raw = crm.load_dataset("ecrm_survey").head(40).copy()
    raw["gender"] = np.where(np.arange(40) % 2, "زن", "مرد")
    path = _csv(tmp_path, raw, encoding="cp1256")
    msg = error_of(write(tmp_path, data=str(path)))
    assert "cp1256" in msg and "key 'data.file'" in msg
    text = BASE.replace("  file: {data}", "  file: {data}\n  encoding: cp1256")
    data = read_study_data(load_study(write(tmp_path, text, data=str(path))))
    assert set(data.demographics["gender"]) == {"زن", "مرد"}
    assert "unknown text encoding" in error_of(write(tmp_path, BASE.replace("  file: {data}",
                                                                             "  file: {data}\n  encoding: klingon"),
                                                     data=str(path)))


def test_issue16_excel_with_two_sheets_and_no_sheet_key(tmp_path):
    raw = crm.load_dataset("ecrm_survey").head(40)
    path = tmp_path / "answers.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["read me first"]}).to_excel(writer, sheet_name="readme", index=False)
        raw.to_excel(writer, sheet_name="answers", index=False)
    msg = error_of(write(tmp_path, data=str(path)))
    assert "'readme', 'answers'" in msg and "sheet:" in msg
    text = BASE.replace("  file: {data}", "  file: {data}\n  sheet: answer")
    assert "did you mean 'answers'" in error_of(write(tmp_path, text, data=str(path)))
    text = BASE.replace("  file: {data}", "  file: {data}\n  sheet: answers")
    assert len(read_study_data(load_study(write(tmp_path, text, data=str(path)))).items) == 40


def test_issue16_header_only_csv(tmp_path):
    raw = crm.load_dataset("ecrm_survey").head(0)
    path = _csv(tmp_path, raw)
    assert "no rows" in error_of(write(tmp_path, data=str(path)))


def test_issue16_control_characters_are_removed_at_the_reader(tmp_path):
    import pyreadstat

    raw = crm.load_dataset("ecrm_survey").head(40).copy()
    raw["gender"] = np.where(np.arange(40) % 2, "female\x0bwith tab", "male\x01")
    path = _csv(tmp_path, raw)
    data = read_study_data(load_study(write(tmp_path, data=str(path))))
    assert set(data.demographics["gender"]) == {"female with tab", "male"}
    sav = tmp_path / "answers.sav"
    pyreadstat.write_sav(crm.load_dataset("ecrm_survey").head(40), str(sav),
                         column_labels={"gender": "Gender\x0bof respondent"},
                         variable_value_labels={"gender": {1.0: "male\x0b", 2.0: "=female"}})
    data = read_study_data(load_study(write(tmp_path, data=str(sav))))
    assert data.variable_labels["gender"] == "Gender of respondent"
    assert "\x0b" not in str(data.value_labels)


def test_issue16_control_characters_in_titles_are_removed(tmp_path):
    text = BASE.replace("title: test study", 'title: "test\\vstudy\\x01"\nauthor: "A\\fB"')
    study = load_study(write(tmp_path, text))
    assert study.title == "test study" and study.author == "A B"


def test_group_comparisons_ipma_mga_keys(tmp_path):
    """Issue 15: the chapter's group comparisons and the PLS IPMA/MGA are asked for in the study file."""
    text = BASE.replace("demographics: [gender, age_band]\n",
                        "demographics: [gender, age_band]\ngroup_comparisons: [gender, preferred_channel]\n")
    study = load_study(write(tmp_path, text))
    assert study.group_comparisons == ["gender", "preferred_channel"] and study.ipma == "" and study.mga == ""
    data = read_study_data(study)
    assert "preferred_channel" in data.raw.columns
    # a grouping column not in the data: the line of the list and the closest column
    msg = error_of(write(tmp_path, text.replace("preferred_channel]", "prefered_channel]")))
    assert "line 12, key 'group_comparisons'" in msg and "(did you mean 'preferred_channel'" in msg
    # IPMA and MGA are PLS-SEM analyses
    msg = error_of(write(tmp_path, text + "ipma: LOY\n"))
    assert "key 'ipma'" in msg and "PLS-SEM" in msg
    pls = text.replace("estimator: CB-SEM", "estimator: PLS-SEM")
    study = load_study(write(tmp_path, pls + "ipma: LOY\nmga: gender\n"))
    assert study.ipma == "LOY" and study.mga == "gender"
    msg = error_of(write(tmp_path, pls + "ipma: LOYALTY\n"))
    assert "key 'ipma'" in msg and "not a construct" in msg
    msg = error_of(write(tmp_path, pls + "mga: sex\n"))
    assert "key 'mga'" in msg and "'sex'" in msg
    msg = error_of(write(tmp_path, text.replace("group_comparisons: [gender, preferred_channel]",
                                                "group_comparisons: gender")))
    assert "key 'group_comparisons'" in msg


def test_latent_interaction_in_the_model(tmp_path):
    """'SAT ~ OPR + OPR:ANL' (moderation) is read; the product factor is latent, not a data column."""
    model = tmp_path / "m.lav"
    model.write_text(MODEL.read_text(encoding="utf-8").replace(
        "SAT ~ a1*OPR + a2*ANL + a3*EMP", "SAT ~ a1*OPR + a2*ANL + a3*EMP + OPR:ANL"), encoding="utf-8")
    text = BASE.replace("  H10: ind_OPR\n", "  H10: ind_OPR\n  H13: SAT ~ OPR:ANL\n")
    study = load_study(write(tmp_path, text, model=str(model)))
    assert study.interactions == [("SAT", "OPR", "ANL")] and "OPR_x_ANL" not in study.items
    model.write_text(MODEL.read_text(encoding="utf-8").replace(
        "SAT ~ a1*OPR + a2*ANL + a3*EMP", "SAT ~ a1*OPR + a2*ANL + a3*EMP + OPR:OPR1"), encoding="utf-8")
    msg = error_of(write(tmp_path, text, model=str(model)))
    assert "key 'model'" in msg and "OPR:OPR1" in msg and "'OPR1' is not one" in msg
