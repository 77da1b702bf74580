"""The notebook series as a course: auto-checked exercises and the instructor's pack.

* :func:`check` tells a student whether an exercise answer is right and, when
  it is not, gives a hint (``crm.check("06.1", answer, data=data)``).
* :func:`build_course` (``crm-research course --out DIR``) writes the student
  notebooks (solutions removed), the solution notebooks, a personal dataset for
  every student of a class list with its answer key, and slides.
"""

from crm_research.course.build import CoursePack, build_course
from crm_research.course.check import CheckResult, check

__all__ = ["check", "CheckResult", "build_course", "CoursePack"]
