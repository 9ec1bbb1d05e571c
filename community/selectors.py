"""Reads the moderators' screens share: the flag queue and the moderation log."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from .models import Contribution, Flag, FlagOutcome, ModerationLog
from .profiles import attach_author_status


def flag_queue() -> QuerySet:
    """One row per flagged thing with pending flags (visible, or hidden by the flags until
    reviewed): target_type, target_id, total weight, number of flags, first and last flag.
    Heaviest first, then oldest."""
    return (
        Flag.objects.filter(outcome=FlagOutcome.PENDING)
        .values("target_type", "target_id")
        .annotate(
            weight=Sum("weight"),
            flags=Count("id"),
            first_at=Min("created_at"),
            last_at=Max("created_at"),
        )
        .order_by("-weight", "first_at", "target_type", "target_id")
    )


@dataclass
class QueueRow:
    content: Contribution | None
    label: str
    target_id: int
    weight: int
    first_at: object
    flags: list = field(default_factory=list)


def queue_rows(rows) -> list[QueueRow]:
    """The page's rows with their content (and author) and pending flags (and flaggers):
    one query per kind of content on the page, one for the flags, two for the authors'
    tiers and badges."""
    rows = list(rows)
    if not rows:
        return []
    ids_by_type: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        ids_by_type[row["target_type"]].append(row["target_id"])
    contents: dict[tuple[int, int], Contribution] = {}
    for type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids).select_related(
            "author", "author__profile", "author__community"
        ):
            contents[(type_id, obj.pk)] = obj
    attach_author_status(contents.values())
    wanted = Q()
    for type_id, ids in ids_by_type.items():
        wanted |= Q(target_type_id=type_id, target_id__in=ids)
    flags_by_target = defaultdict(list)
    for flag in (
        Flag.objects.filter(wanted, outcome=FlagOutcome.PENDING)
        .select_related("member", "member__profile")
        .order_by("-weight", "created_at")
    ):
        flags_by_target[(flag.target_type_id, flag.target_id)].append(flag)
    result = []
    for row in rows:
        key = (row["target_type"], row["target_id"])
        model = ContentType.objects.get_for_id(row["target_type"]).model_class()
        result.append(
            QueueRow(
                content=contents.get(key),
                label=model._meta.label_lower if model is not None else "",
                target_id=row["target_id"],
                weight=row["weight"],
                first_at=row["first_at"],
                flags=flags_by_target[key],
            )
        )
    return result


def moderation_log(*, moderator=None, action: str = "", member_handle: str = "") -> QuerySet:
    entries = ModerationLog.objects.select_related(
        "moderator",
        "moderator__profile",
        "member",
        "member__profile",
        "member__community",
        "target_type",
    ).order_by("-created_at", "-pk")
    if moderator is not None:
        entries = entries.filter(moderator=moderator)
    if action:
        entries = entries.filter(action=action)
    if member_handle:
        entries = entries.filter(member__community__handle=member_handle)
    return entries
