"""Fixtures shared by several test files."""

import pytest

import crm_research as crm

# psych's bfi: the reverse-keyed items of the Big Five Inventory (psychTools::bfi.keys)
BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]


@pytest.fixture(scope="session")
def bfi():
    """psychTools' bfi with its reverse-keyed items recoded (6-point scale), as in tests/reference/psychometrics.R."""
    return crm.reverse_code(crm.load_dataset("bfi"), BFI_REVERSED, scale=(1, 6))


@pytest.fixture(scope="session")
def ecrm():
    """The ecrm_survey with SAT3r and LOY4r reversed and renamed SAT3 and LOY4."""
    return crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
