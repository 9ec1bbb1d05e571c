from django.urls import path  # noqa: F401

app_name = "cardgateway"
urlpatterns: list = [
    # --- cashier screen (views/cashier.py) ---
    # --- club manager: terminals, limit hits (views/manage.py) ---
    # --- member: digital card (views/member.py) ---
]
