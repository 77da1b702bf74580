"""PLS-SEM speed: the ECSI model on mobi, estimated once and bootstrapped 5,000 times.

For comparison, seminr's own replication (``engine="seminr"``) needs about 20 ms per
resample of this model on the shared 2-core machine, i.e. well over a minute for 5,000.

Issue 14: MICOM with 5,000 permutations (corp_rep, servicetype groups; every permutation
re-estimates both groups on the correlation-matrix kernel) and the corp_rep moderation model
(switching costs, two-stage interaction) with 5,000 bootstrap resamples (each resample runs
both stages on the two-stage kernel; seminr's own replication is about 6 times slower).
Measured on the shared 2-core machine (2026-12-06, README table): MICOM 5,000 permutations 2.8 s;
moderation 5,000 resamples 8.4 s; the Bollen-Stine exact-fit test of the extended model, 5,000
resamples for each of the saturated and the estimated model, 7.7 s; SmartPLS model fit (both
columns) of the extended corp_rep model: 0.29 s with its estimation; the embedded two-stage HOC on
mobi (two estimations): 0.12 s.
"""

from pathlib import Path

import crm_research as crm
from crm_research.pls.bootstrap import run_bootstrap

REF = Path(__file__).resolve().parent.parent / "tests" / "reference" / "pls"
ECSI = (REF / "ecsi.lav").read_text()


def ecsi_estimate():
    data = crm.load_dataset("mobi")
    crm.pls_sem(data, ECSI)
    return len(data)


def ecsi_bootstrap_5000(n_jobs=2):
    data = crm.load_dataset("mobi")
    crm.pls_sem(data, ECSI, bootstrap=5000, seed=1, n_jobs=n_jobs, progress=False)
    return 5000


def ecsi_bootstrap_200_seminr_engine():
    fit = crm.pls_sem(crm.load_dataset("mobi"), ECSI)
    run_bootstrap(fit.engine_model, 200, 1, n_jobs=1, progress=False, engine="seminr")
    return 200


def micom_5000(n_jobs=2):
    data = crm.load_dataset("corp_rep")
    crm.micom(data, (REF / "corp_rep_simple.lav").read_text(), "servicetype", permutations=5000, seed=1,
              n_jobs=n_jobs, progress=False)
    return 5000


def moderation_bootstrap_5000(n_jobs=2):
    data = crm.load_dataset("corp_rep")
    crm.pls_sem(data, (REF / "corp_rep_moderation.lav").read_text(), bootstrap=5000, seed=1, n_jobs=n_jobs,
                progress=False)
    return 5000


def model_fit_extended():
    fit = crm.pls_sem(crm.load_dataset("corp_rep"), (REF / "corp_rep_extended.lav").read_text())
    fit.model_fit()
    return fit.n


def fit_test_extended_5000(n_jobs=2):
    fit = crm.pls_sem(crm.load_dataset("corp_rep"), (REF / "corp_rep_extended.lav").read_text())
    crm.pls_fit_test(fit, bootstrap=5000, seed=1, n_jobs=n_jobs, progress=False)
    return 2 * 5000


def hoc_embedded_two_stage():
    data = crm.load_dataset("mobi")
    crm.pls_sem(data, (REF / "mobi_hoc.lav").read_text(), hoc="embedded_two_stage")
    return len(data)


BENCHMARKS = [
    ("PLS-SEM: ECSI model on mobi (24 items, 7 constructs)", "250 rows", ecsi_estimate),
    ("PLS-SEM: ECSI bootstrap, 5,000 resamples, 2 processes", "250 rows x 5,000", ecsi_bootstrap_5000),
    ("PLS-SEM: ECSI bootstrap through seminr, 200 resamples", "250 rows x 200", ecsi_bootstrap_200_seminr_engine),
    ("PLS-SEM: MICOM, 5,000 permutations, 2 processes", "344 rows x 5,000", micom_5000),
    ("PLS-SEM: moderation (two-stage), 5,000 bootstrap resamples, 2 processes", "344 rows x 5,000",
     moderation_bootstrap_5000),
    ("PLS-SEM: extended corp_rep fit + SRMR/NFI model fit (both models)", "344 rows", model_fit_extended),
    ("PLS-SEM: Bollen-Stine exact-fit test, extended corp_rep, 5,000 resamples per model, 2 processes",
     "344 rows x 2 x 5,000", fit_test_extended_5000),
    ("PLS-SEM: HOC, embedded two-stage (two estimations)", "250 rows", hoc_embedded_two_stage),
]
