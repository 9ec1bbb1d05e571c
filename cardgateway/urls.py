from django.urls import path

from .views import cashier, manage, member

app_name = "cardgateway"
urlpatterns: list = [
    # --- cashier screen (views/cashier.py) ---
    path("", cashier.home, name="cashier-home"),
    path("register/", cashier.register, name="cashier-register"),
    path("members/<int:member_id>/", cashier.member, name="cashier-member"),
    path("members/<int:member_id>/purchase/", cashier.purchase, name="cashier-purchase"),
    path("members/<int:member_id>/issue-card/", cashier.issue, name="cashier-issue"),
    path("members/<int:member_id>/replace-card/", cashier.replace, name="cashier-replace"),
    path("cards/<int:card_id>/", cashier.card, name="cashier-card"),
    path("reverse/", cashier.reverse_purchase, name="cashier-reverse"),
    path("return/", cashier.return_purchase, name="cashier-return"),
    path("receipts/<str:receipt>/", cashier.receipt, name="cashier-receipt"),
    # --- club manager: terminals, limit hits (views/manage.py) ---
    path("manage/terminals/", manage.terminal_list, name="terminal-list"),
    path("manage/terminals/new/", manage.terminal_create, name="terminal-create"),
    path("manage/terminals/<int:pk>/", manage.terminal_detail, name="terminal-detail"),
    path("manage/terminals/<int:pk>/rotate/", manage.terminal_rotate, name="terminal-rotate"),
    path("manage/terminals/<int:pk>/enabled/", manage.terminal_enabled, name="terminal-enabled"),
    path("manage/limit-hits/", manage.limit_hit_list, name="limit-hit-list"),
    path("manage/cards/", manage.card_search, name="card-search"),
    path("manage/cards/<int:pk>/", manage.card_detail, name="card-detail"),
    # --- member: digital card (views/member.py) ---
    path("my-card/", member.my_card, name="my-card"),
    path("my-card/print/", member.my_card_print, name="my-card-print"),
    path("my-card/report-lost/", member.my_card_report_lost, name="my-card-report-lost"),
    path("my-card/<int:card_id>/barcode.svg", member.my_card_barcode, name="my-card-barcode"),
    path("my-card/<int:card_id>/qr.svg", member.my_card_qr, name="my-card-qr"),
]
