from django.urls import path

from .views import leaderboards, panel, rewards, staff

app_name = "gamification"
urlpatterns = [
    # member pages
    path("history/", panel.history, name="history"),
    path("convert/", panel.convert, name="convert"),
    path("leaderboard/", leaderboards.leaderboard, name="leaderboard"),
    path("rewards/", rewards.catalogue, name="rewards"),
    path("rewards/<int:reward_id>/redeem/", rewards.redeem, name="reward-redeem"),
    # staff pages
    path("staff/vouchers/", staff.voucher_check, name="voucher-check"),
    path("staff/adjust/", staff.adjust, name="adjust"),
]
