"""Layer 3, the CRM models: the frameworks (IDIC, Payne, Kalakota, Winer, the
six e's ...) as bilingual content with diagrams, and the recipes that run them on
data (``idic``, ``payne``, ``winer``, ``lifecycle``, ``programmes``).

``crm.frameworks.IDIC`` and the rest of :mod:`.models` are reachable here.
"""

from crm_research.frameworks import models as _models
from crm_research.frameworks.models import *  # noqa: F403  (the content objects)
from crm_research.frameworks.models import __all__  # noqa: F401


def __getattr__(name: str):
    # the helpers of the content module (REFERENCES, diagrams ...) read through the package
    try:
        return getattr(_models, name)
    except AttributeError:
        raise AttributeError(f"module 'crm_research.frameworks' has no attribute {name!r}") from None
