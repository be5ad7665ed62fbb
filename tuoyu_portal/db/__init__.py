"""PostgreSQL backend: Django's, with prepared statements that work beside pghistory (base.py)."""
