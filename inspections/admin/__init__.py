"""The inspectors' product: the Django admin, scoped, with services behind every save.

Importing the module registers its admins.
"""

from . import inspections

__all__ = ["inspections"]
