"""PLS-SEM as management theses use it (the SmartPLS workflow).

``crm.pls_sem(data, model)`` reads the same lavaan-style model file as
``crm.sem`` (``=~`` mode A, ``<~`` mode B / formative, ``~`` paths, ``:=``
defined parameters), estimates it with the ``seminr`` engine (GPL-3.0) and
returns a :class:`PLSResult` with the measurement- and structural-model
assessment tables; ``bootstrap=B`` adds standard errors, t, p and intervals;
``pls_predict`` (or ``result.predict()``) gives Q²predict and the LM benchmark;
``ipma`` the importance-performance map.
"""

from crm_research.pls.estimate import PLSResult, pls_sem
from crm_research.pls.ipma import IPMAResult, ipma
from crm_research.pls.mga import MICOMResult, PLSMGAResult, micom, pls_mga
from crm_research.pls.predict import PLSPredictResult, pls_predict

__all__ = ["pls_sem", "PLSResult", "pls_predict", "PLSPredictResult", "ipma", "IPMAResult", "micom", "MICOMResult",
           "pls_mga", "PLSMGAResult"]
