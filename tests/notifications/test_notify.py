import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.models import User
from portal.notifications import sms
from portal.notifications.models import Notification
from portal.notifications.services import mark_read, notify, unread_count
from portal.notifications.tasks import deliver_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """notify(), then run what waits for the commit (push, delivery) as a commit would."""

    def call(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(**kwargs)

    return call


def verified_mobile(user, mobile="+989121234567"):
    User.objects.filter(pk=user.pk).update(mobile=mobile, mobile_verified=True)
    user.refresh_from_db()
    return user


def test_notify_stores_the_notification(member, send):
    notification = send(member=member, kind="points", title="You earned 20 points")
    assert Notification.objects.get() == notification
    assert unread_count(member=member) == 1


def test_service_messages_go_out_by_email_and_sms_without_marketing_consent(member, send):
    verified_mobile(member)
    send(member=member, kind="ticket", title="Your ticket was answered", channels=("email", "sms"))
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert sms.outbox == [{"to": "+989121234567", "text": "Your ticket was answered"}]


def test_marketing_needs_the_consent_of_each_channel(member, send):
    verified_mobile(member)
    send(member=member, kind="campaign", title="Offer", channels=("email", "sms"), marketing=True)
    assert mail.outbox == [] and sms.outbox == []
    profile = member.profile
    profile.sms_consent, profile.sms_consent_at = True, profile.user.date_joined
    profile.save()
    send(member=member, kind="campaign", title="Offer 2", channels=("email", "sms"), marketing=True)
    assert mail.outbox == []
    assert [m["text"].split(" Stop offers: ")[0] for m in sms.outbox] == ["Offer 2"]


def test_sms_never_goes_to_an_unverified_mobile(member, send):
    User.objects.filter(pk=member.pk).update(mobile="+989121234567", mobile_verified=False)
    send(member=member, kind="ticket", title="Answered", channels=("sms",))
    assert sms.outbox == []


def test_delivery_is_idempotent_when_the_task_runs_twice(member, send):
    verified_mobile(member)
    notification = send(member=member, kind="ticket", title="Hi", channels=("email", "sms"))
    assert deliver_notification(notification.pk, ["email", "sms"]) == []
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at and notification.texted_at


def test_unknown_channel_is_refused_and_nothing_is_stored(member, send):
    with pytest.raises(ValueError):
        send(member=member, kind="x", title="x", channels=("pigeon",))
    assert not Notification.objects.exists()


def test_mark_read_touches_only_the_members_own(member, make_user, send):
    other = make_user(email="other@example.com")
    mine = send(member=member, kind="k", title="mine")
    theirs = send(member=other, kind="k", title="theirs")
    assert mark_read(member=member, notification_ids=[mine.pk, theirs.pk]) == 1
    assert unread_count(member=member) == 0 and unread_count(member=other) == 1


def test_notification_page_lists_own_and_marks_read(member_client, member, make_user, send):
    send(member=member, kind="k", title="For me")
    send(member=make_user(email="o@example.com"), kind="k", title="Not for me")
    body = member_client.get(reverse("notifications:list")).content.decode()
    assert "For me" in body and "Not for me" not in body
    response = member_client.post(reverse("notifications:mark-read"))
    assert response.status_code == 302
    assert unread_count(member=member) == 0


def test_notification_pages_need_login(client):
    assert "/accounts/login/" in client.get(reverse("notifications:list"))["Location"]
    response = client.post(reverse("notifications:mark-read"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_mark_read_needs_post_and_csrf(member, send):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member)
    send(member=member, kind="k", title="x")
    assert csrf_client.get(reverse("notifications:mark-read")).status_code == 405
    assert csrf_client.post(reverse("notifications:mark-read")).status_code == 403
    assert unread_count(member=member) == 1


@pytest.mark.parametrize("count", [1, 50])
def test_notification_list_query_count_does_not_grow(
    member_client, member, count, django_assert_num_queries
):
    Notification.objects.bulk_create(
        Notification(member=member, kind="k", title=f"n{i}") for i in range(count)
    )
    member_client.get(reverse("notifications:list"))  # warm the session and caches
    with django_assert_num_queries(NOTIFICATION_LIST_QUERIES):
        member_client.get(reverse("notifications:list"))


# session, user, language, unread badge, staff permissions (2), header tier and balances (2),
# page count, page rows, and allauth's session-authentication check: the same for 1 and for
# 50 notifications.
NOTIFICATION_LIST_QUERIES = 11
