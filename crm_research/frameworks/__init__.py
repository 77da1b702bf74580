"""Layer 3, the CRM models: the frameworks (IDIC, Payne, Kalakota, Winer, the
six e's ...) as bilingual content with diagrams, and the recipes that run them on
data (``idic``, ``payne``, ``winer``, ``lifecycle``, ``programmes``).

``crm.frameworks.IDIC`` and the rest of :mod:`.models` are reachable here.  The
names are forwarded on access rather than star-imported, because a star import
would read every content file (``models.IDIC`` ... are built from
``content/*.yaml`` on first use) whenever any recipe module is imported.
"""

from crm_research.frameworks import models as _models
from crm_research.frameworks.models import __all__  # noqa: F401


def __getattr__(name: str):
    # the content objects and helpers of models (IDIC, REFERENCES, get_framework ...) read through the package
    try:
        return getattr(_models, name)
    except AttributeError:
        raise AttributeError(f"module 'crm_research.frameworks' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
