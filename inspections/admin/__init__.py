"""The inspectors' product: the Django admin, scoped, with services behind every save."""

from . import inspections as inspections  # noqa: F401  (registers the admins)
