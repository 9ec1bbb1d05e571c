from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("health/", include("portal.shell.health_urls")),
    path("gateway/v1/", include("cardgateway.api_urls")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("club/", include("portal.accounts.urls")),
    path("club/", include("gamification.urls")),
    path("till/", include("cardgateway.urls")),
    path("tickets/", include("tickets.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("staff/audit/", include("portal.audit.urls")),
    path("staff/fraud/", include("portal.fraud.urls")),
    path("community/forums/", include("community.forums.urls")),
    path("community/surveys/", include("community.surveys.urls")),
    path("club/events/", include("events.urls")),
    path("community/contests/", include("community.contests.urls")),
    path("community/", include("community.urls")),
    path("content/", include("content.urls")),
    path("", include("portal.shell.urls")),
    path("kb/", include("kb.urls")),
    path("", include("portal.pages.urls")),  # search/, sitemap.xml, robots.txt
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Anything not matched above is a Wagtail page; this must stay last.
urlpatterns += [path("", include(wagtail_urls))]
