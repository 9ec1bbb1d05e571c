from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ClubLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (cookie, then Accept-Language), except that a logged-in
    member who has not picked a language on this browser gets their profile's."""

    def process_request(self, request):
        super().process_request(request)
        user = getattr(request, "user", None)
        if (
            settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user is not None
            and user.is_authenticated
        ):
            from portal.accounts.models import MemberProfile

            language = (
                MemberProfile.objects.filter(user=user)
                .values_list("preferred_language", flat=True)
                .first()
            )
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
