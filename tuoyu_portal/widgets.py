"""Form widgets shared by the apps' HTML forms."""

from __future__ import annotations

from django import forms


class IsoDateInput(forms.DateInput):
    """`<input type="date">` always rendered as YYYY-MM-DD: a browser's date input shows any
    other format (the Chinese locale's 2030/06/30) as empty, so a re-save would clear it."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
