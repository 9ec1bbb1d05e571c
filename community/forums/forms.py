"""The forums' forms. They check shape only; the rules (brakes, access, locks, polls) are in
services.py, whose ValidationError and refusals the views put on these forms."""

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ForumCategory

BODY_HELP = _(
    "Markdown works: **bold**, *italic*, > quote, - lists, [links](https://…). "
    "Mention a member with @handle."
)


def add_service_errors(form: forms.Form, error: Exception) -> None:
    """A service's ValidationError on the fields it names (the rest at the top); any other
    refusal (ForumRefused, brakes.Refused, ...) at the top as its message."""
    if not isinstance(error, ValidationError):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several pictures in one field; each is checked by the service (type, size, count)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(item, initial) for item in data]
        cleaned = super().clean(data, initial)
        return [cleaned] if cleaned else []


def _images_field():
    return MultipleImageField(
        label=_("Pictures (optional)"),
        required=False,
        help_text=_("Up to %(n)d JPEG, PNG or WebP pictures.") % {"n": services.MAX_IMAGES},
    )


def _body_field(label=None):
    return forms.CharField(
        label=label or _("Text"),
        max_length=services.BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=services.TITLE_LENGTH)
    body = _body_field()
    tags = forms.CharField(
        label=_("Tags (optional)"),
        required=False,
        max_length=300,
        help_text=_("Up to %(n)d words or short phrases, separated by commas.")
        % {"n": services.MAX_TAGS},
    )
    images = _images_field()
    poll_question = forms.CharField(
        label=_("Poll question (optional)"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for a topic without a poll."),
    )
    poll_choices = forms.CharField(
        label=_("Poll answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One answer a line, 2 to 10 answers."),
    )
    poll_multiple = forms.BooleanField(
        label=_("Members may choose several answers"), required=False
    )
    poll_closes_on = forms.DateField(
        label=_("Poll closes at the end of (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def tag_names(self) -> list[str]:
        return [name for name in self.cleaned_data["tags"].split(",") if name.strip()]

    def poll_spec(self) -> services.PollSpec | None:
        data = self.cleaned_data
        if not data.get("poll_question") and not data.get("poll_choices", "").strip():
            return None
        closes_at = None
        if data.get("poll_closes_on"):
            closes_at = timezone.make_aware(
                datetime.combine(data["poll_closes_on"], time.max.replace(microsecond=0))
            )
        return services.PollSpec(
            question=data.get("poll_question", ""),
            choices=data.get("poll_choices", "").splitlines(),
            is_multiple=data.get("poll_multiple", False),
            closes_at=closes_at,
        )


class ReplyForm(forms.Form):
    body = _body_field(_("Your reply"))
    images = _images_field()
    quote_of = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=services.TITLE_LENGTH)
    body = _body_field()
    note = forms.CharField(
        label=_("Note shown with the post"),
        required=False,
        max_length=services.NOTE_LENGTH,
        help_text=_("Required when you edit someone else's post: say what you changed and why."),
    )

    def __init__(self, *args, with_title: bool, with_note: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]
        if not with_note:
            del self.fields["note"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the moderation log."),
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Move to"), queryset=ForumCategory.objects.order_by("kind", "position", "name")
    )
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)

    def __init__(self, *args, topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = self.fields["category"].queryset.exclude(
            pk=topic.category_id
        )


class VoteForm(forms.Form):
    def __init__(self, *args, poll, choices, **kwargs):
        super().__init__(*args, **kwargs)
        options = [(choice.pk, choice.text) for choice in choices]
        if poll.is_multiple:
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                label=_("Your answers"),
                choices=options,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose at least one answer.")},
            )
        else:
            self.fields["choices"] = forms.TypedChoiceField(
                label=_("Your answer"),
                choices=options,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )

    def choice_ids(self) -> list[int]:
        value = self.cleaned_data["choices"]
        return list(value) if isinstance(value, list) else [value]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the forums"),
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
    )
