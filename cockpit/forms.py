from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Campaign, Channel, GiftKind, Segment
from .segments import M2M_FILTERS, Filters

FILTER_FIELDS = [
    "tiers",
    "home_branches",
    "last_purchase_min_days",
    "last_purchase_max_days",
    "period_days",
    "period_from",
    "period_to",
    "visits_min",
    "visits_max",
    "spend_min",
    "spend_max",
    "birthday_month",
    "points_min",
    "points_max",
    "credit_min",
    "credit_max",
    "joined_from",
    "joined_to",
    "interest_groups",
    "interest_tags",
    "consent",
]
DATE_FIELDS = ["period_from", "period_to", "joined_from", "joined_to"]
# The form's sections, for the template: (legend, fields).
SECTIONS = [
    (_("Who"), ["tiers", "home_branches", "birthday_month", "joined_from", "joined_to"]),
    (
        _("Purchases"),
        [
            "last_purchase_min_days",
            "last_purchase_max_days",
            "period_days",
            "period_from",
            "period_to",
            "visits_min",
            "visits_max",
            "spend_min",
            "spend_max",
        ],
    ),
    (_("Balances"), ["points_min", "points_max", "credit_min", "credit_max"]),
    (_("Interests and consent"), ["interest_groups", "interest_tags", "consent"]),
]


class SegmentFiltersForm(forms.ModelForm):
    """Only the filters: what the live count endpoint validates."""

    class Meta:
        model = Segment
        fields = FILTER_FIELDS
        widgets = {
            "tiers": forms.CheckboxSelectMultiple,
            "home_branches": forms.CheckboxSelectMultiple,
            "interest_groups": forms.CheckboxSelectMultiple,
            **{name: forms.DateInput(attrs={"type": "date"}) for name in DATE_FIELDS},
        }

    def filters(self) -> Filters:
        """The cleaned filters (call after is_valid())."""
        data = {name: self.cleaned_data.get(name) for name in FILTER_FIELDS}
        for name in M2M_FILTERS:
            data[name] = [item.pk for item in data[name] or ()]
        return Filters.from_dict(data)

    def sections(self):
        return [(legend, [self[name] for name in names]) for legend, names in SECTIONS]


class SegmentForm(SegmentFiltersForm):
    class Meta(SegmentFiltersForm.Meta):
        fields = ["name", "description", *FILTER_FIELDS]
        widgets = {**SegmentFiltersForm.Meta.widgets, "description": forms.Textarea({"rows": 2})}


class CampaignForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "E-mail and SMS reach only members who agreed to offers by that channel; "
            "the in-portal notification reaches everyone."
        ),
    )
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("Empty: send as soon as it is scheduled."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "segment",
            "channels",
            "title",
            "body",
            "gift_kind",
            "gift_amount",
            "gift_reward",
            "voucher_days",
        ]
        widgets = {"body": forms.Textarea({"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.order_by("name")
        if self.instance.pk and self.instance.scheduled_at:
            self.initial.setdefault(
                "send_at", timezone.localtime(self.instance.scheduled_at).replace(tzinfo=None)
            )

    def clean_send_at(self):
        send_at = self.cleaned_data.get("send_at")
        if send_at and send_at < timezone.now() - timedelta(minutes=1):
            raise ValidationError(_("This time has already passed."), code="past")
        return send_at

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("gift_kind") or GiftKind.NONE
        if kind in (GiftKind.POINTS, GiftKind.CREDIT) and not cleaned.get("gift_amount"):
            self.add_error("gift_amount", ValidationError(_("How much to give?"), code="required"))
        if kind == GiftKind.VOUCHER and not cleaned.get("gift_reward"):
            self.add_error("gift_reward", ValidationError(_("Choose the reward."), code="required"))
        if kind != GiftKind.VOUCHER:
            cleaned["gift_reward"] = None
            cleaned["voucher_days"] = None
        if kind not in (GiftKind.POINTS, GiftKind.CREDIT):
            cleaned["gift_amount"] = None
        return cleaned
