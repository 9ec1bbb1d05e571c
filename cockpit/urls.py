from django.urls import path

from . import views

app_name = "cockpit"
urlpatterns = [
    path("segments/", views.segment_list, name="segment-list"),
    path("segments/new/", views.segment_form, name="segment-create"),
    path("segments/count/", views.segment_count, name="segment-count"),
    path("segments/<int:pk>/", views.segment_form, name="segment-edit"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_form, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_form, name="campaign-edit"),
    path("campaigns/<int:pk>/cancel/", views.campaign_cancel, name="campaign-cancel"),
]
