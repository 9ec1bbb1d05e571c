from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    # members
    path("", views.my_events, name="my-events"),
    path("<int:event_id>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:event_id>/cancel/", views.cancel, name="cancel"),
    # the organiser (Club manager)
    path("staff/", views.staff_event_list, name="staff-event-list"),
    path("staff/<int:event_id>/", views.attendees, name="staff-attendees"),
    path("staff/<int:event_id>/invite/", views.invite, name="staff-invite"),
    path("staff/<int:event_id>/attendees.csv", views.attendees_csv, name="attendees-csv"),
    path("staff/<int:event_id>/attendees.xlsx", views.attendees_xlsx, name="attendees-xlsx"),
]
