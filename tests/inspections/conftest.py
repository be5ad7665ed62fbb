from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group

from registry.models import Filing, Institution
from tests import factories as f
from tuoyu_portal.accounts.models import User

# Filed in January 2025 (not new to the risk score), 40 places and no classes on file.
FILED = {"places": 40, "filed_on": date(2025, 1, 10), "classes": []}


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return f.FiledFilingFactory(institution=institution, **FILED)


@pytest.fixture
def other_filing(other_institution: Institution) -> Filing:
    return f.FiledFilingFactory(institution=other_institution, **FILED)


@pytest.fixture
def admin_inspector(inspector: User) -> User:
    """The cast's inspector as they are in production: staff, in the "inspectors" group."""
    inspector.groups.add(Group.objects.get(name="inspectors"))
    return inspector
