"""The scheduled jobs exist under the names CELERY_BEAT_SCHEDULE gives them."""

import pytest
from celery import current_app
from django.conf import settings

import portal.celery  # noqa: F401  (the app that registers the tasks)


@pytest.mark.parametrize(
    "name",
    [
        "automations.tasks.send_birthday_greetings",
        "automations.tasks.send_winback_offers",
        "automations.tasks.welcome_new_members",
        "automations.tasks.expire_points",
    ],
)
def test_each_job_is_scheduled_and_registered(name):
    import automations.tasks  # noqa: F401

    assert name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert name in current_app.tasks


@pytest.mark.django_db
def test_expire_points_task_reports(make_user):
    from automations.tasks import expire_points

    assert expire_points() == {"expired_members": 0, "expired_points": 0, "reminded": 0}
