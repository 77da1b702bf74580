"""One thread per numerical library while the toolkit's own loops run.

The toolkit's matrices are small (tens of items, a few thousand rows) and its
parallel unit is the resample or the cross-validation fold, not the matrix
product.  A multi-threaded BLAS or OpenMP pool then only adds synchronisation:
on the project's shared 2-core machines one SEM matrix product was 20 times
slower with it, and gradient boosting spin-waited on the other core.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits

__all__ = ["single_thread"]


def single_thread() -> threadpool_limits:
    """Context manager limiting BLAS and OpenMP to one thread each.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_research.core.threads import single_thread
    >>> with single_thread():
    ...     float(np.ones((3, 3)).dot(np.ones(3)).sum())
    9.0
    """
    return threadpool_limits(limits=1)
