"""The Wagtail edit form of a contest: checks what spans the contest and its questions
(the model's clean() sees the contest alone)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import ContestKind, QuestionKind


def _kept(formset) -> list:
    """The formset's forms that will be saved (filled in and not marked for deletion)."""
    forms = []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        forms.append(form)
    return forms


def _changed(questions) -> bool:
    """Whether the questions formset adds, deletes or edits a question or a choice."""
    for form in questions.forms:
        if form.has_changed() or (questions.can_delete and form.cleaned_data.get("DELETE")):
            return True
        choices = form.formsets.get("choices")
        if choices is not None and any(
            choice.has_changed() or choice.cleaned_data.get("DELETE") for choice in choices.forms
        ):
            return True
    return False


class ContestAdminForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        questions = self.formsets.get("questions")
        # Formsets are validated after the form itself: validate them now to read them.
        if questions is None or not questions.is_valid():
            return cleaned
        if self.instance.pk and self.instance.attempts.exists() and _changed(questions):
            raise ValidationError(
                _(
                    "Members have already answered this quiz: its questions, choices and "
                    "answers can no longer change."
                )
            )
        kept = _kept(questions)
        kind = cleaned.get("kind")
        if kind == ContestKind.PHOTO and kept:
            raise ValidationError(_("A photo contest has no questions: remove them."))
        if kind == ContestKind.QUIZ and cleaned.get("is_published") and not kept:
            raise ValidationError(_("A published quiz needs at least one question."))
        for number, form in enumerate(kept, start=1):
            self._check_question(number, form)
        return cleaned

    def _check_question(self, number: int, form) -> None:
        kind = form.cleaned_data.get("kind")
        choices = form.formsets.get("choices")
        kept = _kept(choices) if choices is not None and choices.is_valid() else []
        correct = sum(1 for choice in kept if choice.cleaned_data.get("is_correct"))
        where = {"number": number}
        if kind == QuestionKind.TEXT:
            if not (form.cleaned_data.get("accepted_answers") or "").strip():
                form.add_error(
                    "accepted_answers", _("Give at least one accepted answer, one per line.")
                )
            if kept:
                self.add_error(
                    None,
                    _("Question %(number)d is a short-answer question: remove its choices.")
                    % where,
                )
            return
        if len(kept) < 2:
            self.add_error(None, _("Question %(number)d needs at least two choices.") % where)
        elif kind == QuestionKind.SINGLE and correct != 1:
            self.add_error(None, _("Question %(number)d needs exactly one correct choice.") % where)
        elif kind == QuestionKind.MULTIPLE and correct < 1:
            self.add_error(
                None, _("Question %(number)d needs at least one correct choice.") % where
            )
