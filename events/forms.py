from django import forms
from django.utils.translation import gettext_lazy as _

from cockpit.models import Segment
from community.models import InterestGroup
from gamification.models import Tier

from .models import Audience


class InviteForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Who to invite"), choices=Audience.choices, widget=forms.RadioSelect
    )
    tier = forms.ModelChoiceField(
        label=_("Tier"),
        queryset=Tier.objects.order_by("threshold"),
        required=False,
        help_text=_("Only for “Members of one tier”."),
    )
    group = forms.ModelChoiceField(
        label=_("Interest group"),
        queryset=InterestGroup.objects.filter(is_active=True),
        required=False,
        help_text=_("Only for “Members of one interest group”."),
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.order_by("name"),
        required=False,
        help_text=_("Only for “A saved segment of members” (made in the Cockpit)."),
    )

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == Audience.TIER and not cleaned.get("tier"):
            self.add_error("tier", _("Choose the tier to invite."))
        if audience == Audience.GROUP and not cleaned.get("group"):
            self.add_error("group", _("Choose the interest group to invite."))
        if audience == Audience.SEGMENT and not cleaned.get("segment"):
            self.add_error("segment", _("Choose the segment to invite."))
        return cleaned
