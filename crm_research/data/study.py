"""Study files: one YAML file that fully describes a questionnaire analysis.

A study file names the data file, the answer scale, the reverse-worded items,
the missing-value codes, the demographic columns, the model (lavaan syntax),
the hypotheses, the estimator, the bootstrap and the language and folder of
the report, so that the whole analysis chapter of a thesis can be rerun and
shared (``crm-research report STUDY.yaml``).  Example: the bundled
``datasets/ecrm_survey_study.yaml``.

Validation happens in two passes, and every error names the line and the key:

1. the *shape* of the file is checked against :data:`STUDY_SCHEMA`, a JSON
   Schema (draft 2020-12) checked by :mod:`jsonschema`.  A declarative schema
   is the standard way to describe a configuration file: it documents every
   key in one place, and the same schema can be used by editors (VS Code's
   YAML extension) to complete and check study files as they are typed;
2. the *content* is checked against the data and the model: the data file
   exists and can be read, every named column is in it, the model parses,
   every reverse-coded item is in the model and every hypothesis names a path
   or a defined parameter of the model.

Line numbers come from ``yaml.compose``, which keeps the position
(``start_mark``) of every node, so an error reads::

    study.yaml: line 12, key 'scale': expected two numbers [min, max] with min < max, got [5, 1].
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_numeric_columns, closest_names, examples_of

__all__ = ["STUDY_SCHEMA", "Study", "StudyData", "load_study", "read_study_data"]

_NUMBER = {"type": "number"}
#: a text in the report's languages: one text, or {en: ..., fa: ...}
_BILINGUAL = {"oneOf": [
    {"type": "string", "minLength": 1},
    {"type": "object", "additionalProperties": False, "minProperties": 1,
     "properties": {"en": {"type": "string", "minLength": 1}, "fa": {"type": "string", "minLength": 1}}},
]}

#: The JSON Schema of a study file (shape only; content is checked against the data and model).
STUDY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "crm_research study file",
    "type": "object",
    "additionalProperties": False,
    "required": ["data", "scale", "model", "hypotheses"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "description": "title of the study (report heading)"},
        "title_fa": {"type": "string", "minLength": 1, "description": "Persian title, used when language is fa"},
        "author": {"type": "string", "description": "the chapter's author (printed under the title)"},
        "institution": {"type": "string", "description": "university and faculty (printed under the title)"},
        "construct_labels": {
            "type": "object", "additionalProperties": _BILINGUAL,
            "description": "construct code -> full name, one text or {en: ..., fa: ...}, e.g. "
                           "{SAT: {en: Customer satisfaction, fa: رضایت مشتری}}",
        },
        "hypothesis_statements": {
            "type": "object", "additionalProperties": _BILINGUAL,
            "description": "hypothesis name -> its statement as written in the thesis, one text or {en: ..., fa: ...}",
        },
        "item_wording": {
            "type": "object", "additionalProperties": _BILINGUAL,
            "description": "item (as named in the model) -> the question as asked, one text or {en: ..., fa: ...}",
        },
        "data": {
            "type": "object",
            "additionalProperties": False,
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "pattern": r"(?i)\.(csv|xlsx|sav)$",
                         "description": "CSV, Excel (.xlsx) or SPSS (.sav) file, relative to the study file"},
                "sheet": {"type": ["string", "integer"], "description": "Excel sheet (name or 0-based number)"},
                "separator": {"enum": [",", ";", "\t", "|"],
                              "description": "CSV column separator (';' in many Iranian/European exports)"},
                "decimal": {"enum": [".", ","], "description": "CSV decimal mark (',' for 3,5)"},
                "encoding": {"type": "string", "minLength": 1,
                             "description": "CSV text encoding, e.g. utf-8 (default) or cp1256 (Windows Persian)"},
            },
        },
        "scale": {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2,
                  "description": "answer scale [min, max] of the Likert items"},
        "reverse_items": {
            "description": "reverse-worded items: a list of columns, or column -> name in the model",
            "oneOf": [
                {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                {"type": "object", "additionalProperties": {"type": "string"}},
            ],
        },
        "missing": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "codes": {"type": "array", "items": _NUMBER, "uniqueItems": True,
                          "description": "answer codes that mean 'no answer', e.g. [0, 99, -99]"},
                "policy": {"enum": ["listwise", "fiml"],
                           "description": "listwise: respondents missing a model item are left out; fiml: "
                                          "the CFA and SEM use every respondent (full-information ML)"},
            },
        },
        "demographics": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                         "description": "columns describing the respondents (categories, or numbers such as years)"},
        "model": {"type": "string", "minLength": 1,
                  "description": "lavaan syntax, or a .lav file name; a latent interaction 'SAT ~ OPR + ANL + "
                                 "OPR:ANL' (moderation, CB-SEM) is fitted with product indicators "
                                 "(crm.interaction_sem)"},
        "hypotheses": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "string", "minLength": 1},
            "description": "name -> path ('SAT ~ OPR') or defined parameter ('ind_OPR')",
        },
        "estimator": {"enum": ["CB-SEM", "PLS-SEM"], "description": "CB-SEM (default, lavaan-equal ML) or PLS-SEM"},
        "bootstrap": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "resamples": {"type": "integer", "minimum": 0,
                              "description": "bootstrap resamples (default 1000; 0: normal-theory intervals); with "
                                             "PLS-SEM also the resamples of the Bollen-Stine exact-fit test "
                                             "(HI95/HI99)"},
                "seed": {"type": "integer", "minimum": 0, "description": "random seed: the same seed, the same numbers"},
            },
        },
        "group_comparisons": {
            "type": "array", "items": {"type": "string"}, "uniqueItems": True,
            "description": "grouping columns (e.g. [gender, preferred_channel]): the construct scores are "
                           "compared across the groups of each (t / Mann-Whitney, ANOVA / Kruskal-Wallis, "
                           "crm.compare_groups)",
        },
        "ipma": {"type": "string", "minLength": 1,
                 "description": "PLS-SEM only: the target construct of an importance-performance map (crm.ipma)"},
        "mga": {"type": "string", "minLength": 1,
                "description": "PLS-SEM only: a grouping column with two groups for the multi-group analysis "
                               "(crm.pls_mga, permutation test with the study's bootstrap.resamples permutations)"},
        "language": {"enum": ["en", "fa"], "description": "language of the report (default en)"},
        "output": {"type": "string", "minLength": 1, "description": "report folder, relative to the study file"},
    },
}

_EXPECTED = {  # what a key must hold, in words, for the error messages
    "scale": "two numbers [min, max] with min < max",
    "data": "a mapping with 'file' (a .csv, .xlsx or .sav file) and optionally 'sheet'",
    "data.file": "a .csv, .xlsx or .sav file name",
    "data.sheet": "an Excel sheet name or 0-based number",
    "data.separator": "one of ',', ';', '\\t' (tab) or '|'",
    "data.decimal": "'.' or ','",
    "data.encoding": "a text encoding such as utf-8 or cp1256",
    "reverse_items": "a list of item columns, or a mapping column -> name used in the model",
    "missing": "a mapping with 'codes' (a list of numbers) and 'policy' (listwise)",
    "missing.codes": "a list of distinct numbers such as [0, 99, -99]",
    "missing.policy": "'listwise' or 'fiml'",
    "demographics": "a list of distinct column names",
    "model": "lavaan model syntax (text) or the name of a .lav file",
    "hypotheses": "a mapping such as {H1: 'SAT ~ OPR', H10: 'ind_OPR'}",
    "estimator": "'CB-SEM' or 'PLS-SEM'",
    "bootstrap": "a mapping with 'resamples' (an integer >= 0) and 'seed' (an integer >= 0)",
    "bootstrap.resamples": "an integer >= 0 (0, or at least 10 resamples)",
    "bootstrap.seed": "an integer >= 0",
    "language": "'en' or 'fa'",
    "group_comparisons": "a list of distinct grouping column names",
    "ipma": "the name of a construct of the model",
    "mga": "the name of a grouping column with two groups",
    "output": "a folder name",
    "title": "a non-empty text",
    "title_fa": "a non-empty text",
    "author": "a text",
    "institution": "a text",
    "construct_labels": "a mapping construct -> text or {en: text, fa: text}",
    "hypothesis_statements": "a mapping hypothesis -> text or {en: text, fa: text}",
    "item_wording": "a mapping item -> text or {en: text, fa: text}",
}


@dataclass
class Study:
    """A validated study file.  Build it with :func:`load_study`.

    Attributes
    ----------
    path : pathlib.Path
        The study file.
    title, title_fa, author : str
    data_file : pathlib.Path
        The data file (absolute).
    sheet : str or int or None
    scale : tuple of float
        ``(min, max)`` of the Likert items.
    reverse : dict
        Reverse-worded column -> name of the reversed item in the model.
    missing_codes : list of float
    missing_policy : str
    demographics : list of str
    model : str
        lavaan syntax.
    hypotheses : dict
        Hypothesis name -> path or defined parameter.
    estimator : {"CB-SEM", "PLS-SEM"}
    bootstrap : int
    seed : int
    language : {"en", "fa"}
    output : pathlib.Path
        Output folder (absolute; relative names are taken from the study file's folder).
    constructs : dict
        Construct -> items, from the model's ``=~`` lines.
    items : list of str
        Every observed variable of the model (after reverse coding).
    lines : dict
        Key -> line number in the study file (for later error messages).
    separator, decimal, encoding : str
        How the CSV data file is written (``data.separator``, ``data.decimal``,
        ``data.encoding``; default ``,``, ``.`` and UTF-8).
    institution : str
    construct_labels, hypothesis_statements, item_wording : dict
        Construct / hypothesis / item -> ``{"en": text, "fa": text}`` (a
        single text in the file is used for both languages).
    group_comparisons : list of str
        Grouping columns across which the report compares the construct scores.
    interactions : list of tuple
        ``(outcome, x, z)`` of every latent interaction ``x:z`` written in the model
        (moderation, fitted by :func:`crm_research.interaction_sem`).
    ipma, mga : str
        PLS-SEM studies: the IPMA target construct and the MGA grouping column
        (empty: not asked for).
    """

    path: Path
    title: str
    title_fa: str
    author: str
    data_file: Path
    sheet: Any
    scale: tuple[float, float]
    reverse: dict[str, str]
    missing_codes: list[float]
    missing_policy: str
    demographics: list[str]
    model: str
    hypotheses: dict[str, str]
    estimator: str
    bootstrap: int
    seed: int
    language: str
    output: Path
    constructs: dict[str, list[str]] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    separator: str = ","
    decimal: str = "."
    encoding: str = "utf-8-sig"
    institution: str = ""
    construct_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    hypothesis_statements: dict[str, dict[str, str]] = field(default_factory=dict)
    item_wording: dict[str, dict[str, str]] = field(default_factory=dict)
    group_comparisons: list[str] = field(default_factory=list)
    interactions: list[tuple[str, str, str]] = field(default_factory=list)
    ipma: str = ""
    mga: str = ""

    def text(self, key: str, name: str, lang: str, *, default: str | None = None) -> str:
        """The ``lang`` text of ``name`` under ``key`` (e.g. ``"construct_labels", "SAT", "fa"``).

        Falls back to the other language, then to ``default`` (``name`` itself when not given).
        """
        entry = getattr(self, key).get(name, {})
        return entry.get(lang) or entry.get("en") or entry.get("fa") or (name if default is None else default)

    @positional_options
    def error(self, key: str, message: str, *, at: str | None = None) -> CRMInputError:
        """A :class:`CRMInputError` naming ``key``, at the line of ``at`` (default: of ``key``)."""
        return _error(self.path, self.lines.get(at or key, self.lines.get(key)), key, message)

    def _entry(self, key: str, value: str) -> str:
        """Dotted path of ``value`` inside the list or mapping under ``key`` (for its line number)."""
        if f"{key}.{value}" in self.lines:
            return f"{key}.{value}"
        entries = {"reverse_items": self.reverse, "group_comparisons": self.group_comparisons}.get(
            key, self.demographics if key == "demographics" else [])
        names = list(entries)
        return f"{key}.{names.index(value)}" if value in names else key


@dataclass
class StudyData:
    """The data of a study, read and cleaned by :func:`read_study_data`.

    Attributes
    ----------
    raw : pandas.DataFrame
        The file as read (with missing-value codes already set to NaN).
    items : pandas.DataFrame
        Float copy of the model's items, reverse-coded and renamed as in the model.
    demographics : pandas.DataFrame
        The demographic columns (numbers or text).
    value_labels : dict
        Column -> {code: label} (from the SPSS file; empty for CSV and Excel).
    variable_labels : dict
        Column -> label (from the SPSS file; empty for CSV and Excel).
    n_total : int
        Respondents in the file.
    codes_replaced : pandas.Series
        Per column, how many cells held a missing-value code.
    """

    raw: pd.DataFrame
    items: pd.DataFrame
    demographics: pd.DataFrame
    value_labels: dict
    variable_labels: dict
    n_total: int
    codes_replaced: pd.Series


def _error(path, line, key, message) -> CRMInputError:
    where = f"line {line}, " if line else ""
    return CRMInputError(f"{Path(path).name}: {where}key '{key}': {message}")


def _node_lines(node, prefix: str = "", out: dict | None = None, dups: list | None = None) -> dict[str, int]:
    """Map dotted key paths ('bootstrap.seed', 'hypotheses.H1', 'scale.1') to 1-based line numbers.

    A key given twice in one mapping is appended to ``dups`` as ``(key, first line, second line)``.
    """
    import yaml

    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            if key in seen and dups is not None:
                dups.append((key, seen[key], key_node.start_mark.line + 1))
            seen[key] = key_node.start_mark.line + 1
            out[key] = key_node.start_mark.line + 1
            out[key + "#value"] = value_node.start_mark.line + 1
            _node_lines(value_node, key + ".", out, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[f"{prefix}{i}"] = item.start_mark.line + 1
            _node_lines(item, f"{prefix}{i}.", out, dups)
    return out


def _schema_message(err, doc) -> tuple[str, str]:
    """(dotted key, message) for one jsonschema error, in the study file's words."""
    path = [str(p) for p in err.absolute_path]
    if err.validator == "additionalProperties" and err.validator_value is False:
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        key = ".".join(path + [str(extra[0])]) if extra else ".".join(path)
        hint = closest_names(str(extra[0]), allowed) if extra else []
        msg = f"unknown key; allowed here: {', '.join(allowed)}"
        msg += f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else ""
        return key, msg
    if err.validator == "required":
        missing = [k for k in err.validator_value if k not in (err.instance or {})]
        key = ".".join(path + [missing[0]]) if missing else ".".join(path)
        return key, "this key is required: " + _EXPECTED.get(key, "see the documentation of crm_research.data.study")
    # report the top-level or second-level key whose value is wrong
    key = ".".join(path[:2]) if path[:1] in (["data"], ["missing"], ["bootstrap"]) else (path[0] if path else "")
    if path[:1] == ["hypotheses"] and len(path) > 1:
        expected = "a path such as 'SAT ~ OPR' or a defined parameter name, as text"
        key = ".".join(path[:2])
    else:
        expected = _EXPECTED.get(key, err.message)
    value = doc
    for p in key.split(".") if key else []:
        value = value[int(p)] if isinstance(value, list) else value.get(p)
    return key, f"expected {expected}, got {value!r}"


# A study file is a page of text.  These bounds keep a hostile one (a "billion laughs" alias bomb: a few
# hundred bytes of nested anchors that expand to billions of nodes) from exhausting the machine's memory.
_MAX_STUDY_BYTES = 1_000_000
_MAX_YAML_NODES = 20_000  # nodes after expanding aliases; the bundled study has about 100
_MAX_YAML_DEPTH = 40


def _bounded_yaml_size(node, path: Path) -> None:
    """Refuse a YAML document whose alias-expanded size or depth exceeds the bounds.

    Sizes are memoised per node, so the check itself is linear in the file, however far
    its aliases would expand.
    """
    import yaml

    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    stack = [(node, False)]
    while stack:  # iterative post-order: no recursion limit to hit either
        current, done = stack.pop()
        key = id(current)
        if key in sizes:
            continue
        if isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        else:
            children = []
        if not done:
            if key in depths:  # seen on the current path without a size: a recursive alias
                raise CRMInputError(f"{path.name}: the YAML refers to itself through an alias (*...); "
                                    "a study file needs no anchors or aliases.")
            depths[key] = -1
            stack.append((current, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        sizes[key] = 1 + sum(sizes[id(c)] for c in children)
        depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
        if sizes[key] > _MAX_YAML_NODES or depths[key] > _MAX_YAML_DEPTH:
            raise CRMInputError(
                f"{path.name}: the YAML expands to more than {_MAX_YAML_NODES:,} values or nests deeper than "
                f"{_MAX_YAML_DEPTH} levels (through anchors '&' and aliases '*' or nesting); a study file is far "
                "smaller. It was not read further, to protect this machine's memory.")


def _parse_yaml(path: Path) -> tuple[dict, dict]:
    import yaml

    if path.stat().st_size > _MAX_STUDY_BYTES:
        raise CRMInputError(f"The study file {str(path)!r} is {path.stat().st_size:,} bytes; a study file is a "
                            f"page of text (at most {_MAX_STUDY_BYTES:,} bytes). Is it the data file?")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CRMInputError(f"The study file {str(path)!r} is not UTF-8 text ({exc}).") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None:
            _bounded_yaml_size(node, path)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CRMInputError(f"{path.name}: {where}not valid YAML ({problem}).") from None
    if not isinstance(doc, dict):
        raise CRMInputError(f"{path.name}: a study file must be a YAML mapping of keys (data, scale, model, "
                            f"hypotheses, ...). Got {type(doc).__name__}.")
    # YAML keeps only the last of two equal keys: a hypothesis name pasted twice would silently
    # drop the first hypothesis, so a repeated key is an error
    dups: list = []
    lines = _node_lines(node, dups=dups)
    if dups:
        key, first, second = dups[0]
        raise _error(path, second, key, f"given twice (lines {first} and {second}); YAML would keep only the "
                                        "second and silently ignore the first. Rename or remove one.")
    return doc, lines


def _check_schema(doc: dict, lines: dict, path: Path) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(STUDY_SCHEMA)
    errors = sorted(validator.iter_errors(doc), key=lambda e: (lines.get(".".join(map(str, e.absolute_path)), 0),
                                                              list(map(str, e.absolute_path))))
    if errors:
        key, msg = _schema_message(errors[0], doc)
        raise _error(path, lines.get(key), key, msg)
    low, high = doc["scale"]
    if not low < high:
        raise _error(path, lines.get("scale"), "scale", f"expected {_EXPECTED['scale']}, got {doc['scale']!r}")
    boot = doc.get("bootstrap", {}).get("resamples", 0)
    if 0 < boot < 10:
        raise _error(path, lines.get("bootstrap.resamples"), "bootstrap.resamples",
                     f"expected {_EXPECTED['bootstrap.resamples']}, got {boot!r}")


def _read_model(doc, lines, path: Path) -> str:
    text = doc["model"]
    if "\n" not in text.strip() and text.strip().lower().endswith(".lav"):
        model_path = (path.parent / text.strip()).resolve()
        if not model_path.is_file():
            raise _error(path, lines.get("model"), "model",
                         f"the model file {str(model_path)!r} does not exist (names are relative to the study file)")
        text = model_path.read_text(encoding="utf-8")
    return text


#: a latent interaction term ``x:z`` in a regression (not ``:=``), the notation of crm.interaction_sem; the
#: data layer cannot import the sem package, so the study check reads the term with this pattern
_INTERACTION = re.compile(r"([A-Za-z_.\u0600-\u06FF][\w.\u0600-\u06FF]*)\s*:(?!=)\s*"
                          r"([A-Za-z_.\u0600-\u06FF][\w.\u0600-\u06FF]*)")


def _interaction_terms(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The model with every ``x:z`` regression term named ``x_x_z`` (as crm.interaction_sem names its
    product factor), and the ``(outcome, x, z)`` of each term.

    Examples
    --------
    >>> _interaction_terms("SAT ~ OPR + ANL + OPR:ANL\\nind := a*b")
    ('SAT ~ OPR + ANL + OPR_x_ANL\\nind := a*b', [('SAT', 'OPR', 'ANL')])
    """
    out, terms = [], []
    for line in text.split("\n"):
        code = line.split("#")[0]
        if "~" in code and "=~" not in code and ":=" not in code and _INTERACTION.search(code):
            lhs = code.split("~")[0].strip()
            for m in _INTERACTION.finditer(code):
                if (lhs, m.group(1), m.group(2)) not in terms:
                    terms.append((lhs, m.group(1), m.group(2)))
            line = _INTERACTION.sub(lambda m: f"{m.group(1)}_x_{m.group(2)}", code)
        out.append(line)
    return "\n".join(out), terms


def _parse_model(text, lines, path):
    from crm_research.core.syntax import parse_model

    text, interactions = _interaction_terms(text)
    try:
        parsed = parse_model(text)
    except CRMInputError as exc:
        raise _error(path, lines.get("model"), "model", str(exc)) from None
    constructs: dict[str, list[str]] = {}
    for st in parsed.statements:
        if st.op == "=~":
            constructs.setdefault(st.lhs, []).extend(t.name for t in st.terms)
    if not constructs:
        raise _error(path, lines.get("model"), "model",
                     "the model has no measurement part ('=~' lines); a questionnaire study needs one")
    for _y, x, z in interactions:
        for name in (x, z):
            if name not in constructs:
                raise _error(path, lines.get("model"), "model",
                             f"the interaction term {x}:{z} needs two constructs measured in the model ('=~'); "
                             f"{name!r} is not one")
    # the product factor of an interaction is latent: it is measured by product indicators built at fit time
    latent = set(constructs) | {f"{x}_x_{z}" for _y, x, z in interactions}
    observed: list[str] = []
    for st in parsed.statements:
        names = [t.name for t in st.terms] + ([st.lhs] if st.op != "=~" else [])
        for name in names:
            if name not in latent and name not in observed:
                observed.append(name)
    return parsed, constructs, observed


def _check_hypotheses(hyps, parsed, lines, path):
    paths = set()
    labels = set()
    for st in parsed.statements:
        for t in st.terms:
            paths.add(f"{st.lhs} {st.op} {t.name}")
            if st.op == "~~":
                paths.add(f"{t.name} ~~ {st.lhs}")
            if t.label:
                labels.add(t.label)
    defined = {d.name for d in parsed.definitions}
    for name, spec in hyps.items():
        text = " ".join(_interaction_terms(spec)[0].replace("=~", " =~ ").replace("~~", " ~~ ").split())
        if "~" in text and "=~" not in text and "~~" not in text:
            text = " ".join(text.replace("~", " ~ ").split())
        if text in paths or text in labels or text in defined:
            continue
        hint = closest_names(text, sorted(paths | labels | defined))
        raise _error(path, lines.get(f"hypotheses.{name}"), f"hypotheses.{name}",
                     f"{spec!r} is neither a path of the model (such as 'SAT ~ OPR') nor a label or defined "
                     "parameter (':=')" + (f"; did you mean {' or '.join(map(repr, hint))}?" if hint else ""))


def _read_file(study: Study) -> tuple[pd.DataFrame, dict, dict]:
    """Read the data file; return (DataFrame, value labels, variable labels)."""
    f = study.data_file
    suffix = f.suffix.lower()
    try:
        if suffix == ".csv":
            data = _read_csv(study)
            labels: dict = {}
            var_labels: dict = {}
        elif suffix == ".xlsx":
            data = _read_excel(study)
            labels, var_labels = {}, {}
        else:
            import pyreadstat

            data, meta = pyreadstat.read_sav(str(f))
            var_labels = {k: v for k, v in meta.column_names_to_labels.items() if v}
            labels = dict(meta.variable_value_labels)
    except CRMInputError:
        raise
    except Exception as exc:  # any reader failure becomes one clear message naming the file
        raise study.error("data.file", f"could not read {str(f)!r} as a {suffix} file: {exc}") from None
    if len(data) == 0:
        raise study.error("data.file", f"the data file {f.name} has column names but no rows (respondents); "
                                       "was it exported before the answers were added?")
    # answers and labels flow into the Word/HTML report: strip characters XML cannot hold (a vertical
    # tab pasted from Excel made the DOCX writer fail)
    data = _clean_text_cells(data)
    labels = {col: {code: _xml_safe_text(text) if isinstance(text, str) else text for code, text in codes.items()}
              for col, codes in labels.items()}
    var_labels = {col: _xml_safe_text(text) if isinstance(text, str) else text for col, text in var_labels.items()}
    return data, labels, var_labels


def _refuse_repeated_headers(study: Study, header: list) -> None:
    # pandas renames a repeated header "OPR1" to "OPR1.1" and the model would silently use the first
    names = [str(h).strip() for h in header]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise study.error("data.file", f"the data file {study.data_file.name} has the column name(s) "
                                       f"{examples_of(repeated)} more than once; the analysis cannot know which "
                                       "column is meant. Rename or delete the duplicates.")


def _read_csv(study: Study) -> pd.DataFrame:
    import codecs

    f = study.data_file
    try:
        codecs.lookup(study.encoding)
    except LookupError:
        raise study.error("data.encoding", f"unknown text encoding {study.encoding!r}; "
                                           f"expected {_EXPECTED['data.encoding']}") from None
    options = {"sep": study.separator, "encoding": study.encoding, "dtype": str, "keep_default_na": True}
    try:
        # the header row alone first: the separator and repeated names are judged before the rows are parsed
        header = pd.read_csv(f, header=None, nrows=1, **options)
        first = [str(h) for h in header.iloc[0].tolist()] if len(header) else []
        if len(first) == 1 and study.separator == ",":
            sep = next((s for s in (";", "\t", "|") if s in first[0]), None)
            if sep is not None:
                shown = "\\t" if sep == "\t" else sep
                raise study.error(
                    "data.file", f"{f.name} has one column named {first[0][:60]!r}: its columns are separated "
                                 f"by {shown!r}, not ','. Add 'separator: \"{shown}\"' under 'data:' (and "
                                 "'decimal: \",\"' if numbers are written like 3,5).")
        _refuse_repeated_headers(study, first)
        # everything as text: Persian digits and decimal commas are converted later
        return pd.read_csv(f, **options)
    except UnicodeDecodeError:
        raise study.error(
            "data.file", f"{f.name} is not {study.encoding.replace('-sig', '')} text. A CSV saved by Excel on "
                         "Persian Windows is usually Windows-1256: add 'encoding: cp1256' under 'data:' in the "
                         "study file.") from None
    except pd.errors.EmptyDataError:
        raise study.error("data.file", f"the data file {f.name} is empty.") from None


def _read_excel(study: Study) -> pd.DataFrame:
    f = study.data_file
    sheets = _sheet_names(f)
    sheet = study.sheet
    if sheet is None:  # the first sheet; a missing column then names the other sheets (see _check_columns)
        sheet = 0
    elif isinstance(sheet, str) and sheet not in sheets:
        hint = closest_names(sheet, sheets)
        raise study.error("data.sheet", f"{f.name} has no sheet {sheet!r}"
                          + (f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else "")
                          + f"; its sheets: {examples_of(sheets, 8)}.")
    elif isinstance(sheet, int) and not 0 <= sheet < len(sheets):
        raise study.error("data.sheet", f"{f.name} has {len(sheets)} sheet(s), numbered from 0: "
                                        f"{examples_of(sheets, 8)}; sheet {sheet} does not exist.")
    header = pd.read_excel(f, sheet_name=sheet, engine="openpyxl", header=None, nrows=1)
    _refuse_repeated_headers(study, header.iloc[0].tolist() if len(header) else [])
    return pd.read_excel(f, sheet_name=sheet, engine="openpyxl")


# C0 controls except tab/LF/CR, DEL, and the code points XML 1.0 forbids
_XML_UNSAFE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def _xml_safe_text(text: str) -> str:
    """``text`` without the control characters that XML 1.0 (DOCX, HTML) cannot hold.

    Tab, line feed and carriage return stay; a vertical tab or form feed (Excel writes
    Alt+Enter line breaks as vertical tabs in some exports) becomes a space, any other
    control character is removed.  The one place where study text is made safe for the report.
    """
    return _XML_UNSAFE.sub("", text.replace("\x0b", " ").replace("\x0c", " "))


def _clean_text_cells(data: pd.DataFrame) -> pd.DataFrame:
    out = data
    for col in data.columns:
        values = data[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            cleaned = values.map(lambda v: _xml_safe_text(v) if isinstance(v, str) else v)
            if not cleaned.equals(values):
                out = out.copy() if out is data else out
                out[col] = cleaned
    header = [_xml_safe_text(c) if isinstance(c, str) else c for c in out.columns]
    if header != list(out.columns):
        out = out.set_axis(header, axis=1)
    return out


def _sheet_names(path: Path) -> list:
    with pd.ExcelFile(path, engine="openpyxl") as book:
        return list(book.sheet_names)


def _other_sheets(study: Study) -> str:
    """For an Excel file read without 'sheet:', a hint naming its other sheets (else '')."""
    if study.data_file.suffix.lower() != ".xlsx" or study.sheet is not None:
        return ""
    sheets = _sheet_names(study.data_file)
    if len(sheets) < 2:
        return ""
    return (f" The workbook has {len(sheets)} sheets ({examples_of(sheets, 8)}) and the first, {sheets[0]!r}, was "
            "read because the study file names none: add 'sheet: <name>' under 'data:'.")


def _check_columns(study: Study, data: pd.DataFrame) -> None:
    columns = [str(c) for c in data.columns]

    def missing_column(col, key):
        hint = closest_names(col, columns)
        msg = f"column {col!r} is not in the data file {study.data_file.name}"
        msg += f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else ""
        msg += f". Available columns: {examples_of(columns, 12)}."
        msg += _other_sheets(study)
        at = study._entry(key, col) if key != "model" else None
        return study.error(key, msg, at=at)

    for col in study.demographics:
        if col not in columns:
            raise missing_column(col, "demographics")
    for col in study.group_comparisons:
        if col not in columns:
            raise missing_column(col, "group_comparisons")
    if study.mga and study.mga not in columns:
        raise missing_column(study.mga, "mga")
    for col in study.reverse:
        if col not in columns:
            raise missing_column(col, "reverse_items")
    renamed = {new: old for old, new in study.reverse.items()}
    for item in study.items:
        source = renamed.get(item, item)
        if source not in columns:
            if item in columns:
                continue
            raise missing_column(source, "model")


@positional_options
def load_study(path: str | os.PathLike, *, check_data: bool = True) -> Study:
    """Read and validate a study file.

    Parameters
    ----------
    path : str or path-like
        The YAML study file.  Relative file names inside it (data, model,
        output) are taken from the folder of the study file.
    check_data : bool, default True
        Also open the data file and check that every named column is in it.

    Returns
    -------
    Study

    Raises
    ------
    CRMInputError
        With the file name, the line and the key: an unknown or missing key,
        a value of the wrong kind (e.g. a scale that is not ``[min, max]``
        with ``min < max``), a missing data or model file, a model syntax
        error (with the model's own line and caret), a column not in the
        data, a reverse-coded item that the model does not use, or a
        hypothesis that names no path of the model.

    Notes
    -----
    The keys (see :data:`STUDY_SCHEMA`): ``title``, ``title_fa``, ``author``,
    ``institution``, ``construct_labels``, ``hypothesis_statements``,
    ``item_wording`` (each name -> text or ``{en: ..., fa: ...}``),
    ``data`` (``file``, ``sheet``), ``scale`` ``[min, max]``,
    ``reverse_items`` (list, or mapping column -> model name, e.g.
    ``{SAT3r: SAT3}``), ``missing`` (``codes``, ``policy``),
    ``demographics``, ``model`` (lavaan syntax or a ``.lav`` file),
    ``hypotheses`` (name -> path or defined parameter), ``estimator``
    (``CB-SEM`` default, or ``PLS-SEM``), ``bootstrap`` (``resamples``,
    ``seed``), ``language`` (``en``/``fa``), ``output`` (folder),
    ``group_comparisons`` (grouping columns) and, for PLS-SEM studies,
    ``ipma`` (target construct) and ``mga`` (grouping column).

    Examples
    --------
    >>> from crm_research.data.study import load_study
    >>> from crm_research.data.datasets import dataset_path
    >>> study = load_study(dataset_path("ecrm_survey_study.yaml"))
    >>> study.scale
    (1.0, 5.0)
    """
    path = Path(path)
    if not path.is_file():
        raise CRMInputError(f"The study file {str(path)!r} does not exist.")
    path = path.resolve()
    doc, lines = _parse_yaml(path)
    _check_schema(doc, lines, path)
    base = path.parent
    data_file = (base / doc["data"]["file"]).resolve()
    if not data_file.is_file():
        raise _error(path, lines.get("data.file"), "data.file",
                     f"the data file {str(data_file)!r} does not exist (names are relative to the study file)")
    reverse = doc.get("reverse_items") or {}
    if isinstance(reverse, list):
        reverse = {c: c for c in reverse}
    missing = doc.get("missing", {})
    boot = doc.get("bootstrap", {})
    model_text = _read_model(doc, lines, path)
    parsed, constructs, observed = _parse_model(model_text, lines, path)
    study = Study(
        path=path,
        # free text that goes into the report: control characters ("\v" in a quoted YAML string) removed
        title=_xml_safe_text(doc.get("title", path.stem)),
        title_fa=_xml_safe_text(doc.get("title_fa", doc.get("title", path.stem))),
        author=_xml_safe_text(doc.get("author", "")),
        data_file=data_file,
        sheet=doc["data"].get("sheet"),
        separator=doc["data"].get("separator", ","),
        decimal=doc["data"].get("decimal", "."),
        encoding=doc["data"].get("encoding", "utf-8-sig"),
        scale=(float(doc["scale"][0]), float(doc["scale"][1])),
        reverse={str(k): str(v) for k, v in reverse.items()},
        missing_codes=[float(c) for c in missing.get("codes", [])],
        missing_policy=missing.get("policy", "listwise"),
        demographics=list(doc.get("demographics", [])),
        model=model_text,
        hypotheses={str(k): str(v) for k, v in doc["hypotheses"].items()},
        estimator=doc.get("estimator", "CB-SEM"),
        bootstrap=int(boot.get("resamples", 1000)),
        seed=int(boot.get("seed", 1)),
        language=doc.get("language", "en"),
        output=(base / doc.get("output", "report")).resolve(),
        constructs=constructs,
        items=observed,
        lines=lines,
        institution=doc.get("institution", ""),
        construct_labels=_bilingual(doc.get("construct_labels", {})),
        hypothesis_statements=_bilingual(doc.get("hypothesis_statements", {})),
        item_wording=_bilingual(doc.get("item_wording", {})),
        group_comparisons=[str(c) for c in doc.get("group_comparisons", [])],
        interactions=_interaction_terms(model_text)[1],
        ipma=str(doc.get("ipma", "")),
        mga=str(doc.get("mga", "")),
    )
    for key, known, what in (("construct_labels", list(constructs), "construct of the model"),
                             ("hypothesis_statements", list(study.hypotheses), "hypothesis of the study"),
                             ("item_wording", observed, "item of the model")):
        for name in getattr(study, key):
            if name not in known:
                hint = closest_names(name, known)
                raise study.error(key, at=f"{key}.{name}", message=f"{name!r} is not a {what}"
                                  + (f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else "")
                                  + f". Known: {examples_of(known, 8)}.")
    for col, new in study.reverse.items():
        if new not in observed:
            hint = closest_names(new, observed)
            raise study.error("reverse_items", at=study._entry("reverse_items", col), message=f"the reverse-coded item {col!r}"
                              + (f" (renamed {new!r})" if new != col else "")
                              + " is not an item of the model"
                              + (f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else "")
                              + f". Model items: {examples_of(observed, 8)}.")
    _check_hypotheses(study.hypotheses, parsed, lines, path)
    for key in ("ipma", "mga"):
        if getattr(study, key) and study.estimator != "PLS-SEM":
            raise study.error(key, f"'{key}' is a PLS-SEM analysis; set 'estimator: PLS-SEM' or remove '{key}'")
    if study.ipma and study.ipma not in constructs:
        hint = closest_names(study.ipma, list(constructs))
        raise study.error("ipma", f"{study.ipma!r} is not a construct of the model"
                          + (f" (did you mean {' or '.join(map(repr, hint))}?)" if hint else "")
                          + f". Constructs: {examples_of(list(constructs), 8)}.")
    if check_data:
        data, _, _ = _read_file(study)
        _check_columns(study, data)
    return study


def _bilingual(mapping: dict) -> dict[str, dict[str, str]]:
    """name -> {"en": ..., "fa": ...}; a single text stands for both languages."""
    return {str(k): ({"en": v, "fa": v} if isinstance(v, str) else {str(a): str(b) for a, b in v.items()})
            for k, v in mapping.items()}


def read_study_data(study: Study) -> StudyData:
    """Read the data file of a study: missing codes to NaN, items reverse-coded and renamed.

    Parameters
    ----------
    study : Study
        From :func:`load_study`.

    Returns
    -------
    StudyData

    Raises
    ------
    CRMInputError
        A column that is not in the file, an item answer that is not a
        number or lies outside the scale (naming the column and the value).

    Notes
    -----
    On a scale from :math:`a` to :math:`b` a reverse-worded answer :math:`x`
    becomes :math:`a + b - x` (:func:`crm_research.reverse_code`).  Missing
    codes are replaced *before* the scale check, so a code such as 99 is not
    reported as out of range.  Text cells with Persian digits are numbers.
    """
    from crm_research.data.recode import reverse_code

    if not isinstance(study, Study):
        raise CRMInputError(f"read_study_data needs a Study from load_study. Got {type(study).__name__}.")
    data, labels, var_labels = _read_file(study)
    _check_columns(study, data)
    renamed = {new: old for old, new in study.reverse.items()}
    source_items = [renamed.get(i, i) if renamed.get(i, i) in data.columns else i for i in study.items]
    groups = study.group_comparisons + ([study.mga] if study.mga else [])
    used = list(dict.fromkeys(source_items + study.demographics + groups))
    raw = data.copy()
    counts = {}
    for col in used:
        values = raw[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            values = values.map(lambda v: v.strip() if isinstance(v, str) else v)
            values = _decimal_point(study, col, values)
            num = check_numeric_columns(pd.DataFrame({col: values}), [col], func="read_study_data")[col] \
                if col in source_items else pd.to_numeric(values.map(_maybe_number), errors="coerce")
        else:
            num = pd.to_numeric(values, errors="coerce")
        hit = num.isin(study.missing_codes) if study.missing_codes else pd.Series(False, index=num.index)
        counts[col] = int(hit.sum())
        if col in source_items:
            raw[col] = num.mask(hit)
        elif hit.any():
            raw[col] = raw[col].mask(hit)
    try:
        items = check_numeric_columns(raw, source_items, name="data", func="read_study_data", scale=study.scale)
    except CRMInputError as exc:
        raise study.error("scale", f"{exc} (file {study.data_file.name})") from None
    if study.reverse:
        try:
            items = reverse_code(items, list(study.reverse), scale=study.scale)
        except CRMInputError as exc:
            raise study.error("reverse_items", str(exc)) from None
        items = items.rename(columns={old: new for old, new in study.reverse.items()})
    items = items[study.items]
    demo = raw[study.demographics].copy()
    return StudyData(raw=raw, items=items, demographics=demo, value_labels=labels, variable_labels=var_labels,
                     n_total=len(raw),
                     codes_replaced=pd.Series(counts, dtype="int64"))


def _decimal_point(study: Study, col: str, values: pd.Series) -> pd.Series:
    """Text numbers with a decimal comma ('3,5') as '3.5' when the study says ``decimal: ','``;
    otherwise such a cell is an error that names the fix (a silent guess could read 1,000 as 1)."""
    is_comma = values.map(lambda v: isinstance(v, str) and bool(_DECIMAL_COMMA.match(v)))
    if not is_comma.any():
        return values
    if study.decimal == ",":
        return values.where(~is_comma, values.map(lambda v: v.replace(",", ".") if isinstance(v, str) else v))
    example = values[is_comma].iloc[0]
    raise study.error("data.file", f"column {col!r} of {study.data_file.name} holds numbers with a decimal comma "
                                   f"(e.g. {example!r}, row {is_comma.to_numpy().nonzero()[0][0]}). Add "
                                   "'decimal: \",\"' under 'data:' in the study file.")


def _maybe_number(value):
    from crm_research.core.persian import has_eastern_digits, normalize_digits

    if isinstance(value, str) and has_eastern_digits(value):
        value = normalize_digits(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan
