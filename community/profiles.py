"""Community profiles: the @handle others mention and a short bio, made on first use, and
the tier and badges shown next to authors' names."""

import re

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from gamification.models import MemberBadge, MemberTier
from portal.shell.errors import CodedError

from .models import CommunityProfile

HANDLE = re.compile(r"^[a-z0-9_]{3,30}$")
BIO_LENGTH = 300
# Handles nobody may take: they read as the club speaking, or as a page's address.
RESERVED_HANDLES = frozenset(
    {
        "admin", "administrator", "all", "anonymous", "api", "club", "community", "customer_club",
        "edit", "everyone", "former", "former_member", "groups", "help", "here", "manager",
        "me", "member", "members", "mod", "moderation", "moderator", "moderators", "new",
        "null", "official", "owner", "profile", "root", "staff", "support", "system",
        "team", "undefined", "you",
    }
)  # fmt: skip
# Erased members' profiles read former_<pk> (community.erasure); nobody else takes one.
RESERVED_PREFIXES = ("former_", "member_")


class HandleRefused(CodedError):
    code = "handle_refused"
    default_message = _("This handle cannot be used.")

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


def check_handle(handle: str, *, member=None) -> str:
    """The handle as stored (lower case, no leading @), or HandleRefused with the reason:
    characters, reserved words, or taken by someone else."""
    handle = (handle or "").strip().removeprefix("@").lower()
    if not HANDLE.match(handle):
        raise HandleRefused(
            _("Use 3 to 30 small letters (a-z), digits or underscores."), code="characters"
        )
    own = f"member_{member.pk}" if member is not None else None
    if handle in RESERVED_HANDLES or (handle.startswith(RESERVED_PREFIXES) and handle != own):
        raise HandleRefused(_("This handle is reserved. Please choose another."), code="reserved")
    taken = CommunityProfile.objects.filter(handle=handle)
    if member is not None:
        taken = taken.exclude(member=member)
    if taken.exists():
        raise HandleRefused(_("Someone already has this handle."), code="taken")
    return handle


def _candidates(member):
    """Handles to try for a new profile: from the member's name (Latin letters), then one
    that always fits. Never from the e-mail address: a handle is public."""
    profile = getattr(member, "profile", None)
    first = getattr(profile, "first_name", "") or ""
    last = getattr(profile, "last_name", "") or ""
    base = slugify(f"{first} {last[:1]}".strip()).replace("-", "_")
    base = re.sub(r"[^a-z0-9_]", "", base)[:24].strip("_")
    if len(base) >= 3 and base not in RESERVED_HANDLES and not base.startswith(RESERVED_PREFIXES):
        yield base
        for n in range(2, 6):
            yield f"{base}_{n}"
    yield f"member_{member.pk}"


def profile_for(member) -> CommunityProfile:
    """The member's community profile, created on first use with a free handle made from
    their name (else member_<id>). Safe against two first uses at once."""
    existing = CommunityProfile.objects.filter(member=member).first()
    if existing is not None:
        return existing
    for handle in _candidates(member):
        if CommunityProfile.objects.filter(handle=handle).exists():
            continue
        try:
            with transaction.atomic():
                return CommunityProfile.objects.create(member=member, handle=handle)
        except IntegrityError:
            existing = CommunityProfile.objects.filter(member=member).first()
            if existing is not None:
                return existing  # made concurrently
    raise RuntimeError(f"no free handle for member {member.pk}")


def update_profile(*, member, handle: str, bio: str) -> CommunityProfile:
    """Change the member's handle and bio. HandleRefused (nothing saved) for a handle that
    breaks the rules or is taken; a bio over 300 characters is refused as well."""
    bio = (bio or "").strip()
    if len(bio) > BIO_LENGTH:
        raise HandleRefused(
            _("Keep it to %(n)d characters.") % {"n": BIO_LENGTH}, code="bio_too_long"
        )
    profile = profile_for(member)
    handle = check_handle(handle, member=member)
    with transaction.atomic():
        locked = CommunityProfile.objects.select_for_update().get(pk=profile.pk)
        locked.handle, locked.bio = handle, bio
        try:
            with transaction.atomic():
                locked.save(update_fields=["handle", "bio"])
        except IntegrityError as error:  # taken at the same moment
            raise HandleRefused(_("Someone already has this handle."), code="taken") from error
    return locked


def badges_and_tier(members) -> dict[int, tuple]:
    """{member id: (tier or None, [badges])} for author lines: two queries whatever the
    number of members."""
    ids = {getattr(m, "pk", m) for m in members if m is not None}
    if not ids:
        return {}
    result: dict[int, tuple] = {pk: (None, []) for pk in ids}
    for row in MemberTier.objects.filter(member_id__in=ids).select_related("tier"):
        result[row.member_id] = (row.tier, result[row.member_id][1])
    for held in (
        MemberBadge.objects.filter(member_id__in=ids)
        .select_related("badge")
        .order_by("member_id", "-granted_at", "pk")
    ):
        result[held.member_id][1].append(held.badge)
    return result


def attach_author_status(objects, *, attr: str = "author") -> list:
    """Set `author_tier` and `author_badges` on each object (by its `<attr>_id`) for the
    author line (community/includes/author_line.html): two queries for the whole list."""
    objects = list(objects)
    status = badges_and_tier([getattr(obj, f"{attr}_id") for obj in objects])
    for obj in objects:
        obj.author_tier, obj.author_badges = status.get(getattr(obj, f"{attr}_id"), (None, []))
    return objects
