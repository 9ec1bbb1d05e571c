"""Every page of the tickets app, under /tickets/: the customer's pages (views/customer.py),
the staff desk (views/desk.py) and its reports (views/reports.py)."""

from .views import customer, desk, reports

app_name = "tickets"
urlpatterns = [*customer.urlpatterns, *desk.urlpatterns, *reports.urlpatterns]
