"""``crm-research init DATA``: a commented study file drafted from a data file.

:func:`init_study` reads a questionnaire data file (SPSS ``.sav``, ``.csv`` or
``.xlsx``) and writes a study file (YAML, see :mod:`crm_research.data.study`)
that the researcher then edits:

* items are the numeric columns named ``PREFIX`` + number (``SAT1``, ``sat_2``,
  ``LOY4r``), grouped into one construct per prefix (two items at least);
* the answer scale is the range of the item answers, after missing-value
  codes (SPSS's declared missing values, and codes such as 99 or -99 that lie
  far outside the other answers) are set aside;
* reverse-worded item candidates are the items whose corrected item-total
  correlation with their construct is negative (:func:`crm_research.item_analysis`);
  they are listed under ``reverse_items`` with a comment asking to check the
  wording;
* demographics are the other columns with few distinct values (categories) or
  numbers such as years (summarised by mean, SD and range in the report);
  identifier-like columns (every value distinct) are left out.

The structural model and the hypotheses are the researcher's: the file holds
a commented example of both, and :func:`crm_research.report` refuses the file
until they are written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError

__all__ = ["init_study", "study_file_reference"]

_ITEM = re.compile(r"^([A-Za-z][A-Za-z_]*?)_?(\d+)([rR]?)$")


def _read(path: Path) -> tuple[pd.DataFrame, dict, dict, dict]:
    """(data, variable labels, value labels, declared missing values per column)."""
    suffix = path.suffix.lower()
    if suffix == ".sav":
        import pyreadstat

        data, meta = pyreadstat.read_sav(str(path), user_missing=True)
        declared: dict[str, list[float]] = {}
        for col, ranges in (meta.missing_ranges or {}).items():
            for r in ranges:
                lo, hi = r.get("lo"), r.get("hi")
                if lo is not None and lo == hi:
                    declared.setdefault(col, []).append(float(lo))
        for col, values in (getattr(meta, "missing_user_values", None) or {}).items():
            declared.setdefault(col, []).extend(float(v) for v in values if isinstance(v, (int, float)))
        labels = {k: v for k, v in meta.column_names_to_labels.items() if v}
        return data, labels, dict(meta.variable_value_labels), declared
    if suffix == ".csv":
        return pd.read_csv(path, encoding="utf-8-sig"), {}, {}, {}
    if suffix == ".xlsx":
        return pd.read_excel(path, engine="openpyxl"), {}, {}, {}
    raise CRMInputError(f"crm-research init reads .sav, .csv or .xlsx files. Got {path.name!r}.")


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (safe for any label text)."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _missing_codes(items: pd.DataFrame, declared: dict) -> list[float]:
    """Declared missing values, plus codes such as 0, 99, -9 lying apart from the answers of every item."""
    codes = {v for col in items for v in declared.get(col, [])}
    values = pd.Series(items.to_numpy().ravel()).dropna()
    values = values[~values.isin(codes)]
    if len(values):
        common = values.value_counts()
        typical = common[common >= 0.01 * len(values)].index
        lo, hi = float(min(typical)), float(max(typical))
        for v in common.index:
            v = float(v)
            if (v >= 90 or v < 0 or (v == 0 and lo >= 1)) and not lo <= v <= hi:
                codes.add(v)
    return sorted(codes)


def init_study(data, *, out=None) -> Path:
    """Draft a commented study file from a questionnaire data file.

    Parameters
    ----------
    data : str or path-like
        The data file: SPSS ``.sav``, ``.csv`` or ``.xlsx``.
    out : str or path-like, optional
        The study file to write; default ``<data stem>_study.yaml`` next to
        the data.  An existing file is not overwritten.

    Returns
    -------
    pathlib.Path
        The study file written.

    Raises
    ------
    CRMInputError
        The data file is missing or of another kind, the target exists, or
        no item columns (``PREFIX`` + number, two per prefix) were found.

    Examples
    --------
    >>> import tempfile, shutil
    >>> import crm_research as crm
    >>> from crm_research.report.studyfile import init_study
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     data = shutil.copy(crm.dataset_path("ecrm_survey.sav"), folder)
    ...     text = init_study(data).read_text(encoding="utf-8")
    >>> "SAT =~ SAT1 + SAT2 + SAT3 + SAT4" in text, "LOY4r: LOY4" in text
    (True, True)
    """
    from crm_research.psychometrics.reliability import item_analysis

    path = Path(os.fspath(data)).resolve()
    if not path.is_file():
        raise CRMInputError(f"The data file {str(path)!r} does not exist.")
    target = Path(out).resolve() if out is not None else path.with_name(f"{path.stem}_study.yaml")
    if target.exists():
        raise CRMInputError(f"{str(target)!r} exists; crm-research init does not overwrite a study file "
                            "(choose another name with --out).")
    frame, var_labels, value_labels, declared = _read(path)
    numeric = {c: pd.to_numeric(frame[c], errors="coerce") for c in frame.columns}
    groups: dict[str, list[str]] = {}
    for col in frame.columns:
        m = _ITEM.match(str(col))
        v = numeric[col]
        if m and v.notna().mean() > 0.5 and np.allclose(v.dropna() % 1, 0):
            groups.setdefault(m.group(1), []).append(str(col))
    groups = {g: cols for g, cols in groups.items() if len(cols) >= 2}
    if not groups:
        raise CRMInputError(f"{path.name}: no item columns found; crm-research init groups numeric columns named "
                            "PREFIX + number (SAT1, SAT2 ...), at least two per prefix.")
    item_cols = [c for cols in groups.values() for c in cols]
    items = pd.DataFrame({c: numeric[c] for c in item_cols})
    codes = _missing_codes(items, declared)
    clean = items.mask(items.isin(codes))
    scale = (float(np.nanmin(clean.to_numpy())), float(np.nanmax(clean.to_numpy())))
    reverse: dict[str, str] = {}
    notes: dict[str, float] = {}
    for cols in groups.values():
        if len(cols) < 3:
            continue
        table = item_analysis(clean[cols].dropna(), cols)
        for col in cols:
            r = float(table.loc[col, "r_drop"])
            if r < 0:
                # 'SAT3r' (as answered) becomes 'SAT3' in the model after recoding
                reverse[col] = col[:-1] if _ITEM.match(col).group(3) else col
                notes[col] = r
    rename = reverse

    def model_name(col):
        return rename.get(col, col)

    demographics = []
    for col in frame.columns:
        if col in item_cols:
            continue
        values = frame[col].dropna()
        n_distinct = values.nunique()
        if n_distinct < 2 or n_distinct == len(values) or re.search(r"(?i)(^id$|_id$|^id_|email|phone|name)", str(col)):
            continue
        is_number = numeric[col].notna().sum() == values.size
        if n_distinct <= 12 or (is_number and col not in value_labels):
            demographics.append(str(col))

    lines = [
        f"# Study file drafted by 'crm-research init {path.name}'.  Check every line, then write the",
        "# structural model and the hypotheses (at the end of the model below) and run",
        f"#     crm-research report {target.name}",
        "# Every key is described in docs/study_file.md.",
        "",
        f"title: {_yaml_text(path.stem.replace('_', ' '))}",
        f"# title_fa: {_yaml_text('عنوان فارسی پژوهش')}",
        "# author: \"your name\"",
        "# institution: \"university, faculty\"",
        "",
        "data:",
        f"  file: {_yaml_text(path.name)}",
        "",
        f"scale: [{scale[0]:g}, {scale[1]:g}]" + "              # the smallest and largest answer found in the items",
        "",
    ]
    if reverse:
        lines.append("# reverse-worded item candidates: a negative corrected item-total correlation with their")
        lines.append("# construct.  Check the wording of each; remove a line if the item is not reverse-worded.")
        lines.append("reverse_items:")
        for col, new in reverse.items():
            lines.append(f"  {col}: {new}" + f"            # item-total r = {notes[col]:.2f}")
    else:
        lines.append("# reverse_items: {}        # no item correlates negatively with the rest of its construct")
    lines += ["", "missing:"]
    lines.append(f"  codes: [{', '.join(f'{c:g}' for c in codes)}]" + (
        "        # declared in the SPSS file or far outside the answers" if codes else
        "        # no missing-value codes found; add e.g. [99] if the file uses one"))
    lines.append("  policy: listwise                # or fiml (full-information ML)")
    lines.append("")
    if demographics:
        lines.append("# columns that are not items; a number column (e.g. years) is summarised by mean, SD, range")
        lines.append(f"demographics: [{', '.join(demographics)}]")
        for col in demographics:
            label = var_labels.get(col)
            if label:
                lines.append(f"#   {col}: {label}")
    lines += ["", "# the measurement model: one construct per item prefix (rename the constructs freely)", "model: |"]
    for g, cols in groups.items():
        lines.append(f"  {g} =~ " + " + ".join(model_name(c) for c in cols))
    names = list(groups)
    example_y, example_x = (names[-1], names[0]) if len(names) > 1 else (names[0], names[0])
    lines += [
        "  # structural model: write your paths, with labels for the indirect effects, e.g.",
        f"  # {example_y} ~ b1*{example_x}",
        "",
        "# hypotheses: name -> path of the model or defined parameter, e.g.",
        "# hypotheses:",
        f"#   H1: {example_y} ~ {example_x}",
        "",
        "# optional: full names of the constructs and the hypotheses as the thesis states them",
        "# construct_labels:",
    ]
    for g in groups:
        lines.append(f"#   {g}: {{en: \"full name\", fa: \"نام کامل\"}}")
    lines += ["# hypothesis_statements:", "#   H1: {en: \"...\", fa: \"...\"}", ""]
    if var_labels and any(c in var_labels for c in item_cols):
        lines.append("# the questions as asked (from the SPSS variable labels)")
        lines.append("item_wording:")
        for c in item_cols:
            if c in var_labels:
                lines.append(f"  {model_name(c)}: {_yaml_text(var_labels[c])}")
        lines.append("")
    lines += ["estimator: CB-SEM                 # or PLS-SEM", "bootstrap:", "  resamples: 1000", "  seed: 1",
              "language: en                      # or fa", f"output: {path.stem}_report", ""]
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.replace(tmp, target)
    return target


def study_file_reference() -> str:
    """The study-file reference (Markdown), generated from :data:`crm_research.data.study.STUDY_SCHEMA`."""
    from crm_research.data.study import STUDY_SCHEMA

    def kind(spec) -> str:
        if "enum" in spec:
            return " or ".join(f"`{v}`" for v in spec["enum"])
        if "oneOf" in spec:
            return " or ".join(kind(s) for s in spec["oneOf"])
        t = spec.get("type", "")
        if t == "array":
            return f"list of {kind(spec.get('items', {}))}".rstrip("of ").strip()
        if t == "object" and "additionalProperties" in spec and isinstance(spec["additionalProperties"], dict):
            return f"mapping name -> {kind(spec['additionalProperties'])}"
        if t == "object":
            return "mapping {" + ", ".join(spec.get("properties", {})) + "}"
        return " or ".join(t) if isinstance(t, list) else (t or "text")

    required = set(STUDY_SCHEMA["required"])
    out = ["# The study file", "",
           "*Generated from `crm_research.data.study.STUDY_SCHEMA` by "
           "`python -m crm_research.report.studyfile`; do not edit by hand.*", "",
           "A study file (YAML) describes a questionnaire analysis for `crm-research report STUDY.yaml`. "
           "`crm-research init DATA.sav` drafts one from a data file. The bundled example is "
           "`datasets/ecrm_survey_study.yaml`.", "",
           "| key | required | value | meaning |", "|---|---|---|---|"]
    for key, spec in STUDY_SCHEMA["properties"].items():
        out.append(f"| `{key}` | {'yes' if key in required else ''} | {kind(spec)} | "
                   f"{spec.get('description', '')} |")
        for sub, subspec in spec.get("properties", {}).items():
            req = "yes" if sub in spec.get("required", []) else ""
            out.append(f"| `{key}.{sub}` | {req} | {kind(subspec)} | {subspec.get('description', '')} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # regenerate docs/study_file.md
    target = Path(__file__).resolve().parents[2] / "docs" / "study_file.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(study_file_reference(), encoding="utf-8")
    print(f"wrote {target}")
