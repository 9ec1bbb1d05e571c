from django import forms
from django.utils.translation import gettext_lazy as _

from portal.shell.templatetags.club_format import digits

from . import ready_made
from .models import SCALES, TEXT_MAX_LENGTH, Question, QuestionKind

SCALE_HINTS = {
    QuestionKind.RATING: _("1 = very poor, 5 = excellent."),
    QuestionKind.NPS: _("0 = not at all likely, 10 = extremely likely."),
}


def field_name(question: Question) -> str:
    return f"q{question.pk}"


class AnswerForm(forms.Form):
    """One field per question of a survey: radios for a single choice and for the points of
    a scale, checkboxes for multiple choice, a text area for free text. The service checks
    the answers again (services.check_answers); its errors land on the same fields."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[field_name(question)] = self._field(question)

    @staticmethod
    def _field(question: Question) -> forms.Field:
        options = {
            "label": question.text,
            "help_text": question.help_text or SCALE_HINTS.get(question.kind, ""),
            "required": question.required,
            "error_messages": {
                "required": _("Please answer this question."),
                "invalid_choice": _("Choose from the answers offered."),
            },
        }
        if question.kind == QuestionKind.SINGLE:
            return forms.TypedChoiceField(
                choices=[(c.pk, c.label) for c in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect,
                **options,
            )
        if question.kind == QuestionKind.MULTIPLE:
            return forms.TypedMultipleChoiceField(
                choices=[(c.pk, c.label) for c in question.choices.all()],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                **options,
            )
        if question.kind in SCALES:
            return forms.TypedChoiceField(
                choices=[(n, digits(n)) for n in SCALES[question.kind]],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale-input"}),
                **options,
            )
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}),
            max_length=TEXT_MAX_LENGTH,
            strip=True,
            **options,
        )

    def answers(self) -> dict[int, int | list[int] | str | None]:
        """The cleaned answers by question id, as services.submit_response takes them."""
        data = self.cleaned_data
        return {q.pk: data.get(field_name(q)) for q in self.questions}

    def add_service_errors(self, errors: dict[int, str]) -> None:
        names = {q.pk: field_name(q) for q in self.questions}
        for question_id, message in errors.items():
            self.add_error(names.get(question_id), message)

    def rows(self):
        """(number, question, bound field) for the template."""
        return [
            (number, question, self[field_name(question)])
            for number, question in enumerate(self.questions, start=1)
        ]


class CopyTemplateForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Ready-made survey"),
        choices=[(t.key, t.name) for t in ready_made.TEMPLATES],
        widget=forms.RadioSelect,
    )
    topic = forms.CharField(
        label=_("Topic"),
        max_length=80,
        required=False,
        help_text=_("Only for “Suggestions on a topic”, e.g. “our opening hours”."),
    )

    def clean(self):
        cleaned = super().clean()
        template = ready_made.BY_KEY.get(cleaned.get("template", ""))
        if template and template.needs_topic and not " ".join(cleaned.get("topic", "").split()):
            self.add_error("topic", _("Name the topic you would like suggestions on."))
        return cleaned
