"""Confirmatory factor analysis and structural equation models with lavaan's results.

``crm.cfa`` and ``crm.sem`` take lavaan model syntax and return an
:class:`SEMResult` whose estimates, standardized solution and fit measures
equal lavaan 0.6's (see ``tests/reference/sem_lavaan.R``).  The layout:

* :mod:`.syntax` parses lavaan syntax (own parser: semopy cannot read ``:=``);
* :mod:`.model` applies lavaan's defaults and builds RAM matrices;
* :mod:`.estimation` is the ML engine (numpy, analytic derivatives, Fisher
  scoring) -- why not semopy's optimiser is explained there;
* :mod:`.fit`, :mod:`.modindices` compute fit measures and modification indices;
* :mod:`.result` holds :class:`SEMResult`; :mod:`.plot` the path diagram;
* :mod:`.bootstrap` resamples; :mod:`.hypotheses` builds the thesis table;
* :mod:`.multigroup` fits several groups and the invariance sequence.
"""

from .api import cfa, sem
from .fiml import FIMLResult
from .hypotheses import hypotheses
from .multigroup import InvarianceResult, MultiGroupSEMResult, measurement_invariance, multigroup_sem
from .ordinal import OrdinalSEMResult
from .polychoric import PolychoricResult, polychoric
from .result import SEMResult

# crm.sem is also the name of the function sem(); crm_research/__init__.py keeps the
# function bound to that name however the modules are imported.
__all__ = ["cfa", "sem", "hypotheses", "SEMResult", "multigroup_sem", "measurement_invariance",
           "MultiGroupSEMResult", "InvarianceResult", "polychoric", "PolychoricResult",
           "OrdinalSEMResult", "FIMLResult"]

