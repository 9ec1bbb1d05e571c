"""Forms of the community's shared pages. They parse input; the rules live in the services
(a service's refusal is added to the form as an error)."""

from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.roles import permission_holders

from .models import FlagReason, ModerationAction
from .profiles import BIO_LENGTH, HandleRefused, check_handle
from .services import COMMENT_LENGTH, STATUS_LENGTH


class StatusForm(forms.Form):
    body = forms.CharField(
        label=_("What's new?"),
        max_length=STATUS_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATUS_LENGTH}),
        help_text=_("Up to 500 characters. Markdown works: **bold**, *italic*, links."),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP."),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("photo"):
            raise forms.ValidationError(_("Write something or add a photo."), code="empty")
        return data


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": COMMENT_LENGTH}),
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"), choices=FlagReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Details for the moderators (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
    )


class ProfileForm(forms.Form):
    handle = forms.CharField(
        label=_("Handle"),
        max_length=31,
        help_text=_(
            "3 to 30 small letters (a-z), digits or underscores. Others mention you as @handle."
        ),
        widget=forms.TextInput(
            attrs={"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    bio = forms.CharField(
        label=_("About me"),
        max_length=BIO_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BIO_LENGTH}),
    )

    def __init__(self, *args, member=None, **kwargs):
        self.member = member
        super().__init__(*args, **kwargs)

    def clean_handle(self):
        try:
            return check_handle(self.cleaned_data["handle"], member=self.member)
        except HandleRefused as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from refusal


class ModerationActionForm(forms.Form):
    ACTIONS = [
        ("hide", _("Hide")),
        ("restore", _("Restore")),
        ("dismiss", _("Dismiss the flags")),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Kept in the moderation log; the author reads it when you hide."),
    )


class WarnForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the member"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text=_("The member reads this as a private message (and by e-mail)."),
    )


class SuspendForm(forms.Form):
    until = forms.DateField(
        label=_("Suspended until (end of the day)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
        help_text=_("The member reads it."),
    )

    def clean_until(self):
        day = self.cleaned_data["until"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."), code="past")
        return day

    def until_moment(self) -> datetime:
        """The end of the chosen day, local time."""
        return timezone.make_aware(datetime.combine(self.cleaned_data["until"], time.max))


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class LogFilterForm(forms.Form):
    moderator = forms.ModelChoiceField(
        label=_("Moderator"), queryset=get_user_model().objects.none(), required=False
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("Any action")), *ModerationAction.choices],
        required=False,
    )
    member = forms.CharField(
        label=_("Member (@handle)"),
        max_length=31,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocapitalize": "none"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Q

        users = get_user_model().objects
        self.fields["moderator"].queryset = users.filter(
            permission_holders("accounts.moderate_community") | Q(is_superuser=True)
        ).order_by("email")
        self.fields["moderator"].label_from_instance = lambda user: user.email
        self.fields["moderator"].empty_label = _("Anyone (and the flags)")

    def clean_member(self):
        return (self.cleaned_data.get("member") or "").strip().removeprefix("@").lower()
