"""Confirmatory factor analysis and structural equation models with lavaan's results.

``crm.cfa`` and ``crm.sem`` take lavaan model syntax and return an
:class:`SEMResult` whose estimates, standardized solution and fit measures
equal lavaan 0.6's (see ``tests/reference/sem_lavaan.R``).  The layout:

* :mod:`crm_research.core.syntax` parses lavaan syntax (own parser: semopy cannot
  read ``:=``); it sits in ``core`` because the PLS layer and the study reader use it too;
* :mod:`.model` applies lavaan's defaults and builds RAM matrices;
* :mod:`.estimation` is the ML engine (numpy, analytic derivatives, Fisher
  scoring) -- why not semopy's optimiser is explained there;
* :mod:`.fit`, :mod:`.modindices` compute fit measures and modification indices;
* :mod:`.result` holds :class:`SEMResult`; :mod:`.plot` the path diagram;
* :mod:`.bootstrap` resamples (the thesis hypotheses table is :mod:`crm_research.inference`);
* :mod:`.multigroup` fits several groups and the invariance sequence;
* :mod:`.robust` adds robust standard errors and scaled statistics (MLM, MLR);
* :mod:`.compare` compares nested models (lavaan's ``lavTestLRT``);
* :mod:`.means` fits restricted mean structures (fixed or equal intercepts, latent means);
* :mod:`.effect_sizes` gives f² (refits with one path fixed to zero) and the latent VIF of the paths.
"""

from crm_research.sem.api import cfa, sem
from crm_research.sem.compare import ModelComparison, compare_models
from crm_research.sem.effect_sizes import sem_effect_sizes
from crm_research.sem.fiml import FIMLResult
from crm_research.sem.means import MeanStructureResult
from crm_research.sem.multigroup import InvarianceResult, MultiGroupSEMResult, measurement_invariance, multigroup_sem
from crm_research.sem.ordinal import OrdinalSEMResult
from crm_research.sem.polychoric import PolychoricResult, polychoric
from crm_research.sem.result import SEMResult
from crm_research.sem.robust import RobustFIMLResult, RobustSEMResult

# crm.sem is also the name of the function sem(); crm_research/__init__.py keeps the
# function bound to that name however the modules are imported.
__all__ = ["cfa", "sem", "SEMResult", "multigroup_sem", "measurement_invariance",
           "MultiGroupSEMResult", "InvarianceResult", "polychoric", "PolychoricResult",
           "OrdinalSEMResult", "FIMLResult", "RobustSEMResult", "RobustFIMLResult",
           "compare_models", "ModelComparison", "MeanStructureResult", "sem_effect_sizes"]

