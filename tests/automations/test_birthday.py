"""Birthday greetings: three days ahead, once per birthday, New Year and 29 February."""

from datetime import date

import pytest
from django.utils.translation import override

from automations import services
from automations.models import AutomationRun, RunKind
from gamification import ledger
from gamification.models import Reward, Voucher
from portal.accounts.models import User
from portal.notifications import sms
from portal.notifications.models import Notification
from portal.shell.templatetags.club_format import jdate

from .conftest import local, set_profile

pytestmark = pytest.mark.django_db


def born(make_user, birth_date, **profile):
    return set_profile(make_user(), birth_date=birth_date, **profile)


def greeted(member) -> list[str]:
    return list(
        AutomationRun.objects.filter(member=member, kind=RunKind.BIRTHDAY).values_list(
            "key", flat=True
        )
    )


def run_on(time_machine, day: date) -> int:
    time_machine.move_to(local(day.year, day.month, day.day, 9, 0), tick=False)
    return services.send_birthday_greetings()


def test_greeted_three_days_before_and_not_earlier(make_user, automation_settings, time_machine):
    member = born(make_user, date(1990, 6, 10))
    assert run_on(time_machine, date(2027, 6, 6)) == 0
    assert run_on(time_machine, date(2027, 6, 7)) == 1
    assert greeted(member) == ["birthday:2027"]
    note = Notification.objects.get(member=member, kind="automation_birthday")
    assert note.marketing is True
    assert "Happy birthday" in note.title
    assert "10 June 2027" in note.body


def test_not_twice_when_run_twice_or_on_the_following_days(
    make_user, automation_settings, time_machine
):
    member = born(make_user, date(1990, 6, 10))
    assert run_on(time_machine, date(2027, 6, 7)) == 1
    assert run_on(time_machine, date(2027, 6, 7)) == 0
    assert run_on(time_machine, date(2027, 6, 9)) == 0
    assert Notification.objects.filter(member=member).count() == 1
    # Next year: greeted again.
    assert run_on(time_machine, date(2028, 6, 7)) == 1
    assert greeted(member) == ["birthday:2028", "birthday:2027"]


def test_a_missed_day_is_caught_up_before_the_birthday(
    make_user, automation_settings, time_machine
):
    member = born(make_user, date(1990, 6, 10))
    assert run_on(time_machine, date(2027, 6, 9)) == 1
    assert greeted(member) == ["birthday:2027"]


def test_year_end_greets_a_2_january_birthday_on_30_december(
    make_user, automation_settings, time_machine
):
    january = born(make_user, date(1990, 1, 2))
    december = born(make_user, date(1991, 12, 31))
    assert run_on(time_machine, date(2026, 12, 29)) == 0 + 1  # 31 Dec is 2 days away
    assert greeted(december) == ["birthday:2026"]
    assert run_on(time_machine, date(2026, 12, 30)) == 1
    assert greeted(january) == ["birthday:2027"]
    assert run_on(time_machine, date(2027, 1, 1)) == 0
    # The 31 December member greeted for 2026 is greeted for 2027 at the end of 2027.
    assert run_on(time_machine, date(2027, 12, 28)) == 1
    assert greeted(december) == ["birthday:2027", "birthday:2026"]


def test_last_years_greeting_does_not_block_this_years_across_new_year(
    make_user, automation_settings, time_machine
):
    january = born(make_user, date(1990, 1, 2))
    assert run_on(time_machine, date(2026, 12, 30)) == 1
    assert run_on(time_machine, date(2027, 12, 30)) == 1
    assert greeted(january) == ["birthday:2028", "birthday:2027"]


def test_29_february_in_a_common_year_is_celebrated_on_28_february(
    make_user, automation_settings, time_machine
):
    leapling = born(make_user, date(2000, 2, 29))
    feb_28 = born(make_user, date(2001, 2, 28))
    assert run_on(time_machine, date(2027, 2, 24)) == 0
    assert run_on(time_machine, date(2027, 2, 25)) == 2
    assert greeted(leapling) == ["birthday:2027"]
    assert greeted(feb_28) == ["birthday:2027"]
    assert "28 February 2027" in Notification.objects.get(member=leapling).body
    assert run_on(time_machine, date(2027, 2, 26)) == 0


