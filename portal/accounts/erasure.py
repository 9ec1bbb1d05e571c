"""Erase my account (issue 9).

A member asks (`request_erasure`, after re-authenticating), the club waits the cooling-off
the manager set (PrivacySettings), during which the member can cancel (`cancel_erasure`),
and then the erasure job (`erase_due_accounts`, a Celery task and `manage.py
erase_due_accounts`) carries it out, one transaction per member (`erase_member`):

Removed or replaced by a pseudonym:
  - the login: e-mail becomes erased-<pk>@erased.invalid, no mobile, no usable password,
    inactive, no roles, no last login; `display_name` / `get_full_name` read "Former
    member";
  - the profile: names, birth date, address, city, home branch, interests, marketing
    consents (and their history), signup referral code; a new random referral code, so an
    old invitation link credits nobody;
  - allauth e-mail addresses and MFA authenticators, Wagtail's user profile, every session
    of the user, every notification;
  - tickets they filed (and guest tickets filed with their e-mail or verified mobile):
    contact fields, subject and description, their messages and rating comment are
    replaced by "removed at the member's request", the files they uploaded are deleted, and
    their name, e-mail and mobile are blanked out of the staff's replies and notes and the
    cards' history;
  - the user's name in the Django and Wagtail admin logs;
  - community content, through the erasers other apps `register` here.

Kept, because the books must balance: ledger entries and accounts, purchases (gateway
transactions), cards (blocked, numbers kept), awards, vouchers, referrals. They point at
the pseudonymised user, so they no longer identify the person. The staff audit trail keeps
its entries (linked to the pseudonym) until the retention purge (retention.py), which also
removes an erased member's remaining engagement data after PrivacySettings.erased_purge_days.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.shell.errors import CodedError

from .models import (
    ConsentChange,
    ErasureRequest,
    MemberProfile,
    PrivacySettings,
    User,
    new_referral_code,
)
from .roles import is_staff_member

logger = logging.getLogger(__name__)

# --- Erasers: community content and whatever other apps hold about a member -------------

Eraser = Callable[[User, bool], None]
ERASERS: list[Eraser] = []


def register(eraser: Eraser) -> Eraser:
    """Add `eraser(member, keep_posts)` to what an erasure runs, inside the member's
    transaction, after the account itself is pseudonymised. `keep_posts` True: keep the
    member's posts (they show the author's display name, now "Former member") but remove
    anything in them that names the person; False: remove the posts. An eraser must be
    idempotent and must not delete rows the books need. Usable as a decorator; registering
    the same function twice adds it once.

    The community app (forums, posts, likes, surveys, contests) registers its eraser
    (community/erasure.py: erase_member) here from its AppConfig.ready(); so should any app
    that keeps personal data of its own about a member (e.g. the fraud signals' IP and
    device)."""
    if eraser not in ERASERS:
        ERASERS.append(eraser)
    return eraser


# --- Errors -----------------------------------------------------------------------------


class ErasureRefused(CodedError):
    code = "erasure_refused"
    default_message = _("Your account cannot be erased right now.")


class StaffCannotErase(ErasureRefused):
    code = "staff_cannot_erase"
    default_message = _(
        "Staff accounts cannot be erased from this page. Ask the club manager to remove your "
        "role first; then you can erase your account as a member."
    )


class AlreadyPending(ErasureRefused):
    code = "already_pending"
    default_message = _("Your account is already due to be erased.")


class AlreadyErased(ErasureRefused):
    code = "already_erased"
    default_message = _("This account has been erased.")


class InvalidPostsChoice(ErasureRefused):
    code = "invalid_posts_choice"
    default_message = _("Choose whether to keep or remove your posts.")


def is_staff(user: User) -> bool:
    """Staff (any role permission, or Django admin access) erase nothing from the member
    page: a manager removes their role first."""
    return bool(user.is_staff or is_staff_member(user))


# --- The member's side ------------------------------------------------------------------


def pending_request(*, member: User) -> ErasureRequest | None:
    """The member's pending erasure request, or None (one query)."""
    return ErasureRequest.objects.filter(
        member=member, cancelled_at__isnull=True, completed_at__isnull=True
    ).first()


