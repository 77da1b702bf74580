"""PLS-SEM as management theses use it (the SmartPLS workflow).

``crm.pls_sem(data, model)`` reads the same lavaan-style model file as
``crm.sem`` (``=~`` mode A, ``<~`` mode B / formative, ``~`` paths, ``:=``
defined parameters), estimates it with the ``seminr`` engine (GPL-3.0) and
returns a :class:`PLSResult` with the measurement- and structural-model
assessment tables; ``bootstrap=B`` adds standard errors, t, p and intervals;
``pls_predict`` (or ``result.predict()``) gives Q²predict and the LM benchmark;
``ipma`` the importance-performance map; ``micom`` and ``pls_mga`` compare two
groups; ``result.model_fit()`` (with ``result.srmr`` and ``result.nfi``) is
SmartPLS's "Model fit" table: SRMR, d_ULS, d_G, Chi² and NFI of the saturated
and the estimated model, and ``pls_fit_test`` (``result.fit_test()``) their Bollen-Stine bootstrap test of
exact fit (HI95/HI99).  Interaction terms (``Y ~ X + M + X:M``) and higher-order constructs
(``HOC =~ LOC1 + LOC2``) are part of the model syntax.

The engine.  The PLS algorithm of a fit, the two-stage interaction and
higher-order constructions and PLSc are the ``seminr`` port's (a line-by-line
port of R seminr, so fits equal R seminr's fixtures); every resampling that
re-estimates a composite model -- bootstrap, jackknife for BCa, MICOM and MGA
permutations, group bootstraps, blindfolding -- runs on this package's own
correlation-matrix kernel (:class:`crm_research.pls.bootstrap.CorrPLS`),
checked against seminr to 1e-10.  seminr is GPL-3.0: a redistributed bundle
that includes it (a frozen app, an image) is GPL-3.0; the MIT source of this
package only imports it.
"""

from crm_research.pls.estimate import PLSResult, pls_sem
from crm_research.pls.fit import PLSFitTest, pls_fit_test
from crm_research.pls.ipma import IPMAResult, ipma
from crm_research.pls.mga import MICOMResult, PLSMGAResult, micom, pls_mga
from crm_research.pls.predict import PLSPredictResult, pls_predict

__all__ = ["pls_sem", "PLSResult", "pls_predict", "PLSPredictResult", "ipma", "IPMAResult", "micom", "MICOMResult",
           "pls_mga", "PLSMGAResult", "pls_fit_test", "PLSFitTest"]
