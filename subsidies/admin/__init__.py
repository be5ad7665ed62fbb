"""Admin of the subsidies app; importing the module registers its admins."""

from . import subsidies

__all__ = ["subsidies"]
