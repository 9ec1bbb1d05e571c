"""Reads of the showcase pages: each list is a fixed number of queries however many rows
it shows (pictures and their renditions are prefetched)."""

from dataclasses import dataclass, field

from django.core.paginator import Page as ListPage
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import AnnouncementPage, Dealer, ExecutiveMessagePage, VideoPage


def paginate(queryset: QuerySet, number, per_page: int) -> ListPage:
    """One page of `queryset` (a bad or too large page number gives the nearest page)."""
    return Paginator(queryset, per_page).get_page(number)


def _published(model, parent=None) -> QuerySet:
    pages = model.objects.live().public()
    return pages.child_of(parent) if parent is not None else pages


def announcements(*, parent=None) -> QuerySet:
    """Live, public product announcements, newest launch first."""
    return (
        _published(AnnouncementPage, parent)
        .select_related("image")
        .prefetch_related("image__renditions")
        .order_by("-launch_date", "-first_published_at", "-pk")
    )


def latest_announcements(limit: int = 3) -> list[AnnouncementPage]:
    """The newest product announcements for the home page."""
    return list(announcements()[:limit])


def executive_messages(*, parent=None) -> QuerySet:
    return (
        _published(ExecutiveMessagePage, parent)
        .select_related("portrait")
        .prefetch_related("portrait__renditions")
        .order_by("-date", "-pk")
    )


def videos(*, parent=None) -> QuerySet:
    return (
        _published(VideoPage, parent)
        .select_related("thumbnail", "video_file")
        .prefetch_related("thumbnail__renditions")
        .order_by("-first_published_at", "-pk")
    )


@dataclass
class CityGroup:
    city: str
    dealers: list = field(default_factory=list)


@dataclass
class Directory:
    cities: list[str]
    city: str  # the chosen city, "" for all
    groups: list[CityGroup]
    error: str = ""


def dealer_directory(*, city: str = "") -> Directory:
    """Active dealers grouped by city (cities in alphabetical order), only `city`'s when
    one is chosen. An unknown city lists every city with an error to show. Two queries."""
    active = Dealer.objects.filter(is_active=True)
    cities = list(active.order_by("city").values_list("city", flat=True).distinct())
    city = " ".join((city or "").split())
    error = ""
    if city and city not in cities:
        error = _("There is no representative or dealer in “%(city)s” yet.") % {"city": city}
        city = ""
    dealers = active.filter(city=city) if city else active
    groups: dict[str, CityGroup] = {}
    for dealer in dealers.order_by("city", "kind", "name", "pk"):
        groups.setdefault(dealer.city, CityGroup(dealer.city)).dealers.append(dealer)
    return Directory(cities=cities, city=city, groups=list(groups.values()), error=error)


@dataclass
class FamedMember:
    """What the hall of fame shows of a member: their public name and @handle, never an
    e-mail address or mobile number."""

    title: str
    reason: str
    period: str
    photo: object
    name: str
    handle: str
    tier: object


def hall_of_fame(*, page) -> list[FamedMember]:
    """The page's entries in their order, for members still active (erased or switched
    off members drop out). Four queries however many entries (a preview's unsaved entries
    are read as they are)."""
    from community.models import CommunityProfile
    from community.profiles import badges_and_tier

    entries = page.entries.all()
    if isinstance(entries, QuerySet):
        entries = entries.select_related("member__profile", "photo").prefetch_related(
            "photo__renditions"
        )
    entries = [e for e in entries if e.member.is_active and not e.member.erased_at]
    member_ids = {e.member_id for e in entries}
    handles = dict(
        CommunityProfile.objects.filter(member_id__in=member_ids).values_list("member_id", "handle")
    )
    status = badges_and_tier(member_ids)
    famed = []
    for entry in entries:
        member = entry.member
        handle = handles.get(member.pk, "")
        profile = getattr(member, "profile", None)
        if profile and (profile.first_name or profile.last_name):
            name = member.display_name
        else:
            name = f"@{handle}" if handle else _("Club member")
        famed.append(
            FamedMember(
                title=entry.title,
                reason=entry.reason,
                period=entry.period,
                photo=entry.photo,
                name=name,
                handle=handle,
                tier=status.get(member.pk, (None, []))[0],
            )
        )
    return famed
