"""Every change to members and their profiles. One transaction each."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ConsentChange, MemberProfile, User, new_referral_code


def ensure_profile(*, user: User) -> MemberProfile:
    """Return the member's profile, creating it (with a fresh referral code) if missing.
    Idempotent; retries on the rare referral-code collision."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                profile, _created = MemberProfile.objects.get_or_create(
                    user=user, defaults={"referral_code": new_referral_code()}
                )
            return profile
        except IntegrityError:
            if MemberProfile.objects.filter(user=user).exists():
                return MemberProfile.objects.get(user=user)
    raise RuntimeError("Could not allocate a unique referral code.")


def set_consents(
    *, profile: MemberProfile, sms: bool | None = None, email: bool | None = None, source: str
) -> None:
    """Set marketing consent per channel (None leaves a channel as it is), with the time it
    was given, and record each change with where it happened (`source`: the page's path,
    or "unsubscribe link"). The caller saves the profile."""
    now = timezone.now()
    for channel, wanted in (("sms", sms), ("email", email)):
        if wanted is None or wanted == getattr(profile, f"{channel}_consent"):
            continue
        setattr(profile, f"{channel}_consent", wanted)
        setattr(profile, f"{channel}_consent_at", now if wanted else None)
        ConsentChange.objects.create(
            member_id=profile.user_id,
            channel=channel,
            granted=wanted,
            source=source[:200],
            created_at=now,
        )


@transaction.atomic
def withdraw_consent(*, member: User, channel: str, source: str) -> None:
    """Stop marketing on one channel ("sms" or "email"); a second time changes nothing."""
    profile = MemberProfile.objects.select_for_update().filter(user=member).first()
    if profile is None:
        return
    set_consents(profile=profile, source=source, **{channel: False})
    profile.save()


@transaction.atomic
def update_profile(
    *,
    user: User,
    mobile: str | None,
    profile_data: dict,
    interests: list[str],
    sms_consent: bool,
    email_consent: bool,
    source: str = "",
) -> MemberProfile:
    """Save a validated profile form. A changed mobile number must be verified again."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if (mobile or None) != user.mobile:
        user.mobile = mobile or None
        user.mobile_verified = False
        user.save(update_fields=["mobile", "mobile_verified"])
    profile = MemberProfile.objects.select_for_update().get(user=user)
    for field, value in profile_data.items():
        setattr(profile, field, value)
    set_consents(profile=profile, sms=sms_consent, email=email_consent, source=source)
    profile.full_clean(exclude=["user", "referral_code"])
    profile.save()
    profile.interests.set(interests)
    if profile.completion()[0] == 100:
        # Paid the first time the profile is complete; never again (one award per subject).
        from gamification.activity import record
        from gamification.models import Action

        record(member=user, action=Action.PROFILE_COMPLETED, subject=profile)
    return profile


def attach_referral(*, user: User, code: str) -> bool:
    """Store the referral code a new member signed up with and, when it is another
    member's code, register the referral with gamification (which pays the referrer by
    rule). Never the member themselves, never a second time. Returns whether a referrer
    was found."""
    from gamification.referrals import register_referral

    code = (code or "").strip().upper()[:32]
    if not code:
        return False
    with transaction.atomic():
        profile = MemberProfile.objects.select_for_update().get(user=user)
        if profile.signup_referral_code:
            return False
        profile.signup_referral_code = code
        profile.save(update_fields=["signup_referral_code"])
        referrer = (
            MemberProfile.objects.filter(referral_code=code)
            .exclude(user=user)
            .select_related("user")
            .first()
        )
        if referrer is None:
            return False
        # Mobiles are unique, so the same account is the only possible self-referral.
        return register_referral(referrer=referrer.user, referee=user) is not None


def set_preferred_language(*, user: User, language: str) -> None:
    MemberProfile.objects.filter(user=user).update(preferred_language=language)


@transaction.atomic
def register_member(
    *,
    email: str,
    password: str | None = None,
    mobile: str | None = None,
    first_name: str = "",
    last_name: str = "",
    **profile_fields,
) -> User:
    """Create a member with a profile (seed data, imports and the cashier use this)."""
    user = User.objects.create_user(email, password, mobile=mobile)
    profile = user.profile
    profile.first_name, profile.last_name = first_name, last_name
    for field, value in profile_fields.items():
        setattr(profile, field, value)
    profile.save()
    return user


def announce_tier_change(*, member, previous, tier) -> None:
    """Gamification's tier listener: tell the member of their first tier and of a move
    down. A move up is congratulated by the tier automation (automations/services.py),
    once per member and tier, with the new benefits."""
    from django.utils.translation import gettext, override

    from gamification.tiers import is_upgrade
    from portal.notifications.services import notify

    if is_upgrade(previous=previous, tier=tier):
        return
    went_up = previous is None
    language = getattr(getattr(member, "profile", None), "preferred_language", None)
    with override(language):
        title = (
            gettext("Welcome to %(tier)s!") if went_up else gettext("Your tier is now %(tier)s")
        ) % {"tier": tier.name}
    notify(
        member=member,
        kind="tier_changed",
        title=title,
        body=tier.benefits,
        url="/club/",
    )
