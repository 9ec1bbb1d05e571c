from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .mapping import FIELDS
from .reading import MAX_ROWS, MAX_UPLOAD_BYTES, read_upload


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Customer list"),
        help_text=_(
            "A .csv (UTF-8, comma or semicolon) or .xlsx file, at most %(size)d MB and "
            "%(rows)d rows, with a header row. Only the mobile number is required."
        )
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024), "rows": MAX_ROWS},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.table = read_upload(upload)
        return upload


class MappingForm(forms.Form):
    """One choice per field: which column of the file holds it, or none."""

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        columns = [
            (str(index), f"{index + 1}. {name or _('(no header)')}")
            for index, name in enumerate(header)
        ]
        for name, label in FIELDS:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=[("", _("Not in the file"))] + columns,
                coerce=int,
                empty_value=None,
                required=name == "mobile",
            )

    def clean(self):
        cleaned = super().clean()
        seen: dict[int, str] = {}
        for name, _label in FIELDS:
            column = cleaned.get(name)
            if column is None:
                continue
            if column in seen:
                self.add_error(
                    name,
                    ValidationError(
                        _("This column is already chosen for another field."), code="twice"
                    ),
                )
            seen[column] = name
        return cleaned

    def mapping(self) -> dict[str, int]:
        return {
            name: self.cleaned_data[name]
            for name, _label in FIELDS
            if self.cleaned_data.get(name) is not None
        }


class StartForm(forms.Form):
    issue_cards = forms.BooleanField(
        label=_("Issue a club card to each imported member who has none"),
        required=False,
        help_text=_("Rows with a card number get that card whatever you choose here."),
    )
