"""The automations' scheduled jobs (CELERY_BEAT_SCHEDULE in portal/settings/base.py); each
is idempotent and also a management command."""

from celery import shared_task
from django.contrib.auth import get_user_model

from gamification.models import Tier

from . import services


@shared_task
def send_birthday_greetings() -> int:
    return services.send_birthday_greetings()


@shared_task
def send_winback_offers() -> int:
    return services.send_winback_offers()


@shared_task
def welcome_new_members() -> int:
    return services.welcome_new_members()


@shared_task
def welcome_member(member_id: int) -> bool:
    member = get_user_model().objects.select_related("profile").filter(pk=member_id).first()
    return bool(member) and services.welcome(member=member)


@shared_task
def congratulate_tier_task(member_id: int, tier_id: int) -> bool:
    member = get_user_model().objects.select_related("profile").filter(pk=member_id).first()
    tier = Tier.objects.filter(pk=tier_id).first()
    return bool(member and tier) and services.congratulate_tier(member=member, tier=tier)


@shared_task
def expire_points() -> dict:
    report = services.run_points_expiry()
    return {
        "expired_members": report.expired_members,
        "expired_points": report.expired_points,
        "reminded": report.reminded,
    }
