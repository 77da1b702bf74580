"""The ``ecrm_survey`` questionnaire: a synthetic e-CRM survey drawn from a documented population SEM.

The bundled dataset ``ecrm_survey`` (``crm.load_dataset("ecrm_survey")``) is a
questionnaire answered by 400 customers of the toolkit's sample company.  It
measures three e-CRM dimensions and three customer outcomes on 5-point Likert
items.  Because the data are generated here, from a structural equation model
whose parameters are written down, a student can fit the model and compare the
estimates with the *truth*: which hypotheses hold in the population, how large
each loading and path really is, and how much Likert coarsening and missing
answers distort the estimates.

Research model (construct codes are stable names used across the toolkit)::

    OPR  operational e-CRM (automated sales, marketing and service)    exogenous
    ANL  analytical e-CRM (use of customer data, personalisation)      exogenous
    EMP  customer empowerment through electronic channels              exogenous
    SAT  customer satisfaction                                          mediator
    LOY  customer loyalty                                               outcome
    DEL  perceived on-time delivery                                     outcome

    SAT ~ a1*OPR + a2*ANL + a3*EMP
    LOY ~ b1*SAT + c1*OPR + c2*ANL + c3*EMP
    DEL ~ d1*OPR + d2*EMP

with true standardized values a1 = .35, a2 = .30, a3 = .15, b1 = .55, c1 = c2 = 0,
c3 = .20, d1 = .45, d2 = 0 and exogenous correlations .45 (OPR, ANL), .35 (OPR,
EMP), .30 (ANL, EMP).  Hypotheses H5 (OPR -> LOY), H6 (ANL -> LOY) and H9
(EMP -> DEL) are false in the population; all the others, including the
indirect effects through SAT, are true.

A true effect can still be missed in a sample: in the shipped 400 answers the
small path EMP -> SAT (H3, standardized .15) and so the indirect effect H12 are
not significant at the 5% level (lavaan ML with FIML), and the residual
covariance LOY ~~ DEL, zero in the population, comes out significant
(p = .035): the kind of false positive to expect one time in twenty.  The
false hypotheses H5, H6 and H9 are not supported.

Two items are reverse-worded and stored as answered: ``SAT3r`` and ``LOY4r``.
Reverse-code them (``6 - x``, see :func:`recode_ecrm_survey`) before computing
scale scores, reliability or fitting the model, which names the recoded items
``SAT3`` and ``LOY4``.

The wording of the questionnaire (constructs, items, answer labels, in English
and Persian) is the data file ``ecrm_survey_questionnaire.yaml`` beside this
module; the population model is written out below.

Files shipped in ``datasets/`` (rebuilt from a clone with
``python tools/make_ecrm_survey.py``, which calls the functions here):
``ecrm_survey.csv`` (the data), ``ecrm_survey.sav`` (SPSS with labels),
``ecrm_survey.xlsx``, ``ecrm_survey_truth.csv`` (:func:`ecrm_survey_truth`),
``ecrm_survey_items.csv`` (:func:`ecrm_survey_items`, English and Persian
wording), ``ecrm_survey_model.lav`` (:func:`ecrm_survey_model`) and the
catalogue entry ``catalog/ecrm_survey.yaml``.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.validation import (
    check_bool,
    check_dataframe,
    check_int,
    check_number,
    check_numeric_columns,
    check_seed,
)

__all__ = [
    "generate_ecrm_survey",
    "ecrm_survey_truth",
    "ecrm_survey_items",
    "ecrm_survey_model",
    "ecrm_survey_constructs",
    "ecrm_survey_implied_cov",
    "recode_ecrm_survey",
]

#: seed of the shipped ``datasets/ecrm_survey.csv`` (the Persian year 1403)
ECRM_SURVEY_SEED = 1403
#: number of respondents in the shipped file
ECRM_SURVEY_N = 400
DEFAULT_MISSING_RATE = 0.015
DEFAULT_SKIP_RATE = 0.02

# --------------------------------------------------------------------------------------
# The population model
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Path:
    label: str
    outcome: str
    predictor: str
    std: float  # standardized coefficient in the population
    hypothesis: str


# Structural paths with their lavaan labels, true standardized values and hypothesis numbers.
PATHS: tuple[_Path, ...] = (
    _Path("a1", "SAT", "OPR", 0.35, "H1"),
    _Path("a2", "SAT", "ANL", 0.30, "H2"),
    _Path("a3", "SAT", "EMP", 0.15, "H3"),
    _Path("b1", "LOY", "SAT", 0.55, "H4"),
    _Path("c1", "LOY", "OPR", 0.00, "H5"),
    _Path("c2", "LOY", "ANL", 0.00, "H6"),
    _Path("c3", "LOY", "EMP", 0.20, "H7"),
    _Path("d1", "DEL", "OPR", 0.45, "H8"),
    _Path("d2", "DEL", "EMP", 0.00, "H9"),
)

# Correlations of the exogenous e-CRM dimensions (standardized factors).
EXO_CORRELATIONS: dict[tuple[str, str], float] = {
    ("OPR", "ANL"): 0.45,
    ("OPR", "EMP"): 0.35,
    ("ANL", "EMP"): 0.30,
}

# item -> (standardized loading of the positively keyed latent response, shift added to the base
# thresholds: positive = fewer high answers).  The wording is in ecrm_survey_questionnaire.yaml.
_MEASUREMENT: dict[str, tuple[float, float]] = {
    "OPR1": (0.80, 0.00), "OPR2": (0.75, 0.10), "OPR3": (0.70, -0.10), "OPR4": (0.65, 0.20),
    "ANL1": (0.78, 0.05), "ANL2": (0.82, 0.15), "ANL3": (0.68, 0.25), "ANL4": (0.60, 0.40),
    "EMP1": (0.75, 0.00), "EMP2": (0.80, -0.10), "EMP3": (0.70, 0.20),
    "SAT1": (0.85, 0.00), "SAT2": (0.80, 0.05), "SAT3r": (0.72, 0.10), "SAT4": (0.76, -0.05),
    "LOY1": (0.82, 0.05), "LOY2": (0.78, 0.15), "LOY3": (0.74, 0.30), "LOY4r": (0.65, 0.35),
    "DEL1": (0.80, 0.35), "DEL2": (0.76, 0.30), "DEL3": (0.70, 0.45),
}


@dataclass(frozen=True)
class _Construct:
    code: str
    name_en: str
    name_fa: str
    exogenous: bool


@dataclass(frozen=True)
class _Item:
    column: str  # name in the stored data (reverse-worded items end in "r")
    construct: str
    loading: float  # standardized loading of the positively keyed latent response
    shift: float  # added to the base thresholds: positive = fewer high answers
    reverse: bool
    text_en: str
    text_fa: str

    @property
    def model_name(self) -> str:
        """Name of the item in the analysis model (after reverse-coding)."""
        return self.column[:-1] if self.reverse else self.column


def _read_questionnaire() -> dict:
    """The wording of the questionnaire (``ecrm_survey_questionnaire.yaml`` beside this module)."""
    import yaml

    text = (importlib.resources.files(__package__) / "ecrm_survey_questionnaire.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    listed = [entry["item"] for entry in doc["items"]]
    if sorted(listed) != sorted(_MEASUREMENT):
        # a wording without a loading (or the reverse) would silently drop an item from the model
        raise RuntimeError(f"ecrm_survey_questionnaire.yaml lists the items {listed}, the population model in "
                           f"surveygen.py {list(_MEASUREMENT)}: they must name the same items")
    return doc


_QUESTIONNAIRE = _read_questionnaire()
_OUTCOMES = {p.outcome for p in PATHS}
CONSTRUCTS: tuple[_Construct, ...] = tuple(
    _Construct(code, names["en"], names["fa"], exogenous=code not in _OUTCOMES)
    for code, names in _QUESTIONNAIRE["constructs"].items()
)
ITEMS: tuple[_Item, ...] = tuple(
    _Item(entry["item"], entry["construct"], *_MEASUREMENT[entry["item"]], bool(entry["reverse"]),
          entry["en"], entry["fa"])
    for entry in _QUESTIONNAIRE["items"]
)
_CODES = [c.code for c in CONSTRUCTS]
_EXO = [c.code for c in CONSTRUCTS if c.exogenous]
_ENDO = [c.code for c in CONSTRUCTS if not c.exogenous]  # in causal order: SAT before LOY and DEL

# Defined (:=) effects: name -> (formula in path labels, hypothesis or "").
DEFINED: dict[str, tuple[str, str]] = {
    "ind_OPR": ("a1*b1", "H10"),
    "ind_ANL": ("a2*b1", "H11"),
    "ind_EMP": ("a3*b1", "H12"),
    "total_OPR": ("c1 + a1*b1", ""),
    "total_ANL": ("c2 + a2*b1", ""),
    "total_EMP": ("c3 + a3*b1", ""),
}

# Base Likert thresholds on the standardized latent response: answer k is given when
# tau[k-1] < y* <= tau[k].  Placed asymmetrically (P = .02, .08, .22, .42, .26 for a
# zero shift) because satisfied customers agree more often than they disagree:
# real customer-survey items are negatively skewed.
BASE_THRESHOLDS = np.array([-2.0, -1.25, -0.45, 0.65])

LIKERT_LABELS: dict[int, tuple[str, str]] = {
    int(k): (v["en"], v["fa"]) for k, v in _QUESTIONNAIRE["likert"].items()
}

# Demographic columns: name -> (meaning in English, meaning in Persian, {code: (label_en, label_fa)})
DEMOGRAPHICS: dict[str, tuple[str, str, dict[int, tuple[str, str]]]] = {
    name: (q["en"], q["fa"], {int(k): (v["en"], v["fa"]) for k, v in (q.get("codes") or {}).items()})
    for name, q in _QUESTIONNAIRE["demographics"].items()
}

_GENDER_P = [0.45, 0.55]
_AGE_P = [0.15, 0.35, 0.27, 0.15, 0.08]
_EDUCATION_P = [0.12, 0.15, 0.43, 0.24, 0.06]
_FREQUENCY_CUTS = np.array([-0.8, 0.3, 1.2])  # on a standardized propensity, see _demographics
_LOY_TO_FREQUENCY = 0.40  # correlation of the purchase propensity with LOY
_LOY_TO_TENURE = 0.30  # correlation of log tenure's driver with LOY
# multinomial-logit intercepts and EMP slopes of the four channels
_CHANNEL_INTERCEPT = np.array([0.3, 0.2, -0.2, 0.0])
_CHANNEL_EMP = np.array([0.5, 0.6, -0.3, -0.4])


# --------------------------------------------------------------------------------------
# Matrices and the truth table
# --------------------------------------------------------------------------------------


def _matrices() -> dict[str, np.ndarray]:
    """LISREL-style matrices of the standardized population model.

    Factors have unit variance, so the residual variance of each endogenous
    factor is ``1 - R^2``; the latent responses have unit variance too, so an
    item's residual variance is ``1 - loading^2``.
    """
    k = len(_CODES)
    pos = {c: i for i, c in enumerate(_CODES)}
    lam = np.zeros((len(ITEMS), k))
    for j, item in enumerate(ITEMS):
        lam[j, pos[item.construct]] = item.loading
    beta = np.zeros((k, k))
    for path in PATHS:
        beta[pos[path.outcome], pos[path.predictor]] = path.std
    psi = np.zeros((k, k))
    for c in _EXO:
        psi[pos[c], pos[c]] = 1.0
    for (a, b), r in EXO_CORRELATIONS.items():
        psi[pos[a], pos[b]] = psi[pos[b], pos[a]] = r
    inv = np.linalg.inv(np.eye(k) - beta)
    # endogenous residual variances in causal order, so each factor's total variance is 1
    for c in _ENDO:
        i = pos[c]
        cov = inv @ psi @ inv.T
        psi[i, i] = 1.0 - cov[i, i]
    theta = np.diag(1.0 - lam.max(axis=1) ** 2)
    return {"lambda": lam, "beta": beta, "psi": psi, "theta": theta}


def ecrm_survey_implied_cov() -> pd.DataFrame:
    """Population covariance matrix of the continuous latent responses of the survey.

    Returns
    -------
    pandas.DataFrame
        Square matrix indexed by the model's item names (``OPR1 ... DEL3``, with
        the reverse-worded items under their recoded names ``SAT3`` and
        ``LOY4``).  Every latent response has unit variance, so this is also a
        correlation matrix, and it is the matrix a polychoric (ordinal) analysis
        of the recoded Likert items estimates.

    Notes
    -----
    The LISREL all-y form of the model implies

    .. math:: \\Sigma = \\Lambda (I - B)^{-1} \\Psi (I - B)^{-\\top} \\Lambda^\\top + \\Theta

    (Bollen, 1989, ch. 8), with :math:`\\Lambda` the loadings, :math:`B` the
    structural paths, :math:`\\Psi` the factor (residual) covariances and
    :math:`\\Theta` the diagonal residual variances of the items.

    References
    ----------
    Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.

    Examples
    --------
    >>> import crm_research as crm
    >>> sigma = crm.ecrm_survey_implied_cov()
    >>> round(float(sigma.loc["OPR1", "OPR2"]), 2)
    0.6
    """
    m = _matrices()
    inv = np.linalg.inv(np.eye(len(_CODES)) - m["beta"])
    sigma = m["lambda"] @ inv @ m["psi"] @ inv.T @ m["lambda"].T + m["theta"]
    names = [item.model_name for item in ITEMS]
    return pd.DataFrame(sigma, index=names, columns=names)


def ecrm_survey_truth() -> pd.DataFrame:
    """True population parameters of the ``ecrm_survey`` model, in lavaan's naming.

    Returns
    -------
    pandas.DataFrame
        One row per parameter of ``datasets/ecrm_survey_model.lav`` (plus the
        item thresholds and R-squares), columns:

        - ``lhs``, ``op``, ``rhs``: lavaan's parameter-table names (``=~``
          loadings, ``~`` regressions, ``~~`` (co)variances, ``:=`` defined
          effects, ``|`` thresholds ``t1..t4``, ``r2`` R-squares);
        - ``label``: the path label used in the model syntax (``a1`` ...), else missing;
        - ``value``: the unstandardized value under lavaan's default
          identification (first loading of each factor fixed to 1), on the
          scale of the continuous latent responses (unit variance);
        - ``std_all``: the completely standardized value (lavaan's ``std.all``);
        - ``hypothesis``: ``"H1"`` ... ``"H12"`` for the research hypotheses, else missing;
        - ``hypothesis_true``: for hypothesis rows, whether the effect is non-zero
          in the population (the hypothesis "should" be supported); missing otherwise.

    Notes
    -----
    With marker-variable identification a factor :math:`\\eta^* = \\lambda_1\\eta`
    is scaled by its first item's standardized loading :math:`\\lambda_1`, so

    - loadings: :math:`\\lambda_j^* = \\lambda_j / \\lambda_1`;
    - factor (co)variances: :math:`\\psi^*_{ab} = \\lambda_{1a}\\lambda_{1b}\\psi_{ab}`;
    - paths: :math:`\\beta^*_{kj} = \\beta_{kj}\\,\\lambda_{1k}/\\lambda_{1j}`;
    - item residual variances :math:`1 - \\lambda_j^2` are unchanged.

    The stored answers are Likert categories, not the continuous responses, so
    maximum likelihood on the 1-5 codes estimates somewhat smaller standardized
    loadings and paths than ``std_all`` (attenuation by coarse categories);
    an ordinal analysis (lavaan ``ordered=``, WLSMV) targets ``std_all`` and the
    thresholds ``t1..t4`` directly.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> import crm_research as crm
    >>> truth = crm.ecrm_survey_truth()
    >>> truth.loc[truth["hypothesis_true"].eq(False), "hypothesis"].tolist()  # false in the population
    ['H5', 'H6', 'H9']
    """
    m = _matrices()
    pos = {c: i for i, c in enumerate(_CODES)}
    marker = {}
    for item in ITEMS:
        marker.setdefault(item.construct, item.loading)
    inv = np.linalg.inv(np.eye(len(_CODES)) - m["beta"])
    cov_eta = inv @ m["psi"] @ inv.T
    rows: list[dict] = []

    def add(lhs, op, rhs, value, std, label="", hypothesis="", true=None):
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "label": label, "value": float(value),
                     "std_all": float(std), "hypothesis": hypothesis, "hypothesis_true": true})

    for item in ITEMS:
        add(item.construct, "=~", item.model_name, item.loading / marker[item.construct], item.loading)
    coef = {}
    for p in PATHS:
        unstd = p.std * marker[p.outcome] / marker[p.predictor]
        coef[p.label] = (unstd, p.std)
        add(p.outcome, "~", p.predictor, unstd, p.std, p.label, p.hypothesis, p.std != 0)
    for item in ITEMS:
        add(item.model_name, "~~", item.model_name, 1 - item.loading**2, 1 - item.loading**2)
    for i, a in enumerate(_CODES):
        for b in _CODES[i:]:
            if a in _EXO and b in _EXO:
                value = m["psi"][pos[a], pos[b]]
            elif a == b:
                value = m["psi"][pos[a], pos[a]]  # residual variance of an endogenous factor
            elif a in ("LOY", "DEL") and b in ("LOY", "DEL"):
                # lavaan's sem() frees the residual covariance of the two final outcomes
                # (auto.cov.y); in the population it is zero.
                value = m["psi"][pos[a], pos[b]]
            else:
                continue
            add(a, "~~", b, value * marker[a] * marker[b], value)
    for name, (formula, hypothesis) in DEFINED.items():
        unstd = _evaluate(formula, {k: v[0] for k, v in coef.items()})
        std = _evaluate(formula, {k: v[1] for k, v in coef.items()})
        # lavaan's parameter table writes the right-hand side without spaces ("c1+a1*b1")
        add(name, ":=", formula.replace(" ", ""), unstd, std, name, hypothesis, (std != 0) if hypothesis else None)
    for item in ITEMS:
        for t, tau in enumerate(BASE_THRESHOLDS + item.shift, start=1):
            add(item.model_name, "|", f"t{t}", tau, tau)
    for c in _ENDO:
        r2 = 1.0 - m["psi"][pos[c], pos[c]] / cov_eta[pos[c], pos[c]]
        add(c, "r2", c, r2, r2)
    out = pd.DataFrame(rows)
    # 12 decimals: 0.875 rather than 0.8749999999999999 in the CSV, far below any estimate's precision
    out[["value", "std_all"]] = out[["value", "std_all"]].round(12)
    out["hypothesis_true"] = out["hypothesis_true"].astype("boolean")
    for col in ("lhs", "op", "rhs", "label", "hypothesis"):
        # "" -> missing, so the table equals what load_dataset reads back from the CSV
        out[col] = out[col].replace("", None).astype("string")
    return out


def _evaluate(formula: str, values: dict[str, float]) -> float:
    """Value of a ``:=`` formula made of sums of products of path labels."""
    total = 0.0
    for term in formula.split("+"):
        product = 1.0
        for label in term.strip().split("*"):
            product *= values[label.strip()]
        total += product
    return total


def ecrm_survey_items() -> pd.DataFrame:
    """The questionnaire items with their English and Persian wording.

    Returns
    -------
    pandas.DataFrame
        Columns ``item`` (column name in the data), ``construct`` (code),
        ``construct_en``, ``construct_fa``, ``text_en``, ``text_fa``,
        ``reverse`` (True for the reverse-worded items ``SAT3r`` and ``LOY4r``,
        whose stored answers must be reverse-coded as ``6 - x``) and
        ``model_name`` (the item's name in the analysis model after recoding).

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.ecrm_survey_items().query("reverse")["item"].tolist()
    ['SAT3r', 'LOY4r']
    """
    names = {c.code: c for c in CONSTRUCTS}
    out = pd.DataFrame(
        {
            "item": [i.column for i in ITEMS],
            "construct": [i.construct for i in ITEMS],
            "construct_en": [names[i.construct].name_en for i in ITEMS],
            "construct_fa": [names[i.construct].name_fa for i in ITEMS],
            "text_en": [i.text_en for i in ITEMS],
            "text_fa": [i.text_fa for i in ITEMS],
            "reverse": [i.reverse for i in ITEMS],
            "model_name": [i.model_name for i in ITEMS],
        }
    )
    return out.astype({c: "string" for c in out.columns if c != "reverse"}).astype({"reverse": "boolean"})


def ecrm_survey_constructs(recoded: bool = True) -> dict[str, list[str]]:
    """The constructs of ``ecrm_survey`` and their items, for reliability and validity functions.

    Parameters
    ----------
    recoded : bool, default True
        If True, name the reverse-worded items as after :func:`recode_ecrm_survey`
        (``SAT3``, ``LOY4``); if False, as stored (``SAT3r``, ``LOY4r``).

    Returns
    -------
    dict
        Construct code -> list of item columns, in questionnaire order:
        ``OPR, ANL, EMP, SAT, LOY, DEL``.

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.ecrm_survey_constructs()["SAT"]
    ['SAT1', 'SAT2', 'SAT3', 'SAT4']
    >>> crm.ecrm_survey_constructs(recoded=False)["LOY"]
    ['LOY1', 'LOY2', 'LOY3', 'LOY4r']
    """
    recoded = check_bool(recoded, "recoded", "ecrm_survey_constructs")
    return {
        c: [i.model_name if recoded else i.column for i in ITEMS if i.construct == c] for c in _CODES
    }


def ecrm_survey_model() -> str:
    """The analysis model of ``ecrm_survey`` in lavaan syntax, as a student would write it.

    The measurement part names the reverse-coded items ``SAT3`` and ``LOY4``
    (see :func:`recode_ecrm_survey`); the structural part labels every path so
    that the indirect effects through SAT can be defined with ``:=``.

    Returns
    -------
    str
        The text of ``datasets/ecrm_survey_model.lav``.

    Examples
    --------
    >>> import crm_research as crm
    >>> print(crm.ecrm_survey_model().splitlines()[0])
    # e-CRM survey: does e-CRM raise loyalty and on-time delivery through satisfaction?
    """
    lines = [
        "# e-CRM survey: does e-CRM raise loyalty and on-time delivery through satisfaction?",
        "# Data: crm.load_dataset('ecrm_survey'). Reverse-code first: SAT3 = 6 - SAT3r, LOY4 = 6 - LOY4r",
        "# (crm.recode_ecrm_survey does both).",
        "",
        "# measurement model",
    ]
    for c in _CODES:
        items = [i.model_name for i in ITEMS if i.construct == c]
        lines.append(f"{c} =~ {' + '.join(items)}")
    lines += ["", "# structural model (labels a*, b*, c*, d* name the paths; hypotheses H1-H9)"]
    for outcome in _ENDO:
        terms = [f"{p.label}*{p.predictor}" for p in PATHS if p.outcome == outcome]
        lines.append(f"{outcome} ~ {' + '.join(terms)}")
    lines += ["", "# indirect (H10-H12) and total effects on loyalty through satisfaction"]
    for name, (formula, _hyp) in DEFINED.items():
        lines.append(f"{name} := {formula}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


def _latent_and_responses(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw factor scores and continuous item responses from the structural equations.

    The draws follow the model equation by equation (exogenous factors, then
    SAT, LOY and DEL with their disturbances, then items), not from the
    implied covariance matrix, so that the large-sample test of
    :func:`ecrm_survey_implied_cov` checks two independent computations.
    """
    m = _matrices()
    pos = {c: i for i, c in enumerate(_CODES)}
    exo_idx = [pos[c] for c in _EXO]
    chol = np.linalg.cholesky(m["psi"][np.ix_(exo_idx, exo_idx)])
    eta = np.zeros((n, len(_CODES)))
    eta[:, exo_idx] = rng.standard_normal((n, len(exo_idx))) @ chol.T
    disturbances = rng.standard_normal((n, len(_ENDO)))
    for j, c in enumerate(_ENDO):
        i = pos[c]
        eta[:, i] = eta @ m["beta"][i] + np.sqrt(m["psi"][i, i]) * disturbances[:, j]
    errors = rng.standard_normal((n, len(ITEMS))) * np.sqrt(np.diag(m["theta"]))
    responses = eta @ m["lambda"].T + errors
    return eta, responses


def _demographics(rng: np.random.Generator, eta: np.ndarray) -> dict[str, np.ndarray]:
    """Demographic codes; frequency, tenure and channel are related to the factors, the rest is noise."""
    n = len(eta)
    pos = {c: i for i, c in enumerate(_CODES)}
    loy, emp = eta[:, pos["LOY"]], eta[:, pos["EMP"]]
    out = {
        "gender": rng.choice([1, 2], size=n, p=_GENDER_P),
        "age_band": rng.choice(np.arange(1, 6), size=n, p=_AGE_P),
        "education": rng.choice(np.arange(1, 6), size=n, p=_EDUCATION_P),
    }
    r = _LOY_TO_TENURE
    tenure_driver = r * loy + np.sqrt(1 - r**2) * rng.standard_normal(n)
    # log-normal tenure: median about 3.7 years, a long tail of old customers, capped at 25
    out["tenure_years"] = np.minimum(np.floor(np.exp(1.3 + 0.7 * tenure_driver)), 25).astype(int)
    r = _LOY_TO_FREQUENCY
    propensity = r * loy + np.sqrt(1 - r**2) * rng.standard_normal(n)
    out["purchase_frequency"] = 1 + np.searchsorted(_FREQUENCY_CUTS, propensity)
    # multinomial logit by the Gumbel-max trick: empowered customers prefer web and app
    utility = _CHANNEL_INTERCEPT + np.outer(emp, _CHANNEL_EMP) + rng.gumbel(size=(n, 4))
    out["preferred_channel"] = 1 + np.argmax(utility, axis=1)
    return out


def _cut(responses: np.ndarray) -> np.ndarray:
    """Likert answers 1..5 (positively keyed) from continuous responses."""
    out = np.empty(responses.shape, dtype=int)
    for j, item in enumerate(ITEMS):
        out[:, j] = 1 + np.searchsorted(BASE_THRESHOLDS + item.shift, responses[:, j], side="left")
    return out


@positional_options
def generate_ecrm_survey(
    n: int = ECRM_SURVEY_N,
    *,
    seed: int | None = ECRM_SURVEY_SEED,
    missing_rate: float = DEFAULT_MISSING_RATE,
    skip_rate: float = DEFAULT_SKIP_RATE,
    continuous: bool = False,
) -> pd.DataFrame:
    """Generate the e-CRM questionnaire from its population structural equation model.

    With the defaults this reproduces the shipped ``datasets/ecrm_survey.csv``
    exactly (``crm.load_dataset("ecrm_survey")``).

    Parameters
    ----------
    n : int, default 400
        Number of respondents (at least 10).
    seed : int or None, default 1403
        Seed of NumPy's ``default_rng``; None draws a fresh sample each call.
    missing_rate : float, default 0.015
        Share of item answers deleted completely at random (MCAR), in [0, 0.5].
    skip_rate : float, default 0.02
        Share of respondents (rounded to a whole number) who skipped one whole
        block of items (one construct, chosen at random), in [0, 0.5].
    continuous : bool, default False
        If True return the continuous latent responses (before cutting into
        categories, reversing or deleting), one column per item under its model
        name (``SAT3``, ``LOY4``), plus ``resp_id``.  The same seed gives the
        responses that underlie the Likert answers.

    Returns
    -------
    pandas.DataFrame
        ``resp_id`` (1..n); demographics ``gender``, ``age_band``, ``education``,
        ``tenure_years``, ``purchase_frequency``, ``preferred_channel`` (integer
        codes, labels in the catalogue and :data:`DEMOGRAPHICS`); then the 22
        items ``OPR1-OPR4, ANL1-ANL4, EMP1-EMP3, SAT1, SAT2, SAT3r, SAT4,
        LOY1-LOY3, LOY4r, DEL1-DEL3`` coded 1 (strongly disagree) to 5
        (strongly agree), missing answers as NaN.  ``SAT3r`` and ``LOY4r`` are
        stored as answered: reverse-code them before analysis.

    Notes
    -----
    Generation, respondent by respondent:

    1. exogenous factors :math:`(OPR, ANL, EMP) \\sim N(0, \\Phi)` with unit
       variances and correlations .45, .35, .30;
    2. :math:`SAT = .35\\,OPR + .30\\,ANL + .15\\,EMP + \\zeta_S`,
       :math:`LOY = .55\\,SAT + .20\\,EMP + \\zeta_L`,
       :math:`DEL = .45\\,OPR + \\zeta_D`, with independent normal disturbances
       whose variances make every factor's variance 1 (so the coefficients are
       standardized; :math:`R^2_{SAT} = .393`);
    3. item responses :math:`y^*_j = \\lambda_j \\eta + \\varepsilon_j` with
       :math:`\\lambda_j \\in [.60, .85]` and :math:`Var(\\varepsilon_j) = 1 - \\lambda_j^2`;
    4. answers :math:`x_j = k` when :math:`\\tau_{k-1} < y^*_j \\le \\tau_k`,
       with thresholds (-2.0, -1.25, -0.45, 0.65) shifted per item (negatively
       skewed answers, as in real customer surveys);
    5. reverse-worded items are stored as :math:`6 - x_j`;
    6. MCAR deletion of ``missing_rate`` of the item answers, and ``skip_rate``
       of the respondents leave one whole block empty.

    Demographics: gender, age band and education are independent of every
    construct (a true null for group comparisons); purchase frequency (a
    propensity correlated .40 with LOY, cut into four bands), tenure (log-normal,
    driver correlated .30 with LOY) and preferred channel (multinomial logit on
    EMP: empowered customers prefer the website and app) are not.

    The e-CRM dimensions follow the operational/analytical distinction and the
    "six e's" of e-CRM (Chen & Popovich, 2003; Kalakota & Robinson, 2001).

    References
    ----------
    Chen, I. J., & Popovich, K. (2003). Understanding customer relationship
    management (CRM): People, process and technology. *Business Process
    Management Journal*, 9(5), 672-688.

    Kalakota, R., & Robinson, M. (2001). *e-Business 2.0: Roadmap for Success*.
    Addison-Wesley.

    Rhemtulla, M., Brosseau-Liard, P. E., & Savalei, V. (2012). When can
    categorical variables be treated as continuous? *Psychological Methods*,
    17(3), 354-373.

    Examples
    --------
    >>> import crm_research as crm
    >>> survey = crm.generate_ecrm_survey(n=200, seed=1)
    >>> survey.shape
    (200, 29)
    """
    func = "generate_ecrm_survey"
    n = check_int(n, "n", func, min_value=10)
    seed = check_seed(seed, func)
    missing_rate = check_number(missing_rate, "missing_rate", func, 0.0, 0.5)
    skip_rate = check_number(skip_rate, "skip_rate", func, 0.0, 0.5)
    continuous = check_bool(continuous, "continuous", func)

    # The order of the draws below is part of the dataset's definition: changing it
    # changes the shipped CSV (tests/test_surveygen.py checks that it does not).
    rng = np.random.default_rng(seed)
    eta, responses = _latent_and_responses(rng, n)
    resp_id = np.arange(1, n + 1)
    if continuous:
        frame = pd.DataFrame(responses, columns=[i.model_name for i in ITEMS])
        frame.insert(0, "resp_id", resp_id)
        return frame

    demo = _demographics(rng, eta)
    answers = _cut(responses).astype(float)
    for j, item in enumerate(ITEMS):
        if item.reverse:
            answers[:, j] = 6 - answers[:, j]
    answers[rng.random(answers.shape) < missing_rate] = np.nan
    n_skip = int(round(skip_rate * n))
    if n_skip:
        skippers = rng.choice(n, size=n_skip, replace=False)
        blocks = rng.choice(len(_CODES), size=n_skip)
        for who, block in zip(skippers, blocks, strict=True):
            cols = [j for j, item in enumerate(ITEMS) if item.construct == _CODES[block]]
            answers[who, cols] = np.nan

    frame = pd.DataFrame({"resp_id": resp_id, **demo})
    frame = frame.astype("Int64")
    items = pd.DataFrame(answers, columns=[i.column for i in ITEMS])
    return pd.concat([frame, items], axis=1)


def recode_ecrm_survey(data: pd.DataFrame) -> pd.DataFrame:
    """Reverse-code the reverse-worded items of ``ecrm_survey`` for analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey as loaded (``crm.load_dataset("ecrm_survey")``), with the
        columns ``SAT3r`` and ``LOY4r``.

    Returns
    -------
    pandas.DataFrame
        A new DataFrame (``data`` is not modified) in which ``SAT3r`` and
        ``LOY4r`` are replaced, in the same position, by ``SAT3 = 6 - SAT3r``
        and ``LOY4 = 6 - LOY4r``: the names used by
        ``datasets/ecrm_survey_model.lav`` and :func:`ecrm_survey_truth`.

    Notes
    -----
    On a 1..k scale the reverse of answer :math:`x` is :math:`(k + 1) - x`;
    here :math:`k = 5`.  Missing answers stay missing.

    Examples
    --------
    >>> import crm_research as crm
    >>> survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> "SAT3" in survey and "SAT3r" not in survey
    True
    """
    func = "recode_ecrm_survey"
    data = check_dataframe(data, "data", func)
    reverse = [i for i in ITEMS if i.reverse]
    missing = [i.column for i in reverse if i.column not in data.columns]
    if missing:
        already = [i.model_name for i in reverse if i.model_name in data.columns]
        hint = f" It already has {already}: was it recoded before?" if already else ""
        raise CRMInputError(
            f"The 'data' parameter of {func} must hold the reverse-worded items {[i.column for i in reverse]}. "
            f"Missing: {missing}.{hint}"
        )
    # the house helper reads Persian digits and names any text or out-of-scale answer
    values = check_numeric_columns(data, [i.column for i in reverse], name="data", func=func, scale=(1, 5))
    out = data.copy()
    for item in reverse:
        out[item.column] = 6 - values[item.column]
    return out.rename(columns={i.column: i.model_name for i in reverse})
