from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from . import views

app_name = "pages"
urlpatterns = [
    path("search/", views.site_search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
