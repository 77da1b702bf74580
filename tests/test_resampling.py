"""core.resampling: the one bootstrap runner and the one set of interval rules."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest

from crm_research.core.errors import CRMInputError
from crm_research.core.resampling import (
    BootstrapRun,
    bc_interval,
    bca_interval,
    bootstrap_map,
    jackknife,
    percentile_interval,
    resample_indices,
)

X = np.array([2.1, 3.4, 1.9, 5.6, 4.4, 2.8, 7.9, 3.3, 0.7, 4.1, 9.2, 2.2])


def _mean(idx):
    return X[idx].mean()


def _pid_and_mean(idx):
    return np.array([os.getpid(), X[idx].mean()])


def _fails_without_row_0(idx):
    # a resample that misses row 0 "cannot be estimated": raises or returns None, alternately
    if 0 not in idx:
        if idx[0] % 2:
            raise np.linalg.LinAlgError("singular")
        return None
    return X[idx].mean()


def _random_statistic(idx, seed):
    return X[idx].mean() + np.random.default_rng(seed).normal()


# ----------------------------------------------------------------------------- intervals on known cases
def test_percentile_interval_by_hand():
    boot = np.arange(1.0, 101.0)[:, None]
    lo, hi = percentile_interval(boot, 0.90)
    # numpy's linear quantile: 1 + 0.05 * 99 = 5.95 and 1 + 0.95 * 99 = 95.05
    assert lo[0] == pytest.approx(5.95) and hi[0] == pytest.approx(95.05)
    # non-finite replicates are left out per statistic (as boot::boot.ci does)
    with_nan = np.column_stack([np.r_[boot[:, 0], np.nan, np.inf], np.arange(102.0)])
    lo, hi = percentile_interval(with_nan, 0.90)
    assert lo[0] == pytest.approx(5.95) and hi[0] == pytest.approx(95.05)
    assert np.isnan(percentile_interval(np.full((5, 1), np.nan), 0.9)[0][0])


def test_bc_interval_by_hand():
    boot = np.arange(1.0, 101.0)[:, None]
    # estimate at the median: z0 = 0, BC equals the percentile interval
    lo, hi = bc_interval(boot, [50.5], 0.90)
    assert lo[0] == pytest.approx(5.95) and hi[0] == pytest.approx(95.05)
    # 30 of 100 below: z0 = Phi^-1(0.3) = -0.5244, quantiles Phi(2 z0 -+ 1.6449) = 0.003534 and 0.724430
    lo, hi = bc_interval(boot, [30.5], 0.90)
    assert lo[0] == pytest.approx(1 + 99 * 0.0035337, abs=1e-3)
    assert hi[0] == pytest.approx(1 + 99 * 0.7244300, abs=1e-3)


def test_the_one_edge_rule():
    boot = np.arange(1.0, 101.0)[:, None]
    jack = np.linspace(0, 1, 12)[:, None] ** 2
    for est in (0.5, 1.0, 100.5):  # every replicate on one side (ties count as not below): z0 infinite
        assert np.isnan(bc_interval(boot, [est], 0.9)).all()
        assert np.isnan(bca_interval(boot, [est], 0.9, jackknife_values=jack)).all()
    assert np.isfinite(bc_interval(boot, [1.5], 0.9)).all()  # one replicate below is enough
    # no spread at all (a fixed parameter): every interval is that value
    fixed = np.ones((50, 1))
    for lo, hi in (percentile_interval(fixed, 0.95), bc_interval(fixed, [1.0], 0.95),
                   bca_interval(fixed, [1.0], 0.95, jackknife_values=jack)):
        assert lo[0] == hi[0] == 1.0
    # undefined acceleration (equal jackknife values): as boot::boot.ci, no BCa interval
    assert np.isnan(bca_interval(boot, [50.5], 0.9, jackknife_values=np.ones((12, 1)))).all()


def test_intervals_keep_the_shape_of_a_replicate():
    reps = np.random.default_rng(0).normal(size=(200, 3, 2))
    for lo, hi in (percentile_interval(reps), bc_interval(reps, np.zeros((3, 2))),
                   bca_interval(reps, np.zeros((3, 2)), jackknife_values=np.random.default_rng(1).normal(size=(9, 3, 2)))):
        assert lo.shape == hi.shape == (3, 2) and (lo < hi).all()


def test_bca_by_hand_and_against_scipy():
    # continuous data: no replicate ties with the estimate (scipy counts ties as half below)
    x = np.random.default_rng(0).lognormal(size=15)
    reps = x[resample_indices(len(x), 4000, seed=5)].mean(axis=1)
    est = x.mean()
    assert not (reps == est).any()
    jack = jackknife(lambda idx: x[idx].mean(), len(x))
    np.testing.assert_allclose(jack, [(x.sum() - v) / (len(x) - 1) for v in x])
    # by hand, Efron & Tibshirani (1993) eq. 14.14-14.15
    from scipy.stats import norm

    d = jack.mean() - jack
    a = (d**3).sum() / (6 * (d**2).sum() ** 1.5)
    z0 = norm.ppf((reps < est).mean())
    q = norm.cdf(z0 + (z0 + norm.ppf([0.025, 0.975])) / (1 - a * (z0 + norm.ppf([0.025, 0.975]))))
    lo, hi = bca_interval(reps, est, 0.95, jackknife_values=jack)
    assert (lo, hi) == pytest.approx(tuple(np.quantile(reps, q)), abs=1e-12)
    # scipy's BCa on the same bootstrap distribution (its own jackknife; linear quantiles too)
    from types import SimpleNamespace

    from scipy.stats import bootstrap

    ref = bootstrap((x,), np.mean, n_resamples=0, method="BCa", confidence_level=0.95,
                    bootstrap_result=SimpleNamespace(bootstrap_distribution=reps))
    assert lo == pytest.approx(ref.confidence_interval.low, abs=1e-10)
    assert hi == pytest.approx(ref.confidence_interval.high, abs=1e-10)
    # a skewed statistic: BCa moves away from the percentile interval in the direction of the skew
    plo, phi = percentile_interval(reps, 0.95)
    assert hi > phi


# ----------------------------------------------------------------------------- indices and the map
def test_indices_are_the_seeded_stream_and_strata_keep_group_sizes():
    idx = resample_indices(30, 7, seed=9)
    np.testing.assert_array_equal(idx, np.random.default_rng(9).integers(0, 30, size=(7, 30)))
    groups = np.repeat(["a", "b", "c"], [5, 10, 15])
    s = resample_indices(30, 20, seed=9, strata=groups)
    for row in s:
        assert (groups[row] == groups).all()  # each group drew as many rows as it has, from itself
    with pytest.raises(CRMInputError, match="strata"):
        resample_indices(30, 2, strata=groups[:5])


def test_map_is_identical_for_one_and_two_processes():
    one = bootstrap_map(_mean, len(X), bootstrap=300, seed=4, n_jobs=1, progress=False)
    two = bootstrap_map(_mean, len(X), bootstrap=300, seed=4, n_jobs=2, progress=False, chunk_size=7)
    assert two.n_jobs == 2 and one.n_jobs == 1
    np.testing.assert_array_equal(one.replicates, two.replicates)
    np.testing.assert_array_equal(one.replicates, X[resample_indices(len(X), 300, seed=4)].mean(axis=1))
    # random statistics get one child seed per resample, so they agree as well
    r1 = bootstrap_map(_random_statistic, len(X), bootstrap=60, seed=4, child_seeds=True, progress=False)
    r2 = bootstrap_map(_random_statistic, len(X), bootstrap=60, seed=4, child_seeds=True, n_jobs=2,
                       chunk_size=5, progress=False)
    np.testing.assert_array_equal(r1.replicates, r2.replicates)
    other = bootstrap_map(_mean, len(X), bootstrap=300, seed=5, progress=False)
    assert not np.array_equal(one.replicates, other.replicates)


def test_unseeded_run_records_its_entropy():
    run = bootstrap_map(_mean, len(X), bootstrap=50, progress=False)
    again = bootstrap_map(_mean, len(X), bootstrap=50, seed=np.random.SeedSequence(run.entropy), progress=False)
    np.testing.assert_array_equal(run.replicates, again.replicates)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_failed_resamples_are_counted(n_jobs):
    run = bootstrap_map(_fails_without_row_0, len(X), bootstrap=200, seed=1, n_jobs=n_jobs, progress=False)
    idx = resample_indices(len(X), 200, seed=1)
    has0 = (idx == 0).any(axis=1)
    assert run.n_failed == int((~has0).sum()) > 0
    np.testing.assert_array_equal(run.ok, has0)
    assert len(run.replicates) == run.n_ok == 200 - run.n_failed
    assert sum(run.failures.values()) == run.n_failed
    assert set(run.failures) == {"LinAlgError", "no result"}
    assert any(f"{run.n_failed} of 200 resamples" in w for w in run.warnings)
    # an unexpected exception is a bug, not a failed resample
    with pytest.raises(KeyError):
        bootstrap_map(lambda idx: {}["x"], len(X), bootstrap=5, seed=1, progress=False)


def test_no_worker_is_left_alive_after_the_map():
    run = bootstrap_map(_pid_and_mean, len(X), bootstrap=400, seed=2, n_jobs=2, progress=False)
    workers = set(run.replicates[:, 0].astype(int)) - {os.getpid()}
    assert workers  # the resamples did run in other processes
    assert multiprocessing.active_children() == []
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_batch_statistic_and_run_result():
    def batch(block):
        means = X[block].mean(axis=1)
        return [None if m > 6 else np.array([m, m**2]) for m in means]

    run = bootstrap_map(batch, len(X), bootstrap=120, seed=3, batch=True, progress=False)
    assert isinstance(run, BootstrapRun) and run.replicates.shape[1:] == (2,)
    assert run.bootstrap == 120 and run.seed == 3
    table = run.to_frame()
    assert list(table.columns) == ["statistic", "mean", "se", "ci_low", "ci_high"] and len(table) == 2
    np.testing.assert_allclose(table["se"], run.replicates.std(axis=0, ddof=1))
    lo, hi = run.interval(np.array([X.mean(), X.mean() ** 2]), ci=0.9, method="bc")
    assert (lo < hi).all()
    assert "Bootstrap run" in run.summary().as_text()


def test_one_progress_bar_counts_every_resample(monkeypatch):
    from crm_research.core import resampling

    bars = []

    class Bar:
        def __init__(self, total, desc, enabled):
            self.total, self.done, self.closed = total, 0, False
            bars.append(self)

        def update(self, k):
            self.done += k

        def close(self):
            self.closed = True

    monkeypatch.setattr(resampling, "_progress_bar", Bar)
    for n_jobs in (1, 2):
        bootstrap_map(_mean, len(X), bootstrap=90, seed=1, n_jobs=n_jobs, progress=True, chunk_size=7)
    assert [(b.total, b.done, b.closed) for b in bars] == [(90, 90, True), (90, 90, True)]


def test_argument_checks():
    with pytest.raises(CRMInputError, match="'bootstrap'"):
        bootstrap_map(_mean, 5, bootstrap=-1)
    with pytest.raises(CRMInputError, match="'n_jobs'"):
        bootstrap_map(_mean, 5, bootstrap=3, n_jobs=0)
    with pytest.raises(CRMInputError, match="'statistic'"):
        bootstrap_map(3, 5, bootstrap=3)
    with pytest.raises(CRMInputError, match="'ci'"):
        percentile_interval(np.ones((3, 1)), ci=95)
    with pytest.raises(CRMInputError, match="jackknife_values"):
        bca_interval(np.ones((3, 2)), [1, 1], jackknife_values=np.ones((4, 3)))
