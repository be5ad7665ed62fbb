"""Admin registrations of the registry app, one module per feature."""

from registry import admin_filings  # noqa: F401  (filings, documents, supplement requests)