def request_erasure(*, member: User, posts: str, now: datetime | None = None) -> ErasureRequest:
    """Ask for the member's account to be erased once the manager's cooling-off has passed.
    The caller has re-authenticated the member. One transaction under the user's row lock;
    tells the member (notification, e-mail and SMS). Raises StaffCannotErase,
    AlreadyPending, AlreadyErased or InvalidPostsChoice, with nothing saved."""
    if posts not in ErasureRequest.Posts.values:
        raise InvalidPostsChoice
    now = now or timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=member.pk)
        if locked.erased_at is not None:
            raise AlreadyErased
        if is_staff(locked):
            raise StaffCannotErase
        days = PrivacySettings.load().erasure_cooling_off_days
        try:
            with transaction.atomic():
                erasure = ErasureRequest.objects.create(
                    member=locked,
                    requested_at=now,
                    effective_at=now + timedelta(days=days),
                    posts=posts,
                )
        except IntegrityError as exc:  # the unique "one pending" constraint
            raise AlreadyPending from exc
        _tell(locked, erasure, cancelled=False)
    return erasure


def cancel_erasure(*, member: User, now: datetime | None = None) -> ErasureRequest | None:
    """Cancel the member's pending request (any time before the job has carried it out).
    Returns the cancelled request, or None when nothing was pending (a second cancel changes
    nothing). Locks the request row, as the erasure job does, so the two cannot both win."""
    now = now or timezone.now()
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update()
            .filter(member=member, cancelled_at__isnull=True, completed_at__isnull=True)
            .first()
        )
        if erasure is None:
            return None
        erasure.cancelled_at = now
        erasure.save(update_fields=["cancelled_at"])
        _tell(member, erasure, cancelled=True)
    return erasure


def _tell(member: User, erasure: ErasureRequest, *, cancelled: bool) -> None:
    from portal.notifications.services import notify
    from portal.shell.templatetags.club_format import jdate

    language = getattr(getattr(member, "profile", None), "preferred_language", None)
    with translation.override(language):
        if cancelled:
            title = gettext("Your account will not be erased")
            body = gettext("You cancelled the erasure of your account. Everything stays as it was.")
        else:
            title = gettext("Your account will be erased on %(date)s") % {
                "date": jdate(erasure.effective_at)
            }
            body = gettext(
                "You asked us to erase your account. Until then you can cancel it in My club. "
                "If this was not you, cancel it and change your password."
            )
    notify(
        member=member,
        kind="account_erasure",
        title=title,
        body=body,
        url="/club/erase/",
        channels=("email", "sms"),
    )


