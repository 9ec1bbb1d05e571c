"""Forms of the library's member screens. They parse input; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ArticleCategory, Network
from .services import BODY_LENGTH


class ArticleSubmitForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 400}),
        help_text=_("One or two sentences shown in the article list."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ArticleCategory.objects.all(), empty_label=None
    )
    body = forms.CharField(
        label=_("Article"),
        max_length=BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "maxlength": BODY_LENGTH}),
        help_text=_(
            "Separate paragraphs with an empty line. Markdown works: **bold**, *italic*, links."
        ),
    )
    cover = forms.FileField(
        label=_("Cover picture (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 4 MB."),
    )


class ShareForm(forms.Form):
    network = forms.ChoiceField(choices=Network.choices)
