"""Erase my account (issue 9): the member's request with re-authentication and a
cooling-off they can cancel, the job that erases, and the proof that no personal field is
left anywhere while the books still balance."""

import io
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cardgateway import services as gateway
from cardgateway.models import Branch, Card, CardEvent, CardStatus, CashierStation, Transaction
from gamification import ledger
from gamification.models import LedgerEntry, Referral
from portal.accounts import erasure, roles
from portal.accounts.models import (
    ConsentChange,
    ErasureRequest,
    MemberProfile,
    PrivacySettings,
    User,
)
from portal.accounts.services import attach_referral, update_profile
from portal.audit.models import Action, AuditEntry
from portal.notifications import sms
from portal.notifications.models import Notification
from portal.notifications.services import notify
from tests.conftest import PASSWORD
from tickets import services as desk
from tickets.models import (
    CannedReply,
    Category,
    SatisfactionRating,
    Ticket,
    TicketAttachment,
    TicketMessage,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zebulon", "Quixotesworth"
EMAIL = "zebulon.quixotesworth@example.org"
MOBILE = "+989127654321"  # stored as E.164; typed as 0912 765 4321
ADDRESS = "17 Vrillfax Lane, Flat 3"
CITY = "Zorbington"


def later(days: int):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="central", name="Central", city="Tehran")


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="boss@example.com")


@pytest.fixture
def agent(make_user):
    return make_user(roles.SUPPORT_AGENT, email="agent@example.com")


@pytest.fixture
def cashier(make_user, branch):
    user = make_user(roles.CASHIER, email="cashier@example.com")
    CashierStation.objects.create(cashier=user, branch=branch)
    return user


@pytest.fixture
def category(db):
    return Category.objects.get_or_create(slug="product", defaults={"name": "Product"})[0]


@pytest.fixture
def zeb(make_user):
    """The member who will be erased, with a name no other row has."""
    user = make_user(email=EMAIL, first_name=FIRST, last_name=LAST)
    User.objects.filter(pk=user.pk).update(mobile=MOBILE, mobile_verified=True)
    user.refresh_from_db()
    return user


def reauthenticate(client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def ask(member, posts=ErasureRequest.Posts.KEEP) -> ErasureRequest:
    return erasure.request_erasure(member=member, posts=posts)


def picture() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 40)).save(out, format="PNG")
    return SimpleUploadedFile(f"{FIRST}-receipt.png", out.getvalue(), content_type="image/png")


# --- The search: no personal field anywhere -------------------------------------------------


