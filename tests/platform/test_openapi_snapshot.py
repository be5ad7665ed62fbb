"""The OpenAPI schema is the exchange contract: other systems and the acceptance tests read it.

Moving code must not change it by a byte. `docs/api/openapi.yaml` is the committed copy; a change
to the contract is made on purpose by regenerating it (`python manage.py spectacular --file
docs/api/openapi.yaml`) in the same commit, where the diff shows what other systems will see.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from django.core.management import call_command

# Generating the schema reads reference data (regions) through the serializers.
pytestmark = pytest.mark.django_db

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


def test_the_generated_schema_is_byte_for_byte_the_committed_copy(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated))
    expected = COMMITTED.read_text(encoding="utf-8")
    actual = generated.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            "docs/api/openapi.yaml",
            "generated",
            n=2,
        )
    )
    assert actual == expected, f"the API contract changed:\n{diff[:4000]}"
