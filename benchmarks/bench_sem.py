"""SEM speed: one CFA, one SEM, and a 1,000-resample bootstrap (lavaan takes ~15 s for the latter).

lavaan 0.6-14 needed 43 s (2,000 resamples; 126 s when the machine was busy) for the same
model on this shared machine (``tests/reference/sem/pd_boot2000_time.txt``), i.e. about 21 s
per 1,000 resamples; crm_research needs about 2 s.
"""

from pathlib import Path

import pandas as pd

import crm_research as crm

REF = Path(__file__).resolve().parent.parent / "tests" / "reference"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD_MODEL = (REF / "sem_lavaan.R").read_text().split('pd_model <- "')[1].split('"')[0]


def _hs():
    return pd.read_csv(REF / "sem" / "holzinger1939.csv")


def _pd():
    return pd.read_csv(REF / "sem" / "political_democracy.csv")


def cfa_holzinger():
    data = _hs()
    crm.cfa(data, HS_MODEL)
    return len(data)


def sem_political_democracy():
    data = _pd()
    crm.sem(data, PD_MODEL)
    return len(data)


def bootstrap_political_democracy(n_jobs=2):
    data = _pd()
    fit = crm.sem(data, PD_MODEL, bootstrap=1000, seed=1, n_jobs=n_jobs, progress=False)
    return 1000 - fit.boot_failed


def mlr_ecrm_survey():
    data = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    crm.sem(data, crm.ecrm_survey_model(), estimator="MLR")
    return len(data)


def _hs_holes():
    """Holzinger-Swineford with the cells tests/reference/sem_fiml.R deletes (275 missing cells)."""
    import numpy as np

    data = _hs()
    i = np.arange(1, len(data) + 1)
    for j in range(1, 10):
        data.loc[((7 * i + 13 * j) % 17 == 0) | ((3 * i + 5 * j) % 23 == 0), f"x{j}"] = np.nan
    return data


def fiml_bootstrap_holzinger(n_jobs=2):
    fit = crm.cfa(_hs_holes(), HS_MODEL, missing="fiml", bootstrap=1000, seed=1, n_jobs=n_jobs, progress=False)
    return 1000 - fit.boot_failed


BENCHMARKS = [
    ("SEM: CFA Holzinger-Swineford (3 factors)", "301 rows, 9 items", cfa_holzinger),
    ("SEM: Political Democracy SEM with := ", "75 rows, 11 items", sem_political_democracy),
    ("SEM: bootstrap 1,000 resamples, PD (2 processes)", "1,000 refits", bootstrap_political_democracy),
    ("SEM: bootstrap 1,000 resamples, PD (1 process)", "1,000 refits",
     lambda: bootstrap_political_democracy(n_jobs=1)),
    ("SEM: MLR fit, e-CRM survey (robust SEs, scaled test)", "282 complete rows, 22 items", mlr_ecrm_survey),
    ("SEM: FIML bootstrap 1,000 resamples, HS with holes (2 processes)", "1,000 FIML refits",
     fiml_bootstrap_holzinger),
]


# --- latent interaction (issue 13): product indicators + ML fit + simple slopes
INTERACTION_MODEL = HS_MODEL + "\nspeed ~ visual + textual + visual:textual"


def interaction_holzinger():
    data = _hs()
    res = crm.interaction_sem(data, INTERACTION_MODEL)
    res.probe()
    return len(data)


BENCHMARKS.append(("SEM: latent interaction, double-mean-centred products (HS)", "301 rows, 9 items + 3 products",
                   interaction_holzinger))


# --- robust invariance and FIML-corrected robust indices (issue 13, second part)
def invariance_mlr_holzinger():
    inv = crm.measurement_invariance(_hs(), HS_MODEL, group_col="school", strict=True, estimator="MLR")
    return len(inv.table)


def fiml_mlr_holzinger():
    fit = crm.cfa(_hs_holes(), HS_MODEL, estimator="MLR", missing="fiml")
    return float(fit.fit_measures["cfi_robust"])


BENCHMARKS += [
    ("SEM: invariance by MLR, 4 steps + scaled differences (HS by school)", "2 groups, 301 rows",
     invariance_mlr_holzinger),
    ("SEM: MLR with FIML incl. robust CFI/RMSEA (FIML-C), HS with holes", "301 rows, 275 missing cells",
     fiml_mlr_holzinger),
]
