"""Reads the contest pages share, each a fixed number of queries whatever the number of
contests, questions, attempts or photos."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Attempt, Choice, Contest, ContestPhoto, PhotoVote, Question, Winner


def published() -> QuerySet[Contest]:
    return Contest.objects.filter(is_published=True)


def contest_board(*, at=None, finished_limit: int = 20) -> dict[str, list[Contest]]:
    """Running, upcoming and (the latest) finished published contests: two queries."""
    now = at or timezone.now()
    live = list(published().filter(closes_at__gt=now).order_by("closes_at", "pk"))
    finished = list(
        published().filter(closes_at__lte=now).order_by("-closes_at", "-pk")[:finished_limit]
    )
    return {
        "running": [c for c in live if c.opens_at <= now],
        "upcoming": sorted((c for c in live if c.opens_at > now), key=lambda c: (c.opens_at, c.pk)),
        "finished": finished,
    }


def quiz_questions(contest: Contest) -> list[Question]:
    """The quiz's questions in order with their choices in order: two queries."""
    return list(
        Question.objects.filter(contest=contest)
        .order_by("sort_order", "pk")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("sort_order", "pk")))
    )


def ranked_attempts(contest: Contest) -> QuerySet[Attempt]:
    """The results table: submitted attempts, best score first, then the shorter time,
    then who submitted first; with each member's name (one query per page)."""
    return (
        Attempt.objects.filter(contest=contest, submitted_at__isnull=False)
        .select_related("member__profile")
        .order_by("-score", "duration_ms", "submitted_at", "pk")
    )


def ranked_photos(contest: Contest) -> QuerySet[ContestPhoto]:
    """A finished photo contest's visible photos, most votes first, then the earlier."""
    return (
        ContestPhoto.objects.filter(contest=contest, is_hidden=False)
        .select_related("author__profile")
        .order_by("-vote_count", "created_at", "pk")
    )


def gallery(contest: Contest, *, include_hidden: bool = False) -> QuerySet[ContestPhoto]:
    """The photos in the order they came (removed ones for moderators only)."""
    photos = ContestPhoto.objects.filter(contest=contest).select_related("author__profile")
    if not include_hidden:
        photos = photos.filter(is_hidden=False)
    return photos.order_by("created_at", "pk")


def voted_photo_ids(*, member, photos) -> set[int]:
    """Which of `photos` the member has voted for: one query."""
    ids = [photo.pk for photo in photos]
    if not ids or not member.is_authenticated:
        return set()
    return set(
        PhotoVote.objects.filter(member=member, photo_id__in=ids).values_list("photo_id", flat=True)
    )


def votes_used(*, member, contest: Contest) -> int:
    return PhotoVote.objects.filter(member=member, contest=contest).count()


def winners_of(contest: Contest) -> list[Winner]:
    return list(
        Winner.objects.filter(contest=contest)
        .select_related("member__profile", "photo", "badge")
        .order_by("rank")
    )


def closed_contests_with_winners() -> QuerySet[Contest]:
    """Closed contests, newest first, each with its winners (two queries a page)."""
    return (
        published()
        .filter(closed_at__isnull=False)
        .order_by("-closes_at", "-pk")
        .prefetch_related(
            Prefetch(
                "winners",
                queryset=Winner.objects.select_related("member__profile", "photo").order_by("rank"),
            )
        )
    )
