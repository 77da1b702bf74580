"""From parsed lavaan syntax to a parameter table and RAM matrices.

The defaults are lavaan's for ``cfa()`` and ``sem()`` (Rosseel, 2012):

* the first indicator of each latent variable is the marker, its loading
  fixed at 1 (``auto.fix.first``), unless written ``NA*x`` or ``std_lv=True``;
* every observed and latent variable gets a free (residual) variance
  (``auto.var``), except observed exogenous covariates;
* exogenous latent variables covary freely (``auto.cov.lv.x``);
* endogenous variables that predict nothing (latent, or observed but not an
  indicator) get free residual covariances (``auto.cov.y``);
* observed exogenous covariates (predictors in ``~`` that are not predicted
  and not indicators) have their variances and covariances fixed at the
  sample values (``fixed.x=TRUE``): they do not count as parameters.

Parameters that share a label are one free parameter (an equality
constraint), as in lavaan.

The model is held in RAM form (McArdle & McDonald, 1984): all variables
(observed first, then latent) in one vector, ``A`` the directed paths
(``A[to, from]``), ``S`` the (residual) variances and covariances, and the
implied covariance of the observed variables
``Sigma = F (I - A)^-1 S (I - A)^-T F'``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from crm_research.core.errors import CRMInputError
from crm_research.core.syntax import Definition, ParsedModel, parse_model
from crm_research.core.validation import (
    check_bool,
    check_ci,
    check_dataframe,
    check_numeric_columns,
    closest_names,
    examples_of,
)

__all__ = ["ParamRow", "ModelSpec", "build_spec"]


@dataclass
class ParamRow:
    lhs: str
    op: str
    rhs: str
    label: str = ""
    free: bool = True
    value: float = 0.0  # fixed value, or the start value of a free parameter
    user: bool = True
    exo: bool = False  # fixed.x row: fixed at the sample (co)variance
    index: int = -1  # position in the free-parameter vector theta (-1 if fixed)
    start_given: bool = False


@dataclass
class ModelSpec:
    observed: list[str]
    latent: list[str]
    rows: list[ParamRow]
    definitions: list[Definition]
    n_free: int
    ov_x: list[str] = field(default_factory=list)
    endogenous: list[str] = field(default_factory=list)
    # RAM positions of every row: ('A', to, from) or ('S', i, j)
    cells: list[tuple[str, int, int]] = field(default_factory=list)
    # intercepts written in the syntax ('x ~ 1', op '~1'): free, saturated, outside the RAM rows
    means: list[ParamRow] = field(default_factory=list)

    @property
    def variables(self) -> list[str]:
        return self.observed + self.latent

    def labels(self) -> dict[str, int]:
        """label -> row index of its first occurrence."""
        out: dict[str, int] = {}
        for k, row in enumerate(self.rows):
            if row.label and row.label not in out:
                out[row.label] = k
        return out


def _unknown_variable(name: str, columns, statement_line: int) -> CRMInputError:
    hint = closest_names(name, columns)
    msg = f"The model (line {statement_line}) uses variable {name!r}, which is not a column of the data"
    msg += f"; did you mean {' or '.join(map(repr, hint))}?" if hint else "."
    if not hint:
        msg += f" Available columns: {examples_of(list(columns), 12)}."
    return CRMInputError(msg)


def build_spec(parsed: ParsedModel, columns, std_lv: bool = False, allow_means: bool = False,
               structured_means: bool = False) -> ModelSpec:
    """Build the full parameter table with lavaan's defaults.

    ``columns`` are the names of the available observed variables (data
    columns or the rows of a covariance matrix).  Intercepts (``x ~ 1``)
    are collected in ``spec.means`` when ``allow_means`` (the ML and FIML
    engines); unless ``structured_means`` (complete-data ML/MLM/MLR,
    :mod:`crm_research.sem.means`) they must be free, of observed variables,
    and each label used once (a saturated mean structure: the intercepts
    equal the sample means).
    """
    columns = [str(c) for c in columns]
    # c(...) modifiers and '==' constraints are resolved by the multi-group fit before it builds each group's spec
    grouped = [(st, t) for st in parsed.statements for t in st.terms if t.group_modifiers is not None]
    if grouped:
        st, t = grouped[0]
        raise CRMInputError(f"The model (line {st.line}) gives group-specific modifiers c(...) to "
                            f"'{st.lhs} {st.op} {t.name}'; they need a multi-group model (group_col=...).")
    if getattr(parsed, "constraints", None):
        c = parsed.constraints[0]
        raise CRMInputError(f"The model (line {c.line}) constrains '{c.lhs} == {c.rhs}'; '==' constraints are "
                            "supported in multi-group models (group_col=...); in one group give both parameters "
                            "the same label instead.")
    mean_statements = [st for st in parsed.statements if st.op == "~1"]
    if mean_statements:
        st = mean_statements[0]
        if not allow_means:
            raise CRMInputError(f"The model (line {st.line}) has an intercept ('{st.lhs} ~ 1'); this estimator does "
                                "not fit a mean structure. Remove the line.")
        for st in mean_statements:
            t = st.terms[0]
            if t.fixed is not None and not structured_means:
                raise CRMInputError(f"The model (line {st.line}) fixes the intercept of {st.lhs!r}; fixed intercepts "
                                    "are fitted for complete data by estimator='ML', 'MLM' or 'MLR' (not with "
                                    "missing='fiml' or bootstrap); here only free intercepts ('x ~ 1') are.")
        labels = [st.terms[0].label for st in mean_statements if st.terms[0].label]
        if len(labels) != len(set(labels)) and not structured_means:
            raise CRMInputError("The model gives two intercepts the same label (an equality constraint on means), "
                                "which is fitted for complete data by estimator='ML', 'MLM' or 'MLR' only.")
        parsed = dataclasses.replace(parsed, statements=[st for st in parsed.statements if st.op != "~1"])
    latent: list[str] = []
    for st in parsed.statements:
        if st.op == "=~" and st.lhs not in latent:
            latent.append(st.lhs)
    colset = set(columns)
    for lv in latent:
        if lv in colset:
            line = next(st.line for st in parsed.statements if st.op == "=~" and st.lhs == lv)
            raise CRMInputError(
                f"The model (line {line}) defines latent variable {lv!r}, but the data also has a column "
                f"{lv!r}; give the latent variable a different name.")
    # observed variables: indicators first (in order), then the rest
    observed: list[str] = []

    def add_obs(name, line):
        if name in latent or name in observed:
            return
        if name not in colset:
            raise _unknown_variable(name, columns, line)
        observed.append(name)

    for st in parsed.statements:
        if st.op == "=~":
            for t in st.terms:
                add_obs(t.name, st.line)
    for st in parsed.statements:
        if st.op != "=~":
            add_obs(st.lhs, st.line)
            for t in st.terms:
                add_obs(t.name, st.line)

    indicators = {t.name for st in parsed.statements if st.op == "=~" for t in st.terms}
    reg_lhs = [st.lhs for st in parsed.statements if st.op == "~"]
    reg_rhs = [t.name for st in parsed.statements if st.op == "~" for t in st.terms]
    ov_x = [v for v in observed if v in reg_rhs and v not in reg_lhs and v not in indicators]
    # a latent variable measured by a higher-order factor is endogenous, like a regressed one
    lv_x = [v for v in latent if v not in reg_lhs and v not in indicators]
    # 'pure' dependent variables: predicted, never a predictor (lavaan's ov.y / lv.y)
    lv_y = [v for v in latent if v in reg_lhs and v not in reg_rhs]
    ov_y = [v for v in observed if v in reg_lhs and v not in reg_rhs and v not in indicators]
    endogenous = [v for v in observed + latent if v in indicators or v in reg_lhs]

    rows: list[ParamRow] = []
    seen: set[tuple[str, str, str]] = set()

    def key(lhs, op, rhs):
        if op == "~~":
            return (min(lhs, rhs), op, max(lhs, rhs))
        return (lhs, op, rhs)

    for st in parsed.statements:
        for pos, t in enumerate(st.terms):
            if st.op == "=~" and t.name == st.lhs:
                raise CRMInputError(f"The model (line {st.line}) says {st.lhs!r} is measured by itself.")
            if st.op == "~" and t.name == st.lhs:
                raise CRMInputError(f"The model (line {st.line}) regresses {st.lhs!r} on itself.")
            k = key(st.lhs, st.op, t.name)
            if k in seen:
                raise CRMInputError(
                    f"The model (line {st.line}) lists '{st.lhs} {st.op} {t.name}' twice; each parameter may "
                    "appear only once.")
            seen.add(k)
            row = ParamRow(st.lhs, st.op, t.name, label=t.label or "")
            if t.fixed is not None:
                row.free, row.value = False, t.fixed
            elif st.op == "=~" and pos == 0 and not t.free and not std_lv:
                row.free, row.value = False, 1.0
            if t.start is not None:
                row.value, row.start_given = t.start, True
            if st.op == "~~" and (t.name in ov_x or st.lhs in ov_x) and row.free:
                # lavaan: a user-specified (co)variance of a fixed.x covariate switches fixed.x off for it;
                # we keep it simple and refuse, so results never silently differ from lavaan's
                raise CRMInputError(
                    f"The model (line {st.line}) specifies '{st.lhs} ~~ {t.name}' for the observed covariate(s) "
                    f"{[v for v in (st.lhs, t.name) if v in ov_x]}, whose (co)variances are fixed at their sample "
                    "values (fixed.x). Remove the line.")
            rows.append(row)

    def add(lhs, op, rhs, free=True, value=0.0, exo=False):
        k = key(lhs, op, rhs)
        if k in seen:
            return
        seen.add(k)
        rows.append(ParamRow(lhs, op, rhs, free=free, value=value, user=False, exo=exo))

    for v in observed:
        if v not in ov_x:
            add(v, "~~", v)
    for v in latent:
        if std_lv:
            add(v, "~~", v, free=False, value=1.0)
        else:
            add(v, "~~", v)
    for i, a in enumerate(lv_x):
        for b in lv_x[i + 1:]:
            add(a, "~~", b)
    ys = lv_y + ov_y
    for i, a in enumerate(ys):
        for b in ys[i + 1:]:
            add(a, "~~", b)
    for i, a in enumerate(ov_x):
        for b in ov_x[i:]:
            add(a, "~~", b, free=False, exo=True)

    # free-parameter vector: one entry per unlabelled free row or per label
    label_index: dict[str, int] = {}
    label_fixed: dict[str, float] = {}
    n_free = 0
    for row in rows:
        if row.label and not row.free:
            label_fixed.setdefault(row.label, row.value)
    for row in rows:
        if not row.free:
            continue
        if row.label:
            if row.label in label_fixed:
                # a label shared with a fixed parameter fixes them all (lavaan does the same)
                row.free, row.value = False, label_fixed[row.label]
                continue
            if row.label not in label_index:
                label_index[row.label] = n_free
                n_free += 1
            row.index = label_index[row.label]
        else:
            row.index = n_free
            n_free += 1

    variables = observed + latent
    pos = {v: i for i, v in enumerate(variables)}
    cells = []
    for row in rows:
        if row.op == "=~":
            cells.append(("A", pos[row.rhs], pos[row.lhs]))
        elif row.op == "~":
            cells.append(("A", pos[row.lhs], pos[row.rhs]))
        else:
            cells.append(("S", pos[row.lhs], pos[row.rhs]))

    # labels used in definitions must exist; definition names must be new
    names_taken = set(variables)
    labels = {r.label for r in rows if r.label}
    for lab in labels:
        if lab in names_taken:
            raise CRMInputError(f"The label {lab!r} is also a variable name; use a different label.")
    defined: list[str] = []
    for d in parsed.definitions:
        if d.name in names_taken or d.name in labels or d.name in defined:
            raise CRMInputError(
                f"The defined parameter {d.name!r} (line {d.line}) reuses the name of a variable, label or "
                "another defined parameter; choose a new name.")
        for nm in d.names:
            if nm not in labels and nm not in defined:
                hint = closest_names(nm, sorted(labels | set(defined)))
                msg = (f"The defined parameter {d.name!r} (line {d.line}) uses {nm!r}, which is not a label. "
                       "Label a parameter first, e.g. 'y ~ a*x', then write 'ind := a*b'.")
                if hint:
                    msg += f" Did you mean {' or '.join(map(repr, hint))}?"
                raise CRMInputError(msg)
        defined.append(d.name)

    means = []
    for st in mean_statements:
        t = st.terms[0]
        if st.lhs in latent:
            if not structured_means:
                raise CRMInputError(f"The model (line {st.line}) gives the latent variable {st.lhs!r} a mean "
                                    f"('{st.lhs} ~ 1'); latent means are fitted for complete data by "
                                    "estimator='ML', 'MLM' or 'MLR' (not with missing='fiml' or bootstrap).")
            means.append(ParamRow(st.lhs, "~1", "", label=t.label or "", free=t.fixed is None,
                                  value=float(t.fixed) if t.fixed is not None else 0.0))
            continue
        if st.lhs not in observed:
            if st.lhs not in colset:
                raise _unknown_variable(st.lhs, columns, st.line)
            raise CRMInputError(f"The model (line {st.line}) gives an intercept to {st.lhs!r}, which is not otherwise "
                                "in the model.")
        means.append(ParamRow(st.lhs, "~1", "", label=t.label or "", free=t.fixed is None,
                              value=float(t.fixed) if t.fixed is not None else 0.0))
    return ModelSpec(observed=observed, latent=latent, rows=rows, definitions=list(parsed.definitions),
                     n_free=n_free, ov_x=ov_x, endogenous=endogenous, cells=cells, means=means)


def prepare_raw_fit(data, model, std_lv, ci, func, min_rows, check_structure, allow_means=False):
    """Validate the arguments of a raw-data fit (FIML, DWLS) and build its model.

    Returns ``(spec, clean, std_lv, ci)`` where ``clean`` is a float DataFrame of the
    model's observed variables (Persian digits read, constant columns refused) and
    ``check_structure(spec, func)`` has refused what the estimator does not cover.
    """
    data = check_dataframe(data, "data", func, min_rows=min_rows)
    if model is None or not isinstance(model, str):
        raise CRMInputError(f"The 'model' parameter of {func} must be lavaan syntax such as 'f =~ x1 + x2 + x3'. "
                            f"Got {type(model).__name__} instead.")
    std_lv = check_bool(std_lv, "std_lv", func)
    ci = check_ci(ci, func)
    spec = build_spec(parse_model(model), data.columns, std_lv=std_lv, allow_means=allow_means)
    check_structure(spec, func)
    clean = check_numeric_columns(data, spec.observed, name="data", func=func, allow_constant=False)
    return spec, clean, std_lv, ci


def start_values(spec: ModelSpec, S: np.ndarray) -> np.ndarray:
    """Starting values: lavaan's 'simple' rules, with loadings from the marker covariances."""
    obs_pos = {v: i for i, v in enumerate(spec.observed)}
    theta = np.zeros(spec.n_free)
    marker: dict[str, str] = {}
    for row in spec.rows:
        if row.op == "=~" and not row.free and row.value != 0 and row.lhs not in marker:
            marker[row.lhs] = row.rhs
    for row in spec.rows:
        if row.index < 0:
            continue
        if row.start_given:
            theta[row.index] = row.value
            continue
        value = 0.0
        if row.op == "=~":
            value = 1.0
            m = marker.get(row.lhs)
            if m in obs_pos and row.rhs in obs_pos:
                smm = S[obs_pos[m], obs_pos[m]]
                value = S[obs_pos[row.rhs], obs_pos[m]] / (0.5 * smm) if smm > 0 else 1.0
        elif row.op == "~~" and row.lhs == row.rhs:
            if row.lhs in obs_pos:
                value = 0.5 * S[obs_pos[row.lhs], obs_pos[row.lhs]]
            else:
                m = marker.get(row.lhs)
                value = 0.5 * S[obs_pos[m], obs_pos[m]] if m in obs_pos else 0.05
        theta[row.index] = value
    return theta
