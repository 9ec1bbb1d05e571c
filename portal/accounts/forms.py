from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .mobile import MobileField
from .models import ErasureRequest, MemberProfile, User


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form gains: the member's name and marketing consent."""

    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    sms_consent = forms.BooleanField(label=_("Send me offers by SMS"), required=False)
    email_consent = forms.BooleanField(label=_("Send me offers by e-mail"), required=False)

    def signup(self, request, user):
        from .services import ensure_profile, set_consents

        profile = ensure_profile(user=user)
        profile.first_name = self.cleaned_data["first_name"]
        profile.last_name = self.cleaned_data["last_name"]
        # The language the member signed up in is the one they read.
        profile.preferred_language = get_language() or profile.preferred_language
        set_consents(
            profile=profile,
            sms=self.cleaned_data["sms_consent"],
            email=self.cleaned_data["email_consent"],
            source=request.path if request else "sign-up",
        )
        profile.save()


class ProfileForm(forms.ModelForm):
    mobile = MobileField(required=False)
    interests = forms.CharField(
        label=_("Interests"),
        required=False,
        max_length=300,
        help_text=_("Separate with commas, e.g. cooking, running, books."),
    )

    class Meta:
        model = MemberProfile
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "address",
            "city",
            "home_branch",
            "preferred_language",
            "sms_consent",
            "email_consent",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["home_branch"].queryset = self.fields["home_branch"].queryset.filter(
            is_active=True
        )
        if not self.is_bound:
            self.initial["mobile"] = user.mobile or ""
            self.initial["interests"] = ", ".join(
                sorted(tag.name for tag in self.instance.interests.all())
            )

    def clean_mobile(self):
        mobile = self.cleaned_data.get("mobile") or None
        if mobile and User.objects.filter(mobile=mobile).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(
                _("This mobile number belongs to another member."), code="duplicate_mobile"
            )
        return mobile

    def clean_interests(self):
        # Persian keyboards type "،" (U+060C) as the comma.
        text = self.cleaned_data["interests"].replace("،", ",")
        names = [name.strip()[:50] for name in text.split(",")]
        names = [name for name in dict.fromkeys(names) if name]
        if len(names) > 15:
            raise forms.ValidationError(_("At most 15 interests."), code="too_many")
        return names

    def save_profile(self, *, source: str = ""):
        from .services import update_profile

        data = {
            field: self.cleaned_data[field]
            for field in self.Meta.fields
            if field not in {"sms_consent", "email_consent"}
        }
        return update_profile(
            user=self.user,
            mobile=self.cleaned_data["mobile"],
            profile_data=data,
            interests=self.cleaned_data["interests"],
            sms_consent=self.cleaned_data["sms_consent"],
            email_consent=self.cleaned_data["email_consent"],
            source=source,
        )


class EraseAccountForm(forms.Form):
    """The member's choices for erasing their account (erasure.request_erasure)."""

    posts = forms.ChoiceField(
        label=_("Your posts and comments"),
        choices=ErasureRequest.Posts.choices,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I understand that once erased, my account cannot be restored."),
        required=True,
    )


class ReauthenticationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )

    def clean_code(self):
        from .mobile import PERSIAN_DIGITS

        code = self.cleaned_data["code"].translate(PERSIAN_DIGITS).strip()
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code has six digits."), code="bad_format")
        return code