def _text_columns():
    """Every text-holding column of every concrete model of every installed app."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def _rows_containing(needle: str) -> list[str]:
    found = []
    for model, field in _text_columns():
        rows = model._base_manager.all()
        if isinstance(field, models.JSONField):
            rows = rows.annotate(_as_text=Cast(field.name, models.TextField()))
            lookup = "_as_text__icontains"
        else:
            lookup = f"{field.name}__icontains"
        for pk in rows.filter(**{lookup: needle}).values_list("pk", flat=True)[:3]:
            found.append(f"{model._meta.label}.{field.name} #{pk}")
    return found


def _life(zeb, *, branch, manager, agent, cashier, category, client):
    """Everything the club can come to hold about a member, built through the services
    and the staff screens."""
    # Profile, interests (one only this member uses), consents and their history.
    update_profile(
        user=zeb,
        mobile=MOBILE,
        profile_data={
            "first_name": FIRST,
            "last_name": LAST,
            "birth_date": timezone.localdate().replace(year=1990),
            "address": ADDRESS,
            "city": CITY,
            "home_branch": branch,
        },
        interests=["chess", f"{LAST} family history"],
        sms_consent=True,
        email_consent=True,
        source="/club/profile/",
    )
    User.objects.filter(pk=zeb.pk).update(mobile_verified=True)
    EmailAddress.objects.create(user=zeb, email=EMAIL, verified=True, primary=True)
    # Referrals both ways.
    referrer = User.objects.create_user("friend@example.com", PASSWORD)
    attach_referral(user=zeb, code=referrer.profile.referral_code)
    referee = User.objects.create_user("referee@example.com", PASSWORD)
    attach_referral(user=referee, code=zeb.profile.referral_code)
    # Cards: a lost one (a staff reason naming them) and the active replacement; purchases.
    first_card = gateway.issue_card(member=zeb, branch=branch)
    card = gateway.replace_card(card=first_card, branch=branch)
    gateway.set_card_status(
        card=first_card,
        status=CardStatus.EXPIRED,
        actor=manager,
        reason=f"{FIRST} {LAST} phoned from {MOBILE}",
    )
    gateway.post_purchase(
        txn_id="T-1", card_number=card.number, amount=2_000_000, branch=branch, cashier=cashier
    )
    gateway.post_purchase(
        txn_id="T-2", card_number=card.number, amount=500_000, branch=branch, cashier=cashier
    )
    gateway.reverse_purchase(txn_id="T-3", original_txn_id="T-2", branch=branch, cashier=cashier)
    # A ticket with replies both ways (a canned reply fills in their name), a note, a file
    # and a rated resolution; and a guest ticket they filed before joining.
    ticket = desk.open_ticket(
        kind="complaint",
        category=category,
        member=zeb,
        subject=f"{FIRST}'s broken kettle",
        description=f"I am {FIRST} {LAST}, call me on 0912 765 4321 or {EMAIL}.",
    )
    canned = CannedReply.objects.create(title="Hi", body="Dear {customer_name}, we are on it.")
    desk.add_reply(ticket=ticket, author=agent, body=canned.render(ticket))
    desk.add_reply(ticket=ticket, author=agent, body=f"Called {LAST} on 09127654321", internal=True)
    desk.add_reply(ticket=ticket, author=zeb, body=f"Thanks, {FIRST} here again.")
    desk.attach(ticket=ticket, uploaded_by=zeb, upload=picture())
    desk.change_status(ticket=ticket, to="resolved", actor=agent)
    desk.rate(ticket=ticket, score=4, comment=f"Good. -- {FIRST} {LAST}")
    guest_ticket = desk.open_ticket(
        kind="suggestion",
        category=category,
        guest_name=f"{FIRST} {LAST}",
        guest_email=EMAIL,
        subject="Longer hours",
        description="Please open earlier.",
    )
    # Notifications, read and unread.
    notify(member=zeb, kind="info", title=f"Happy birthday, {FIRST}!")
    # Staff look at them (audit entries) and the manager exports the trail by their e-mail.
    client.force_login(manager)
    assert client.get(reverse("cardgateway:card-detail", args=[card.pk])).status_code == 200
    assert client.get(reverse("audit:export"), {"member": EMAIL}).status_code == 200
    client.force_login(cashier)
    assert client.get(reverse("cardgateway:cashier-member", args=[zeb.pk])).status_code == 200
    # The Django admin's log names the user it edited.
    LogEntry.objects.create(
        user=manager,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(zeb.pk),
        object_repr=str(zeb),
        action_flag=CHANGE,
        change_message="[]",
    )
    # Their own logged-in session.
    client.force_login(zeb)
    client.get(reverse("accounts:panel"))
    return {"card": card, "ticket": ticket, "guest_ticket": guest_ticket, "referee": referee}


NEEDLES = [
    EMAIL,
    EMAIL.split("@")[0],
    FIRST,
    LAST,
    f"{FIRST} {LAST}",
    MOBILE.removeprefix("+98"),  # inside +98..., 0... and the placeholder e-mail forms
    "912 765 4321",
    "Vrillfax",
    CITY,
]


def test_erasure_leaves_no_personal_field_behind_and_the_books_balance(
    client, zeb, branch, manager, agent, cashier, category, django_capture_on_commit_callbacks
):
    life = _life(
        zeb,
        branch=branch,
        manager=manager,
        agent=agent,
        cashier=cashier,
        category=category,
        client=client,
    )
    for needle in NEEDLES:
        assert _rows_containing(needle), f"the test planted no {needle!r}"
    purchases = list(Transaction.objects.filter(member=zeb).values_list("pk", "amount"))
    entries = LedgerEntry.objects.filter(account__member=zeb).count()
    balances = ledger.balances(zeb)
    attachment = TicketAttachment.objects.get(ticket=life["ticket"])
    storage, file_name = attachment.file.storage, attachment.file.name
    assert storage.exists(file_name)

    ask(zeb)
    with django_capture_on_commit_callbacks(execute=True):
        result = erasure.erase_due_accounts(now=later(15))
    assert result == {"erased": 1, "skipped": 0, "failed": 0}

    leftovers = {needle: _rows_containing(needle) for needle in NEEDLES}
    assert not any(leftovers.values()), leftovers
    # The books: every purchase and entry is still there, the balances unchanged, and
    # `audit_ledger` finds no difference.
    assert list(Transaction.objects.filter(member=zeb).values_list("pk", "amount")) == purchases
    assert LedgerEntry.objects.filter(account__member=zeb).count() == entries
    assert ledger.balances(zeb) == balances
    assert ledger.audit() == []
    call_command("audit_ledger", stdout=io.StringIO())
    # What the erasure did, as the club sees it.
    zeb.refresh_from_db()
    assert zeb.email == f"erased-{zeb.pk}@erased.invalid" and zeb.mobile is None
    assert not zeb.is_active and not zeb.has_usable_password() and zeb.erased_at
    assert zeb.display_name == "Former member" == zeb.get_full_name()
    assert Ticket.objects.get(pk=life["ticket"].pk).customer_name == "Former member"
    assert Card.objects.get(pk=life["card"].pk).status == CardStatus.BLOCKED
    assert Card.objects.filter(member=zeb).count() == 2  # numbers kept
    assert not Card.objects.filter(member=zeb, status=CardStatus.ACTIVE).exists()
    assert Referral.objects.filter(referee=zeb).exists()
    assert Referral.objects.filter(referrer=zeb, referee=life["referee"]).exists()
    assert not ConsentChange.objects.filter(member=zeb).exists()
    assert not Notification.objects.filter(member=zeb).exists()
    assert not EmailAddress.objects.filter(user=zeb).exists()
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(zeb.pk)
    ]
    profile = MemberProfile.objects.get(user=zeb)
    assert not profile.interests.exists() and not profile.sms_consent
    assert profile.birth_date is None and profile.home_branch is None
    messages = list(TicketMessage.objects.filter(ticket=life["ticket"]).order_by("pk"))
    assert messages[0].body == "Dear [removed], we are on it."
    assert messages[1].body == "Called [removed] on [removed]"
    assert messages[2].body == "Removed at the member's request."
    assert not TicketAttachment.objects.filter(ticket=life["ticket"]).exists()
    assert not storage.exists(file_name)
    assert SatisfactionRating.objects.get(ticket=life["ticket"]).score == 4
    assert Ticket.objects.get(pk=life["guest_ticket"].pk).member == zeb
    erased = AuditEntry.objects.get(action=Action.ACCOUNT_ERASED)
    assert erased.actor is None and erased.target_user == zeb
    export = AuditEntry.objects.get(action=Action.REPORT_EXPORTED)
    assert export.detail["filters"]["member"] == "ze********"


def test_a_till_member_with_a_placeholder_address_is_erased_too(branch):
    card = gateway.register_member_with_card(
        first_name=FIRST, last_name=LAST, mobile=MOBILE, branch=branch, address=ADDRESS
    )
    member = card.member
    assert MOBILE.removeprefix("+98") in member.email  # the placeholder carries the number
    gateway.post_purchase(txn_id="T-1", card_number=card.number, amount=1_000_000, branch=branch)
    ask(member, posts=ErasureRequest.Posts.REMOVE)
    erasure.erase_due_accounts(now=later(15))
    for needle in NEEDLES:
        assert not _rows_containing(needle), needle
    assert ledger.audit() == []


# --- The member's page -------------------------------------------------------------------


def test_the_page_says_what_goes_what_stays_and_asks_about_posts(client, zeb):
    client.force_login(zeb)
    response = client.get(reverse("accounts:erase"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "What is removed" in body and "What stays, and why" in body
    assert "books must balance" in body
    assert 'name="posts"' in body and "Remove my posts" in body
    assert "14 days after you confirm" in body


def test_the_panel_links_to_it(client, zeb):
    client.force_login(zeb)
    assert reverse("accounts:erase") in client.get(reverse("accounts:panel")).content.decode()


def test_anonymous_visitors_go_to_log_in(client):
    for name in ("accounts:erase", "accounts:erase-code", "accounts:erase-cancel"):
        response = client.post(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_request_without_reauthentication_is_refused(client, zeb):
    client.force_login(zeb)
    response = client.post(reverse("accounts:erase"), {"posts": "keep", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ErasureRequest.objects.exists()


def test_a_wrong_password_files_nothing(client, zeb):
    client.force_login(zeb)
    client.post(reverse("accounts:erase"), {"posts": "keep", "confirm": "on"})
    response = client.post(
        f"{reverse('account_reauthenticate')}?next={reverse('accounts:erase')}",
        {"password": "not-my-password"},
    )
    assert response.status_code == 200
    assert not ErasureRequest.objects.exists()


def test_the_password_replays_the_request_and_the_member_is_told(
    client, zeb, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(zeb)
    client.post(reverse("accounts:erase"), {"posts": "remove", "confirm": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{reverse('account_reauthenticate')}?next={reverse('accounts:erase')}",
            {"password": PASSWORD},
        )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:panel")
    pending = ErasureRequest.objects.get(member=zeb)
    assert pending.posts == "remove" and pending.is_pending
    assert pending.effective_at - pending.requested_at == timedelta(days=14)
    notification = Notification.objects.get(member=zeb, kind="account_erasure")
    assert "will be erased on" in notification.title
    assert sms.outbox and sms.outbox[-1]["to"] == MOBILE
    assert mailoutbox and mailoutbox[-1].to == [EMAIL]


def test_bad_input_is_refused_with_errors_and_files_nothing(client, zeb):
    client.force_login(zeb)
    reauthenticate(client)
    response = client.post(reverse("accounts:erase"), {"posts": "shred", "confirm": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"posts", "confirm"}
    assert not ErasureRequest.objects.exists()


def test_after_reauthentication_the_form_files_at_once(client, zeb):
    client.force_login(zeb)
    reauthenticate(client)
    response = client.post(reverse("accounts:erase"), {"posts": "keep", "confirm": "on"})
    assert response.status_code == 302
    assert ErasureRequest.objects.get(member=zeb).posts == "keep"


@pytest.fixture
def till_member(branch, client):
    """A member registered at the till: no password, logs in by SMS code."""
    member = gateway.register_member_with_card(
        first_name=FIRST, last_name=LAST, mobile=MOBILE, branch=branch
    ).member
    User.objects.filter(pk=member.pk).update(mobile_verified=True)
    member.refresh_from_db()
    assert not member.has_usable_password()
    client.force_login(member)
    return member


def _sent_code() -> str:
    return re.search(r"(\d{6})", sms.outbox[-1]["text"]).group(1)


def test_a_member_without_password_confirms_with_an_sms_code(client, till_member):
    response = client.post(reverse("accounts:erase"), {"posts": "keep", "confirm": "on"})
    assert response["Location"] == reverse("accounts:erase-code")
    assert not ErasureRequest.objects.exists()
    assert client.get(reverse("accounts:erase-code")).status_code == 200
    client.post(reverse("accounts:erase-code"), {"send": "1"})
    assert sms.outbox[-1]["to"] == MOBILE
    code = _sent_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("accounts:erase-code"), {"code": wrong})
    assert response.status_code == 400 and not ErasureRequest.objects.exists()
    response = client.post(reverse("accounts:erase-code"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:panel")
    assert ErasureRequest.objects.get(member=till_member).posts == "keep"


def test_a_code_is_used_up_after_three_wrong_tries(client, till_member):
    client.post(reverse("accounts:erase"), {"posts": "keep", "confirm": "on"})
    client.post(reverse("accounts:erase-code"), {"send": "1"})
    code = _sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _try in range(3):
        client.post(reverse("accounts:erase-code"), {"code": wrong})
    response = client.post(reverse("accounts:erase-code"), {"code": code})
    assert response.status_code == 400
    assert not ErasureRequest.objects.exists()


def test_the_code_page_needs_the_form_first(client, till_member):
    response = client.post(reverse("accounts:erase-code"), {"send": "1"})
    assert response["Location"] == reverse("accounts:erase")
    assert not sms.outbox


@pytest.mark.parametrize(
    "role", [roles.MODERATOR, roles.SUPPORT_AGENT, roles.CASHIER, roles.CLUB_MANAGER, "is_staff"]
)
def test_staff_cannot_erase_themselves(client, make_user, role):
    user = make_user(None if role == "is_staff" else role, email="staffer@example.com")
    if role == "is_staff":
        User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    assert "Ask the club manager" in client.get(reverse("accounts:erase")).content.decode()
    reauthenticate(client)
    response = client.post(reverse("accounts:erase"), {"posts": "keep", "confirm": "on"})
    assert response.status_code == 403
    assert "remove your role first" in response.content.decode()
    assert not ErasureRequest.objects.exists()
    with pytest.raises(erasure.StaffCannotErase):
        ask(User.objects.get(pk=user.pk))


def test_a_second_request_while_one_is_pending_is_refused(zeb):
    first = ask(zeb)
    with pytest.raises(erasure.AlreadyPending):
        ask(zeb)
    assert list(ErasureRequest.objects.all()) == [first]
    with pytest.raises(IntegrityError), transaction.atomic():
        ErasureRequest.objects.create(member=zeb, effective_at=later(1), posts="keep")


def test_the_cooling_off_is_the_managers(zeb):
    settings = PrivacySettings.load()
    settings.erasure_cooling_off_days = 3
    settings.save()
    pending = ask(zeb)
    assert pending.effective_at - pending.requested_at == timedelta(days=3)


# --- Cancelling --------------------------------------------------------------------------


def test_the_panel_shows_the_date_and_a_cancel_button(client, zeb):
    ask(zeb)
    client.force_login(zeb)
    body = client.get(reverse("accounts:panel")).content.decode()
    assert "Your account will be erased on" in body
    assert f'action="{reverse("accounts:erase-cancel")}"' in body
    assert client.get(reverse("accounts:erase-cancel")).status_code == 405


def test_cancelling_during_the_cooling_off_stops_the_erasure(client, zeb):
    pending = ask(zeb)
    client.force_login(zeb)
    response = client.post(reverse("accounts:erase-cancel"))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.cancelled_at is not None and not pending.is_pending
    titles = list(
        Notification.objects.filter(member=zeb, kind="account_erasure").values_list(
            "title", flat=True
        )
    )
    assert "Your account will not be erased" in titles and len(titles) == 2
    assert erasure.erase_due_accounts(now=later(30))["erased"] == 0
    zeb.refresh_from_db()
    assert zeb.email == EMAIL and zeb.is_active and zeb.erased_at is None
    assert erasure.cancel_erasure(member=zeb) is None  # a second cancel changes nothing


def test_cancel_needs_the_csrf_token(zeb):
    from django.test import Client

    ask(zeb)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(zeb)
    assert strict.post(reverse("accounts:erase-cancel")).status_code == 403
    assert ErasureRequest.objects.get(member=zeb).is_pending


# --- The job -----------------------------------------------------------------------------


def test_nothing_is_erased_before_the_cooling_off_ends(zeb):
    ask(zeb)
    assert erasure.erase_due_accounts(now=later(13)) == {"erased": 0, "skipped": 0, "failed": 0}
    zeb.refresh_from_db()
    assert zeb.erased_at is None


def test_running_the_job_twice_is_harmless(zeb, branch):
    card = gateway.issue_card(member=zeb, branch=branch)
    gateway.post_purchase(txn_id="T-1", card_number=card.number, amount=1_000_000, branch=branch)
    ask(zeb)
    assert erasure.erase_due_accounts(now=later(15))["erased"] == 1
    zeb.refresh_from_db()
    state = (zeb.email, zeb.erased_at, MemberProfile.objects.get(user=zeb).referral_code)
    events = CardEvent.objects.count()
    assert erasure.erase_due_accounts(now=later(16)) == {"erased": 0, "skipped": 0, "failed": 0}
    request_id = ErasureRequest.objects.get().pk
    assert erasure.erase_member(request_id=request_id, now=later(17)) is False
    zeb.refresh_from_db()
    assert (zeb.email, zeb.erased_at, MemberProfile.objects.get(user=zeb).referral_code) == state
    assert CardEvent.objects.count() == events
    assert AuditEntry.objects.filter(action=Action.ACCOUNT_ERASED).count() == 1
    assert ledger.audit() == []


def test_the_command_runs_the_job(zeb):
    ask(zeb)
    past = timezone.now() - timedelta(minutes=1)
    ErasureRequest.objects.update(requested_at=past, effective_at=past)
    out = io.StringIO()
    call_command("erase_due_accounts", stdout=out)
    assert "1 erased" in out.getvalue()
    call_command("erase_due_accounts", stdout=out)
    assert "0 erased" in out.getvalue()


def test_the_task_runs_the_job(zeb):
    from portal.accounts.tasks import erase_due_accounts

    ask(zeb)
    past = timezone.now() - timedelta(minutes=1)
    ErasureRequest.objects.update(requested_at=past, effective_at=past)
    assert erase_due_accounts.delay().get() == {"erased": 1, "skipped": 0, "failed": 0}


def test_the_erased_member_cannot_log_in(client, zeb):
    client.force_login(zeb)
    ask(zeb)
    erasure.erase_due_accounts(now=later(15))
    assert client.get(reverse("accounts:panel")).status_code == 302  # the session is gone
    zeb.refresh_from_db()
    for login in (EMAIL, zeb.email):
        assert not client.login(email=login, password=PASSWORD)
        response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
        assert "_auth_user_id" not in client.session
    response = client.post(reverse("account_login"), {"login": "09127654321", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_a_member_who_became_staff_meanwhile_is_not_erased(zeb):
    from django.contrib.auth.models import Group

    ask(zeb)
    zeb.groups.add(Group.objects.get(name=roles.SUPPORT_AGENT))
    assert erasure.erase_due_accounts(now=later(15)) == {"erased": 0, "skipped": 1, "failed": 0}
    assert ErasureRequest.objects.get().is_pending
    zeb.refresh_from_db()
    assert zeb.erased_at is None


def test_one_failure_does_not_stop_the_others(zeb, make_user, monkeypatch):
    other = make_user(email="other@example.com")
    ask(zeb)
    ask(other)
    calls = []

    def fails_for_zeb(member, keep_posts):
        calls.append(member.pk)
        if member.pk == zeb.pk:
            raise RuntimeError("boom")

    monkeypatch.setattr(erasure, "ERASERS", [fails_for_zeb])
    assert erasure.erase_due_accounts(now=later(15)) == {"erased": 1, "skipped": 0, "failed": 1}
    zeb.refresh_from_db()
    assert zeb.erased_at is None and zeb.email == EMAIL  # rolled back whole
    assert ErasureRequest.objects.get(member=zeb).is_pending


def test_registered_erasers_get_the_posts_choice(zeb, make_user, monkeypatch):
    other = make_user(email="other@example.com")
    monkeypatch.setattr(erasure, "ERASERS", [])
    seen = []

    @erasure.register
    def community(member, keep_posts):
        seen.append((member.pk, keep_posts, member.display_name))

    erasure.register(community)  # twice is once
    ask(zeb, posts="keep")
    ask(other, posts="remove")
    erasure.erase_due_accounts(now=later(15))
    assert sorted(seen) == sorted(
        [(zeb.pk, True, "Former member"), (other.pk, False, "Former member")]
    )


# --- The manager's numbers in Wagtail ----------------------------------------------------


def test_the_manager_edits_the_one_row_and_cannot_add_or_delete(client, manager):
    from wagtail.admin.admin_url_finder import AdminURLFinder

    client.force_login(manager)
    settings = PrivacySettings.load()
    url = AdminURLFinder(manager).get_edit_url(settings)
    assert client.get(url).status_code == 200
    data = {
        "erasure_cooling_off_days": 7,
        "erased_purge_days": 30,
        "audit_retention_days": 730,
        "read_notification_retention_days": 90,
        "limit_hit_retention_days": 365,
    }
    assert client.post(url, data).status_code == 302
    assert PrivacySettings.load().erasure_cooling_off_days == 7
    response = client.post(url, {**data, "audit_retention_days": 30})
    assert response.status_code == 200  # shown again with the error
    assert PrivacySettings.load().audit_retention_days == 730
    add_url = reverse("wagtailsnippets_accounts_privacysettings:add")
    delete_url = reverse("wagtailsnippets_accounts_privacysettings:delete", args=[settings.pk])
    assert client.get(add_url).status_code in (302, 403)
    assert client.post(delete_url).status_code in (302, 403)
    assert PrivacySettings.objects.count() == 1


@pytest.mark.parametrize("role", [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT])
def test_other_roles_cannot_open_the_privacy_settings(client, make_user, role):
    user = make_user(role, email="someone@example.com")
    client.force_login(user)
    url = reverse("wagtailsnippets_accounts_privacysettings:edit", args=[PrivacySettings.load().pk])
    assert client.get(url).status_code in (302, 403)


def test_the_database_refuses_numbers_out_of_range(db):
    settings = PrivacySettings.load()
    settings.audit_retention_days = 10
    with pytest.raises(IntegrityError), transaction.atomic():
        settings.save()
