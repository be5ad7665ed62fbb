from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from registry.models import Filing, Institution
from tuoyu_portal.accounts.models import User

from . import factories as f


@pytest.fixture
def filing(institution: Institution) -> Filing:
    return f.filed_filing(institution)


@pytest.fixture
def other_filing(other_institution: Institution) -> Filing:
    return f.filed_filing(other_institution)


@pytest.fixture
def admin_inspector(inspector: User) -> User:
    """The cast's inspector as they are in production: staff, in the "inspectors" group."""
    inspector.groups.add(Group.objects.get(name="inspectors"))
    return inspector
