"""Form pieces every app shares."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as yyyy-mm-dd and shows as the user's locale (dd/mm/yyyy)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