def test_29_february_in_a_leap_year_is_celebrated_on_the_29th(
    make_user, automation_settings, time_machine
):
    leapling = born(make_user, date(2000, 2, 29))
    feb_28 = born(make_user, date(2001, 2, 28))
    assert run_on(time_machine, date(2028, 2, 25)) == 1  # the 28th is three days away
    assert greeted(feb_28) == ["birthday:2028"]
    assert greeted(leapling) == []
    assert run_on(time_machine, date(2028, 2, 26)) == 1
    assert greeted(leapling) == ["birthday:2028"]
    assert "29 February 2028" in Notification.objects.get(member=leapling).body


def test_birthday_days_maps_the_window():
    days = services.birthday_days(today=date(2026, 12, 30), days_before=3)
    assert days == {
        (12, 30): date(2026, 12, 30),
        (12, 31): date(2026, 12, 31),
        (1, 1): date(2027, 1, 1),
        (1, 2): date(2027, 1, 2),
    }
    assert services.birthday_days(today=date(2027, 2, 28), days_before=0) == {
        (2, 28): date(2027, 2, 28),
        (2, 29): date(2027, 2, 28),
    }


def test_points_gift(make_user, automation_settings, time_machine):
    automation_settings.birthday_gift_kind = "points"
    automation_settings.birthday_gift_amount = 250
    automation_settings.save()
    member = born(make_user, date(1990, 6, 10))
    run_on(time_machine, date(2027, 6, 7))
    run_on(time_machine, date(2027, 6, 7))
    assert ledger.balances(member).points == 250
    assert "250 points" in Notification.objects.get(member=member).body
    assert ledger.audit() == []


def test_voucher_gift_valid_for_the_set_days(make_user, automation_settings, time_machine):
    reward = Reward.objects.create(name="Cake", points_cost=300, voucher_days=90)
    automation_settings.birthday_gift_kind = "voucher"
    automation_settings.birthday_gift_reward = reward
    automation_settings.birthday_gift_valid_days = 14
    automation_settings.save()
    member = born(make_user, date(1990, 6, 10))
    run_on(time_machine, date(2027, 6, 7))
    run_on(time_machine, date(2027, 6, 7))
    (voucher,) = Voucher.objects.filter(member=member)
    assert voucher.reward == reward
    assert voucher.expires_at == local(2027, 6, 21, 9, 0)
    assert voucher.code in Notification.objects.get(member=member).body
    assert ledger.balances(member).points == 0
    assert ledger.audit() == []


def test_greeting_in_the_members_language(make_user, automation_settings, time_machine):
    member = born(make_user, date(1990, 6, 10), preferred_language="fa")
    run_on(time_machine, date(2027, 6, 7))
    note = Notification.objects.get(member=member)
    with override("fa"):
        persian_date = jdate(date(2027, 6, 10))
    assert persian_date in note.body
    assert "June" not in note.body


def test_consent_is_honoured(
    make_user, automation_settings, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    consenting = born(make_user, date(1990, 6, 10), email_consent=True, sms_consent=True)
    silent = born(make_user, date(1990, 6, 10))
    for n, member in enumerate((consenting, silent)):
        User.objects.filter(pk=member.pk).update(mobile=f"+98912123456{n}", mobile_verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        run_on(time_machine, date(2027, 6, 7))
    assert Notification.objects.filter(kind="automation_birthday").count() == 2
    assert [message.to for message in mailoutbox] == [[consenting.email]]
    assert [text["to"] for text in sms.outbox] == ["+989121234560"]


def test_switched_off_and_inactive_members(make_user, automation_settings, time_machine):
    gone = born(make_user, date(1990, 6, 10))
    gone.is_active = False
    gone.save()
    assert run_on(time_machine, date(2027, 6, 7)) == 0
    born(make_user, date(1990, 6, 10))
    automation_settings.birthday_enabled = False
    automation_settings.save()
    assert run_on(time_machine, date(2027, 6, 7)) == 0


def test_candidates_are_one_query(make_user, automation_settings, django_assert_num_queries):
    for _ in range(3):
        born(make_user, date(1990, 6, 10))
    with django_assert_num_queries(1):
        rows = list(services.birthday_candidates(today=date(2027, 6, 7), days_before=3))
    assert len(rows) == 3
