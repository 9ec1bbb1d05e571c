"""The shape of the errors services raise for a refused action: a stable `code` for
programs and tests, a `message` for people (translated, with a default per class)."""

from django.utils.translation import gettext_lazy as _


class CodedError(Exception):
    code = "refused"
    default_message = _("This cannot be done right now.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(self.code)

    def __str__(self) -> str:
        return str(self.message)
