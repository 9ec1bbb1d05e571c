"""The StreamField body of announcements: paragraphs, pictures with a caption, and a
quote. Each block renders through its template under templates/showcase/blocks/."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


class PictureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("picture"))
    alt_text = blocks.CharBlock(
        label=_("text alternative"),
        max_length=200,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), max_length=200, required=False)

    class Meta:
        icon = "image"
        label = _("Picture")
        template = "showcase/blocks/picture.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"), max_length=600)
    source = blocks.CharBlock(label=_("who said it"), max_length=120, required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "showcase/blocks/quote.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, label=_("Paragraph"))
    picture = PictureBlock()
    quote = QuoteBlock()
