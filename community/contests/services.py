"""Every change to a contest: taking a quiz, submitting and voting for photos, removing a
photo, and closing a contest (ranking, winners, payment, the feed line).

Refusals raise ContestError (a stable `code`, a translated `message`), community.brakes'
Refused (spam brakes, suspension) or ValidationError (a bad picture); none of them changes
anything. Points move only through gamification.activity (which posts to the ledger)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community import brakes, feed, moderation, text
from community.models import CommunitySettings
from gamification import activity, hooks
from gamification.models import Action, MemberBadge
from portal.shell.errors import CodedError
from portal.shell.pictures import clean_upload

from . import scoring
from .models import (
    Attempt,
    Contest,
    ContestKind,
    ContestPhoto,
    PhotoVote,
    QuestionKind,
    Winner,
)

# Answers sent this long after the deadline still count: the time a phone on a slow
# network needs to deliver a form sent just in time.
GRACE = timedelta(seconds=10)
CAPTION_MAX = 200


class ContestError(CodedError):
    code = "contest_refused"
    default_message = _("This cannot be done in this contest right now.")

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


def _require_live(contest: Contest, kind: str) -> None:
    if not contest.is_published or contest.kind != kind:
        raise ContestError(_("There is no such contest."), code="not_found")


def _refuse_suspended(member, *, at) -> None:
    if moderation.is_suspended(member, at=at):
        raise ContestError(
            _("Your account is suspended from the community for now, so you cannot take part."),
            code="suspended",
        )


# --- Quizzes ----------------------------------------------------------------------------------


def start_attempt(*, contest: Contest, member, at=None) -> Attempt:
    """Start the member's one attempt at an open quiz, or return the attempt they started
    and have not submitted yet (a reload, a second tab). The deadline is the time limit or
    the contest's close, whichever comes first. Raises ContestError when the quiz is not
    open, the member is suspended, or they have already submitted."""
    now = at or timezone.now()
    _require_live(contest, ContestKind.QUIZ)
    existing = Attempt.objects.filter(contest=contest, member=member).first()
    if existing is not None:
        if existing.is_submitted:
            raise ContestError(_("You have already taken part in this quiz."), code="already")
        return existing
    if not contest.is_open(now):
        raise ContestError(_("This quiz is not open for answers."), code="closed")
    _refuse_suspended(member, at=now)
    deadline = contest.closes_at
    if contest.time_limit_minutes:
        deadline = min(deadline, now + timedelta(minutes=contest.time_limit_minutes))
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                contest=contest, member=member, started_at=now, deadline_at=deadline
            )
    except IntegrityError:
        # Started at the same moment in another request: that one is the attempt.
        existing = Attempt.objects.get(contest=contest, member=member)
        if existing.is_submitted:
            raise ContestError(
                _("You have already taken part in this quiz."), code="already"
            ) from None
        return existing


def _checked_answers(contest: Contest, answers: dict) -> dict[str, object]:
    """The answers as stored ({"<question id>": [choice ids] | "text"}); ContestError for
    a question or a choice that is not the quiz's, or two choices for a one-choice
    question."""
    questions = {q.pk: q for q in contest.questions.prefetch_related("choices")}
    clean: dict[str, object] = {}
    for key, given in answers.items():
        try:
            question = questions[int(key)]
        except (KeyError, TypeError, ValueError):
            raise ContestError(
                _("An answer is for a question not in this quiz."), code="bad_answer"
            ) from None
        if question.kind == QuestionKind.TEXT:
            if given in (None, ""):
                continue
            if not isinstance(given, str) or len(given) > 200:
                raise ContestError(
                    _("An answer is too long (at most 200 characters)."), code="bad_answer"
                )
            clean[str(question.pk)] = given.strip()
            continue
        given = [given] if isinstance(given, int | str) else list(given or [])
        try:
            chosen = sorted({int(value) for value in given})
        except (TypeError, ValueError):
            raise ContestError(
                _("An answer is not one of the choices."), code="bad_answer"
            ) from None
        if not chosen:
            continue
        if not set(chosen) <= {choice.pk for choice in question.choices.all()}:
            raise ContestError(_("An answer is not one of the choices."), code="bad_answer")
        if question.kind == QuestionKind.SINGLE and len(chosen) > 1:
            raise ContestError(
                _("Choose one answer for each one-choice question."), code="bad_answer"
            )
        clean[str(question.pk)] = chosen
    return clean


def _marks(contest: Contest, answers: dict[str, object]) -> dict[str, int]:
    marks = {}
    for question in contest.questions.prefetch_related("choices"):
        marks[str(question.pk)] = scoring.mark(
            kind=question.kind,
            points=question.points,
            correct_ids={c.pk for c in question.choices.all() if c.is_correct},
            accepted=question.accepted(),
            given=answers.get(str(question.pk)),
        )
    return marks


def submit_attempt(*, attempt: Attempt, answers: dict, at=None) -> Attempt:
    """Mark and store the member's answers. One transaction; locks the attempt row.

    Answers that arrive after the deadline (plus a short grace for the network) are not
    counted: the attempt is closed as timed out with no score. Raises ContestError, and
    changes nothing, when it was submitted before or an answer is malformed."""
    now = at or timezone.now()
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("contest").get(pk=attempt.pk)
        if locked.is_submitted:
            raise ContestError(_("You have already sent your answers."), code="already")
        contest = locked.contest
        if now > locked.deadline_at + GRACE:
            locked.timed_out = True
            locked.submitted_at = locked.deadline_at
            locked.answers, locked.marks, locked.score = {}, {}, 0
        else:
            clean = _checked_answers(contest, answers)
            locked.answers = clean
            locked.marks = _marks(contest, clean)
            locked.score = sum(locked.marks.values())
            locked.submitted_at = min(now, locked.deadline_at)
        taken = locked.submitted_at - locked.started_at
        locked.duration_ms = max(0, int(taken.total_seconds() * 1000))
        locked.save(
            update_fields=[
                "timed_out",
                "submitted_at",
                "answers",
                "marks",
                "score",
                "duration_ms",
            ]
        )
    for name in ("timed_out", "submitted_at", "answers", "marks", "score", "duration_ms"):
        setattr(attempt, name, getattr(locked, name))
    return attempt


# --- Photo contests ---------------------------------------------------------------------------


def submit_photo(*, contest: Contest, member, upload, caption: str, at=None) -> ContestPhoto:
    """Enter a photo (checked and re-encoded by portal.shell.pictures) with its caption.
    Refused (nothing stored) outside the submission window, for a suspended member or a
    spam brake (brakes.Refused), past the contest's photos per member, or for a bad picture
    (ValidationError on "photo"). One transaction; locks the contest row so a member's
    two quick submissions cannot pass the limit together."""
    now = at or timezone.now()
    _require_live(contest, ContestKind.PHOTO)
    caption = " ".join((caption or "").split())
    if not caption:
        raise ValidationError({"caption": _("Write a caption for your photo.")})
    if len(caption) > CAPTION_MAX:
        raise ValidationError(
            {
                "caption": _("The caption is too long: at most %(n)d characters.")
                % {"n": CAPTION_MAX}
            }
        )
    if not contest.submissions_open(now):
        raise ContestError(_("This contest is not taking photos now."), code="closed")
    brakes.check(member=member, kind="photo", source=caption, at=now)
    picture = clean_upload(upload, max_kb=CommunitySettings.load().max_image_kb, field="photo")
    with transaction.atomic():
        Contest.objects.select_for_update().filter(pk=contest.pk).first()
        entered = ContestPhoto.objects.filter(contest=contest, author=member).count()
        if entered >= contest.photos_per_member:
            raise ContestError(
                _("You have entered as many photos as this contest allows."), code="limit"
            )
        photo = ContestPhoto(
            contest=contest,
            author=member,
            body=caption,
            body_html=text.render(caption),
            created_at=now,
        )
        photo.photo.save(picture.name, picture, save=False)
        photo.save()
        brakes.note(member=member, kind="photo", source=caption, at=now)
    return photo


def vote(*, member, photo: ContestPhoto, at=None) -> PhotoVote:
    """The member's vote for `photo`: one per photo and member (database constraint), none
    for their own photo, at most the contest's votes per member, only while voting is
    open. Idempotent: voting again returns the vote. Pays the photo's author the
    PHOTO_VOTE_RECEIVED rule (subject the vote, actor the voter). One transaction."""
    now = at or timezone.now()
    contest = photo.contest
    _require_live(contest, ContestKind.PHOTO)
    existing = PhotoVote.objects.filter(photo=photo, member=member).first()
    if existing is not None:
        return existing
    if photo.is_hidden:
        raise ContestError(_("This photo has been removed."), code="hidden")
    if photo.author_id == member.pk:
        raise ContestError(_("You cannot vote for your own photo."), code="own_photo")
    if not contest.voting_open(now):
        raise ContestError(_("Voting is not open in this contest."), code="closed")
    brakes.check(member=member, kind="vote", at=now)
    with transaction.atomic():
        if contest.max_votes_per_member:
            # One member's votes in a row (their user row is the lock), so two votes sent
            # together cannot both pass the limit.
            get_user_model().objects.select_for_update().filter(pk=member.pk).first()
            used = PhotoVote.objects.filter(contest=contest, member=member).count()
            if used >= contest.max_votes_per_member:
                raise ContestError(
                    _("You have used all your %(n)d votes in this contest.")
                    % {"n": contest.max_votes_per_member},
                    code="vote_limit",
                )
        try:
            with transaction.atomic():
                ballot = PhotoVote.objects.create(
                    photo=photo, contest=contest, member=member, created_at=now
                )
        except IntegrityError:
            # The same vote sent twice at once: the first one stands, nothing else happens.
            return PhotoVote.objects.get(photo=photo, member=member)
        ContestPhoto.objects.filter(pk=photo.pk).update(vote_count=F("vote_count") + 1)
        activity.record(
            member=photo.author,
            action=Action.PHOTO_VOTE_RECEIVED,
            subject=ballot,
            actor=member,
            at=now,
        )
        brakes.note(member=member, kind="vote", at=now)
    return ballot


def withdraw_vote(*, member, photo: ContestPhoto, at=None) -> bool:
    """Take the member's vote back while voting is open: the author's points for it are
    revoked. Returns False when there was no vote. One transaction; locks the vote row."""
    now = at or timezone.now()
    contest = photo.contest
    _require_live(contest, ContestKind.PHOTO)
    if not contest.voting_open(now):
        raise ContestError(_("Voting is not open in this contest."), code="closed")
    with transaction.atomic():
        ballot = PhotoVote.objects.select_for_update().filter(photo=photo, member=member).first()
        if ballot is None:
            return False
        # Always taken back, whatever the rule says: else voting, withdrawing and voting
        # again would pay each time.
        activity.revoke(subject=ballot, actor=member, force=True)
        ballot.delete()
        ContestPhoto.objects.filter(pk=photo.pk, vote_count__gt=0).update(
            vote_count=F("vote_count") - 1
        )
    return True


def _votes_of(photo: ContestPhoto):
    return PhotoVote.objects.filter(photo=photo).select_related("member").order_by("pk")


def remove_photo(*, photo: ContestPhoto, moderator, reason: str, request=None) -> bool:
    """A moderator removes a photo: community.moderation.hide (logged, author told, flags
    upheld; the points its votes paid are taken back through ContestPhoto.reaction_awards).
    Returns False when it was already removed."""
    return moderation.hide(content=photo, moderator=moderator, reason=reason, request=request)


def restore_photo(*, photo: ContestPhoto, moderator, reason: str, request=None) -> bool:
    """Show a removed photo again (community.moderation.restore pays its votes again).
    Returns False when it was not removed."""
    return moderation.restore(content=photo, moderator=moderator, reason=reason, request=request)


# --- Closing ----------------------------------------------------------------------------------


@dataclass
class Closed:
    contest: Contest
    winners: list[Winner] = field(default_factory=list)
    # False when the contest had been closed before: nothing was paid this time.
    newly: bool = False


def _quiz_places(contest: Contest) -> list[dict]:
    attempts = (
        Attempt.objects.filter(
            contest=contest, submitted_at__isnull=False, timed_out=False, score__gt=0
        )
        .order_by("-score", "duration_ms", "submitted_at", "pk")
        .values("pk", "member_id", "score")[: contest.winners_count]
    )
    return [
        {"member_id": a["member_id"], "attempt_id": a["pk"], "score": a["score"]} for a in attempts
    ]


def _photo_places(contest: Contest) -> list[dict]:
    places: list[dict] = []
    seen: set[int] = set()
    photos = (
        ContestPhoto.objects.filter(contest=contest, is_hidden=False, vote_count__gt=0)
        .order_by("-vote_count", "created_at", "pk")
        .values("pk", "author_id", "vote_count")
    )
    for photo in photos.iterator():
        if photo["author_id"] in seen:
            continue  # one place per member: their best photo
        seen.add(photo["author_id"])
        places.append(
            {"member_id": photo["author_id"], "photo_id": photo["pk"], "score": photo["vote_count"]}
        )
        if len(places) == contest.winners_count:
            break
    return places


def _grant_badge(*, member, badge_id: int) -> None:
    """Give the badge once (database constraint); a new one is announced like any badge
    (gamification.hooks: the feed line)."""
    try:
        with transaction.atomic():
            held, created = MemberBadge.objects.get_or_create(member=member, badge_id=badge_id)
    except IntegrityError:
        return  # granted at the same moment elsewhere: held once all the same
    if created:
        hooks.badge_granted(member=member, member_badge=held)


def results_url(contest: Contest) -> str:
    return reverse("contests:results", args=[contest.slug])


def _tell_winner(winner: Winner, contest: Contest) -> None:
    from portal.notifications.services import language_of, notify

    member = winner.member
    with translation.override(language_of(member)):
        title = gettext("You won place %(rank)d in %(contest)s") % {
            "rank": winner.rank,
            "contest": contest.title,
        }
    notify(member=member, kind="contest_won", title=title[:200], url=results_url(contest))


def close_contest(*, contest: Contest, at=None) -> Closed:
    """Rank a finished contest once, record its winners, pay them (the CONTEST_WON rule,
    subject the Winner row, when the contest pays points; its badge when it has one),
    publish the result to the feed and tell the winners. Idempotent: a contest closed
    before is returned as it is and nothing is paid again. One transaction; locks the
    contest row, so two close jobs at once pay once. Raises ContestError before the close.

    Quiz places: higher score, then shorter time, then earlier submission; a score of 0
    wins nothing. Photo places: more votes, then earlier submission; removed photos and
    photos without votes win nothing; a member takes one place at most."""
    now = at or timezone.now()
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.closed_at is not None:
            winners = list(locked.winners.select_related("member"))
            return Closed(contest=locked, winners=winners, newly=False)
        if now < locked.closes_at:
            raise ContestError(_("This contest has not finished yet."), code="not_finished")
        places = _quiz_places(locked) if locked.is_quiz else _photo_places(locked)
        members = (
            get_user_model()
            .objects.select_related("profile")
            .in_bulk([p["member_id"] for p in places])
        )
        winners = []
        for rank, place in enumerate(places, start=1):
            winner = Winner.objects.create(
                contest=locked,
                rank=rank,
                member=members[place["member_id"]],
                attempt_id=place.get("attempt_id"),
                photo_id=place.get("photo_id"),
                score=place["score"],
                created_at=now,
            )
            if locked.pays_points:
                outcome = activity.record(
                    member=winner.member, action=Action.CONTEST_WON, subject=winner, at=now
                )
                winner.points = outcome.awarded
            if locked.badge_id:
                _grant_badge(member=winner.member, badge_id=locked.badge_id)
                winner.badge_id = locked.badge_id
            winner.save(update_fields=["points", "badge"])
            _tell_winner(winner, locked)
            winners.append(winner)
        locked.closed_at = now
        locked.save(update_fields=["closed_at"])
        feed.publish(
            verb="contest_result",
            target=locked,
            text=locked.title[:200],
            url=results_url(locked),
            at=now,
        )
    contest.closed_at = locked.closed_at
    return Closed(contest=locked, winners=winners, newly=True)


def close_due_contests(*, at=None) -> list[Closed]:
    """Close every published contest whose time is up and that is not closed yet, each in
    its own transaction. Idempotent (running it twice pays nothing twice)."""
    now = at or timezone.now()
    due = Contest.objects.filter(
        is_published=True, closed_at__isnull=True, closes_at__lte=now
    ).order_by("closes_at", "pk")
    return [close_contest(contest=contest, at=now) for contest in due]