# --- The job ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What named the person before the erasure: looked for in free text (staff replies,
    card history) and blanked out."""

    email: str
    mobile: str
    mobile_verified: bool
    first_name: str
    last_name: str

    def patterns(self) -> re.Pattern | None:
        from .mobile import display_mobile

        words = {self.email, self.email.split("@", 1)[0]}
        full = f"{self.first_name} {self.last_name}".strip()
        words |= {full, self.first_name, self.last_name}
        if self.mobile:
            national = self.mobile.removeprefix("+98")
            words |= {self.mobile, display_mobile(self.mobile), national, f"0{national}"}
        words = {w for w in words if len(w) >= 3}
        if not words:
            return None
        alternatives = sorted((re.escape(w) for w in words), key=len, reverse=True)
        # Whole words only: "Ali" goes, "quality" stays.
        return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


def redact(text: str, pattern: re.Pattern | None) -> str:
    if not text or pattern is None:
        return text
    return pattern.sub(gettext("[removed]"), text)


def due_requests(*, now: datetime | None = None):
    now = now or timezone.now()
    return ErasureRequest.objects.filter(
        effective_at__lte=now, cancelled_at__isnull=True, completed_at__isnull=True
    ).order_by("effective_at", "pk")


def erase_due_accounts(*, now: datetime | None = None) -> dict[str, int]:
    """Carry out every request whose cooling-off has passed and that is neither cancelled
    nor done, one transaction per member. Idempotent: a done request is never redone, and a
    second run finds nothing. One member's failure is logged and does not stop the others.
    Returns {"erased": n, "skipped": n, "failed": n}."""
    now = now or timezone.now()
    result = {"erased": 0, "skipped": 0, "failed": 0}
    for request_id in list(due_requests(now=now).values_list("pk", flat=True)):
        try:
            done = erase_member(request_id=request_id, now=now)
        except Exception:
            logger.exception("erasure request %s failed; it stays pending", request_id)
            result["failed"] += 1
            continue
        result["erased" if done else "skipped"] += 1
    logger.info("erasure job: %s", result)
    return result


def erase_member(*, request_id: int, now: datetime | None = None) -> bool:
    """Erase the account of one due request (see the module's docstring for what goes and
    what stays), in one transaction: the request row, then the user row, are locked first,
    so a cancellation or a second run waits and then finds it done. Returns False, changing
    nothing, when the request is cancelled, done, not yet due, or its member has become
    staff meanwhile (logged; it stays pending until the role is removed)."""
    now = now or timezone.now()
    with transaction.atomic():
        erasure = ErasureRequest.objects.select_for_update().filter(pk=request_id).first()
        if erasure is None or not erasure.is_pending or erasure.effective_at > now:
            return False
        member = User.objects.select_for_update().get(pk=erasure.member_id)
        if is_staff(member):
            logger.warning(
                "erasure request %s: user %s holds a staff role; not erased", request_id, member.pk
            )
            return False
        profile = MemberProfile.objects.select_for_update().filter(user=member).first()
        identity = Identity(
            email=member.email,
            mobile=member.mobile or "",
            mobile_verified=member.mobile_verified,
            first_name=profile.first_name if profile else "",
            last_name=profile.last_name if profile else "",
        )
        pattern = identity.patterns()
        with translation.override(settings.LANGUAGE_CODE):
            _pseudonymise_user(member, now=now)
            _blank_profile(member, profile)
            _remove_logins_and_messages(member)
            _block_cards(member, pattern)
            _scrub_tickets(member, identity, pattern)
            _scrub_admin_logs(member)
            keep_posts = erasure.posts == ErasureRequest.Posts.KEEP
            for eraser in list(ERASERS):
                eraser(member, keep_posts)
        erasure.completed_at = now
        erasure.save(update_fields=["completed_at"])
        from portal.audit import services as audit

        audit.record(
            action=audit.Action.ACCOUNT_ERASED,
            target=erasure,
            member=member,
            posts=erasure.posts,
            requested_at=erasure.requested_at,
        )
    return True


def _pseudonymise_user(member: User, *, now: datetime) -> None:
    member.email = f"erased-{member.pk}@erased.invalid"
    member.mobile = None
    member.mobile_verified = False
    member.set_unusable_password()
    member.is_active = False
    member.is_staff = False
    member.is_superuser = False
    member.last_login = None
    member.erased_at = now
    member.save()
    member.groups.clear()
    member.user_permissions.clear()


def _blank_profile(member: User, profile: MemberProfile | None) -> None:
    ConsentChange.objects.filter(member=member).delete()
    if profile is None:
        return
    from taggit.models import Tag, TaggedItem

    tag_ids = list(profile.interests.values_list("pk", flat=True))
    profile.interests.clear()
    # A tag only this member used (it may be their own words) goes too.
    Tag.objects.filter(pk__in=tag_ids).exclude(
        pk__in=TaggedItem.objects.filter(tag_id__in=tag_ids).values("tag_id")
    ).delete()
    profile.first_name = profile.last_name = ""
    profile.birth_date = None
    profile.address = profile.city = ""
    profile.home_branch = None
    profile.sms_consent = profile.email_consent = False
    profile.sms_consent_at = profile.email_consent_at = None
    profile.signup_referral_code = ""
    for _attempt in range(5):
        profile.referral_code = new_referral_code()
        try:
            with transaction.atomic():
                profile.save()
            return
        except IntegrityError:
            continue
    raise RuntimeError("Could not allocate a unique referral code.")


def _remove_logins_and_messages(member: User) -> None:
    from allauth.account.models import EmailAddress

    from portal.notifications.models import Notification

    EmailAddress.objects.filter(user=member).delete()
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        Authenticator.objects.filter(user=member).delete()
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        SocialAccount.objects.filter(user=member).delete()
    if apps.is_installed("wagtail.users"):
        from wagtail.users.models import UserProfile

        UserProfile.objects.filter(user=member).delete()
    Notification.objects.filter(member=member).delete()
    delete_sessions(member)


def delete_sessions(member: User) -> int:
    """Delete every stored session of the user (database sessions; other engines keep no
    table to search, and the changed password hash ends those sessions anyway)."""
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    user_id = str(member.pk)
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(
            chunk_size=2000
        )
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    if settings.SESSION_ENGINE.endswith("cached_db"):
        from django.contrib.sessions.backends.cached_db import SessionStore

        for key in doomed:
            SessionStore(session_key=key).delete()
        return len(doomed)
    return Session.objects.filter(session_key__in=doomed).delete()[0]


def _block_cards(member: User, pattern: re.Pattern | None) -> None:
    from cardgateway import services as gateway
    from cardgateway.models import Card, CardEvent, CardStatus

    for card in Card.objects.filter(member=member, status=CardStatus.ACTIVE).order_by("pk"):
        gateway.set_card_status(
            card=card,
            status=CardStatus.BLOCKED,
            reason="account erased at the member's request",
        )
    # Staff may have named the person in a reason; the history itself stays.
    for event in CardEvent.objects.filter(card__member=member).exclude(reason=""):
        cleaned = redact(event.reason, pattern)
        if cleaned != event.reason:
            CardEvent.objects.filter(pk=event.pk).update(reason=cleaned[:200])


def _scrub_tickets(member: User, identity: Identity, pattern: re.Pattern | None) -> None:
    from tickets.models import (
        EventKind,
        SatisfactionRating,
        Ticket,
        TicketAttachment,
        TicketEvent,
        TicketMessage,
    )

    removed = gettext("Removed at the member's request.")
    as_guest = Q(member__isnull=True) & Q(guest_email__iexact=identity.email)
    if identity.mobile and identity.mobile_verified:
        as_guest |= Q(member__isnull=True) & Q(guest_mobile=identity.mobile)
    ticket_ids = list(
        Ticket.objects.filter(Q(member=member) | as_guest).values_list("pk", flat=True)
    )
    if not ticket_ids:
        return
    # A guest ticket with their contact becomes the former member's: its contact goes.
    Ticket.objects.filter(pk__in=ticket_ids).update(
        member=member,
        guest_name="",
        guest_mobile="",
        guest_email="",
        subject=removed[:200],
        description=removed,
    )
    theirs = Q(author=member) | Q(author__isnull=True)
    TicketMessage.objects.filter(Q(ticket_id__in=ticket_ids) & theirs).update(body=removed)
    for message in TicketMessage.objects.filter(ticket_id__in=ticket_ids).exclude(theirs):
        cleaned = redact(message.body, pattern)
        if cleaned != message.body:
            TicketMessage.objects.filter(pk=message.pk).update(body=cleaned)
    SatisfactionRating.objects.filter(ticket_id__in=ticket_ids).exclude(comment="").update(
        comment=""
    )
    files = TicketAttachment.objects.filter(ticket_id__in=ticket_ids).filter(
        Q(uploaded_by=member) | Q(uploaded_by__isnull=True)
    )
    doomed = list(files.values_list("pk", "file"))
    if doomed:
        files.delete()
        for event in TicketEvent.objects.filter(
            ticket_id__in=ticket_ids, kind=EventKind.ATTACHMENT
        ):
            if event.detail.get("attachment") in {pk for pk, _name in doomed}:
                TicketEvent.objects.filter(pk=event.pk).update(
                    detail={**event.detail, "name": removed}
                )
        storage = TicketAttachment._meta.get_field("file").storage
        names = [name for _pk, name in doomed if name]

        def delete_files() -> None:
            for name in names:
                try:
                    storage.delete(name)
                except OSError:
                    logger.exception("could not delete ticket file %s", name)

        # Only once the rows are gone for good: a rollback must not leave rows without files.
        transaction.on_commit(delete_files)


def _scrub_admin_logs(member: User) -> None:
    """The Django and Wagtail admin logs label an edited user by name or e-mail."""
    from django.contrib.admin.models import LogEntry

    pseudonym = str(member)
    profile_id = MemberProfile.objects.filter(user=member).values_list("pk", flat=True).first()
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(member.pk)) | Q(
        content_type=ContentType.objects.get_for_model(MemberProfile), object_id=str(profile_id)
    )
    LogEntry.objects.filter(about).update(object_repr=pseudonym)
    if apps.is_installed("wagtail"):
        from wagtail.models import ModelLogEntry

        ModelLogEntry.objects.filter(about).update(label=pseudonym, data={})
