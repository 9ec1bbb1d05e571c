"""The members' forms: a quiz's answers, a photo entry, and a moderator's reason. They
check shape only; services.py decides, and the views put its refusals on the form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import QuestionKind
from .services import CAPTION_MAX


def field_name(question) -> str:
    return f"q{question.pk}"


class QuizForm(forms.Form):
    """One field per question. Only the choices' ids and texts reach the page; whether a
    choice is correct never does."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            label = _("Question %(number)d") % {"number": number}
            choices = [(str(c.pk), c.text) for c in question.choices.all()]
            if question.kind == QuestionKind.TEXT:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=200,
                    widget=forms.TextInput(attrs={"autocomplete": "off"}),
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Choose all that apply."),
                )
            else:
                field = forms.ChoiceField(
                    label=label, required=False, choices=choices, widget=forms.RadioSelect
                )
            field.question = question
            self.fields[field_name(question)] = field

    def rows(self):
        """(question, bound field) pairs for the template."""
        return [(q, self[field_name(q)]) for q in self.questions]

    def answers(self) -> dict[int, object]:
        """{question id: [choice ids] | "text"} for services.submit_attempt."""
        out: dict[int, object] = {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question))
            if question.kind == QuestionKind.TEXT:
                out[question.pk] = value or ""
            elif question.kind == QuestionKind.MULTIPLE:
                out[question.pk] = [int(v) for v in value or []]
            else:
                out[question.pk] = [int(value)] if value else []
        return out


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Your photo"),
        help_text=_("A JPEG, PNG or WebP picture."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=CAPTION_MAX,
        help_text=_("One line about your photo."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Kept in the moderation log and sent to the member."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def add_service_errors(form: forms.Form, error: Exception) -> None:
    """Put a service's refusal on `form`: a ValidationError's fields where the form has
    them, anything else at the top of the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, str(error))
