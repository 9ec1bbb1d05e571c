"""Every change to the forums: starting a topic, replying, editing (with history), following,
voting in a poll, and the moderators' forum actions (lock, pin, move, hide a topic, edit
with a note). One transaction each.

Members' actions go through the spam brakes (community.brakes: check, act, note), so a
suspended member reads but cannot post, edit or vote. Text is Markdown rendered and
sanitized by community.text.render. Points go through gamification.activity: a topic's
opening post pays "topic posted", a reply "comment posted" (Post.AWARD_ACTION says which,
so moderation.hide and restore take back and give back the right one). New topics in
categories open to every member go to the activity feed; mentions and followers are told,
but only those who may enter the category."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community import brakes, feed, mentions, moderation, profiles, text
from community.models import CommunitySettings, FeedVerb, ModerationAction
from gamification import activity
from gamification.models import Action
from portal.shell.errors import CodedError
from portal.shell.pictures import clean_upload

from . import selectors
from .models import (
    ForumCategory,
    Poll,
    PollChoice,
    PollVote,
    Post,
    PostImage,
    PostRevision,
    Topic,
    TopicFollow,
)

TITLE_LENGTH = 200
BODY_LENGTH = 20_000
NOTE_LENGTH = 300
MAX_IMAGES = 4
MAX_TAGS = 5
TAG_LENGTH = 40
POLL_CHOICES = (2, 10)


class ForumRefused(CodedError):
    code = "forum_refused"
    default_message = _("This cannot be done in the forums right now.")

    def __init__(self, message=None, *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


# --- Checks shared by the actions -------------------------------------------------------------


def _text(value: str, *, field_name: str, limit: int, label) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: ValidationError(_("Write something."), "required")})
    if len(value) > limit:
        raise ValidationError(
            {
                field_name: ValidationError(
                    _("%(what)s may be at most %(limit)d characters long.")
                    % {"what": label, "limit": limit},
                    "too_long",
                )
            }
        )
    return value


def _clean_tags(tags) -> list[str]:
    names = []
    for tag in tags or ():
        name = " ".join(str(tag).split()).strip(",#")
        if not name:
            continue
        if len(name) > TAG_LENGTH:
            raise ValidationError(
                {"tags": _("A tag may be at most %(n)d characters long.") % {"n": TAG_LENGTH}}
            )
        if name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)d tags.") % {"n": MAX_TAGS}})
    return names


def _clean_images(images) -> list:
    """The uploads checked and re-encoded (portal.shell.pictures), or ValidationError."""
    images = [image for image in images or () if image]
    if len(images) > MAX_IMAGES:
        raise ValidationError({"images": _("At most %(n)d pictures per post.") % {"n": MAX_IMAGES}})
    if not images:
        return []
    max_kb = CommunitySettings.load().max_image_kb
    return [clean_upload(image, max_kb=max_kb, field="images") for image in images]


def _require_entry(category: ForumCategory, member) -> None:
    if not selectors.can_enter(category, member):
        raise ForumRefused(_("This category is not open to you."), code="no_access")


def _refuse_if_suspended(member) -> None:
    """For an action the brakes do not count (editing): a suspension still stops it."""
    from portal.shell.templatetags.club_format import jdate

    until = brakes.suspended_until(member)
    if until is not None:
        raise brakes.Refused(
            "suspended",
            _("You are suspended from taking part until %(when)s.") % {"when": jdate(until, True)},
            until,
        )


def _attach(post: Post, pictures: list) -> None:
    for position, picture in enumerate(pictures):
        PostImage.objects.create(post=post, image=picture, position=position)


def _follow(topic: Topic, member) -> bool:
    try:
        with transaction.atomic():
            _row, created = TopicFollow.objects.get_or_create(topic=topic, member=member)
    except IntegrityError:  # followed at the same moment
        return False
    return created


# --- Telling people ----------------------------------------------------------------------------


class _MentionScope:
    """The post as community.mentions sees it, with the @handles of members who may not
    enter the category put in code spans (where mentions are not looked for), so nobody is
    told about a post they cannot open. The post itself is not changed."""

    def __init__(self, post: Post, hidden_handles: set[str]):
        self.pk = post.pk
        self.author_id = post.author_id

        def shield(match):
            return (
                f"`{match.group(0)}`"
                if match.group(1).lower() in hidden_handles
                else match.group(0)
            )

        self.body = text.MENTION.sub(shield, post.body)


def _tell_mentioned(post: Post, category: ForumCategory, author) -> set[int]:
    """Notify the members the post mentions who may enter its category. Returns their ids."""
    from portal.accounts.models import User

    handles = text.mentioned_handles(post.body)
    if not handles:
        return set()
    content = post
    if category.is_restricted or not category.is_active:
        allowed = set(
            User.objects.filter(selectors.entrants(category))
            .filter(community__handle__in=handles)
            .values_list("community__handle", flat=True)
        )
        outsiders = handles - allowed
        if outsiders:
            if not (handles - outsiders):
                return set()
            content = _MentionScope(post, outsiders)
    told = mentions.notify_mentions(content=content, author=author, url=post.get_absolute_url())
    return {member.pk for member in told}


def _tell_author_of_edit(post: Post, note: str) -> None:
    from portal.notifications.services import language_of, notify

    with translation.override(language_of(post.author)):
        title = gettext("A moderator edited your post")
    notify(
        member=post.author,
        kind="forum_post_edited",
        title=title,
        body=note,
        url=post.get_absolute_url(),
    )


def _tell_followers(topic: Topic, post: Post, author, *, skip: set[int]) -> int:
    """Notify the topic's followers (not the author, not those just told of a mention, not
    those who may no longer enter the category) of a new reply. Returns how many."""
    from portal.accounts.models import User
    from portal.notifications.services import language_of, notify

    followers = (
        User.objects.filter(followed_topics__topic=topic, is_active=True)
        .filter(selectors.entrants(topic.category))
        .exclude(pk=author.pk)
        .exclude(pk__in=skip)
        .select_related("profile")
        .distinct()
    )
    excerpt = text.plain(post.body, limit=200)
    count = 0
    for member in followers:
        with translation.override(language_of(member)):
            title = gettext("%(name)s replied in “%(topic)s”") % {
                "name": author.display_name,
                "topic": topic.title,
            }
        notify(
            member=member,
            kind="forum_reply",
            title=title[:200],
            body=excerpt,
            url=post.get_absolute_url(),
        )
        count += 1
    return count


# --- Topics and posts --------------------------------------------------------------------------


@dataclass(frozen=True)
class PollSpec:
    question: str
    choices: list[str] = field(default_factory=list)
    is_multiple: bool = False
    closes_at: datetime | None = None

    def cleaned(self, *, at) -> "PollSpec":
        question = " ".join((self.question or "").split())
        if not question:
            raise ValidationError({"poll_question": _("Ask the poll's question.")})
        if len(question) > 200:
            raise ValidationError({"poll_question": _("Keep the question under 200 characters.")})
        choices: list[str] = []
        for choice in self.choices:
            choice = " ".join((choice or "").split())
            if choice and choice.casefold() not in {c.casefold() for c in choices}:
                choices.append(choice)
        low, high = POLL_CHOICES
        if not low <= len(choices) <= high:
            raise ValidationError(
                {
                    "poll_choices": _("Give between %(low)d and %(high)d different answers.")
                    % {"low": low, "high": high}
                }
            )
        if any(len(choice) > 120 for choice in choices):
            raise ValidationError({"poll_choices": _("Keep each answer under 120 characters.")})
        if self.closes_at is not None and self.closes_at <= at:
            raise ValidationError({"poll_closes_at": _("Choose a closing date in the future.")})
        return PollSpec(question, choices, bool(self.is_multiple), self.closes_at)


def start_topic(
    *,
    author,
    category: ForumCategory,
    title: str,
    body: str,
    tags=(),
    images=(),
    poll: PollSpec | None = None,
    at=None,
) -> Topic:
    """Open a topic with its first post (and tags, pictures, a poll). Raises
    ValidationError (bad title, text, tags, pictures or poll), ForumRefused (the category
    is not open to the author) or brakes.Refused (suspended, too fast, too many, duplicate);
    nothing is saved then. The author follows the topic, earns "topic posted" for the
    opening post, mentioned members are told, and a category open to all members gets a
    feed line."""
    now = at or timezone.now()
    title = " ".join(
        _text(title, field_name="title", limit=TITLE_LENGTH, label=_("The title")).split()
    )
    body = _text(body, field_name="body", limit=BODY_LENGTH, label=_("The text"))
    tag_names = _clean_tags(tags)
    spec = poll.cleaned(at=now) if poll is not None else None
    _require_entry(category, author)
    if not category.is_active:
        raise ForumRefused(_("This category is closed."), code="closed")
    pictures = _clean_images(images)
    source = f"{title}\n{body}"
    with transaction.atomic():
        brakes.check(member=author, kind="topic", source=source, at=now)
        profiles.profile_for(author)
        topic = Topic.objects.create(
            category=category,
            author=author,
            title=title,
            created_at=now,
            last_post_at=now,
            post_count=1,
        )
        post = Post.objects.create(
            topic=topic,
            author=author,
            body=body,
            body_html=text.render(body),
            created_at=now,
            is_opening=True,
        )
        topic.first_post = post
        topic.save(update_fields=["first_post"])
        if tag_names:
            topic.tags.set(tag_names)
        _attach(post, pictures)
        if spec is not None:
            made = Poll.objects.create(
                topic=topic,
                question=spec.question,
                is_multiple=spec.is_multiple,
                closes_at=spec.closes_at,
                created_at=now,
            )
            PollChoice.objects.bulk_create(
                PollChoice(poll=made, text=choice, position=index)
                for index, choice in enumerate(spec.choices)
            )
        _follow(topic, author)
        activity.record(member=author, action=Action.TOPIC_POSTED, subject=post, at=now)
        if not category.is_restricted:
            feed.publish(
                verb=FeedVerb.TOPIC,
                actor=author,
                target=post,
                text=title,
                url=topic.get_absolute_url(),
                at=now,
            )
        _tell_mentioned(post, category, author)
        brakes.note(member=author, kind="topic", source=source, at=now)
    return topic


def _postable_topic(topic: Topic, member) -> Topic:
    """The topic's row, locked, if `member` may post in it; ForumRefused otherwise."""
    locked = (
        Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=topic.pk)
    )
    moderator = selectors.is_moderator(member)
    if not selectors.visible_topics(member).filter(pk=locked.pk).exists():
        raise ForumRefused(_("This topic is not open to you."), code="no_access")
    if locked.is_hidden or Post.objects.filter(pk=locked.first_post_id, is_hidden=True).exists():
        raise ForumRefused(_("This topic is hidden: it takes no replies."), code="hidden")
    if locked.is_locked and not moderator:
        raise ForumRefused(_("This topic is locked: it takes no more replies."), code="locked")
    return locked


def reply(
    *, author, topic: Topic, body: str, quote_of: Post | None = None, images=(), at=None
) -> Post:
    """Add a post to `topic`, maybe quoting one of its visible posts. Raises ValidationError,
    ForumRefused (no access, locked, hidden, a quote from elsewhere) or brakes.Refused, with
    nothing saved. Locks the topic row (its post count and last activity move with the
    post). Pays "comment posted"; the author follows the topic; mentioned members and the
    topic's followers are told."""
    now = at or timezone.now()
    body = _text(body, field_name="body", limit=BODY_LENGTH, label=_("The text"))
    if quote_of is not None and (quote_of.topic_id != topic.pk or quote_of.is_hidden):
        raise ForumRefused(_("You can only quote a visible post of this topic."), code="quote")
    pictures = _clean_images(images)
    with transaction.atomic():
        locked = _postable_topic(topic, author)
        brakes.check(member=author, kind="post", source=body, at=now)
        profiles.profile_for(author)
        post = Post.objects.create(
            topic=locked,
            author=author,
            body=body,
            body_html=text.render(body),
            created_at=now,
            quote_of=quote_of,
        )
        Topic.objects.filter(pk=locked.pk).update(post_count=F("post_count") + 1, last_post_at=now)
        _attach(post, pictures)
        _follow(locked, author)
        activity.record(member=author, action=Action.COMMENT_POSTED, subject=post, at=now)
        told = _tell_mentioned(post, locked.category, author)
        _tell_followers(locked, post, author, skip=told)
        brakes.note(member=author, kind="post", source=body, at=now)
    topic.post_count = locked.post_count + 1
    topic.last_post_at = now
    return post


def edit_post(
    *, post: Post, editor, body: str, title: str | None = None, note: str = "", request=None
) -> bool:
    """Change a post's text (and, for a topic's opening post, its title), keeping the
    previous version in PostRevision with who and when. Authors edit their own visible posts
    in topics that are not locked (not while suspended); moderators edit any post, and when
    it is someone else's they must leave a note, shown on the post as "edited by a
    moderator: ...", logged in the moderation log and sent to the author. Returns False
    when nothing changed. Locks the topic row, then the post's."""
    moderator = selectors.is_moderator(editor)
    own = post.author_id == editor.pk
    if not own and not moderator:
        raise ForumRefused(_("You can only edit your own posts."), code="not_yours")
    body = _text(body, field_name="body", limit=BODY_LENGTH, label=_("The text"))
    note = " ".join((note or "").split())
    if len(note) > NOTE_LENGTH:
        raise ValidationError(
            {"note": _("Keep the note under %(n)d characters.") % {"n": NOTE_LENGTH}}
        )
    by_moderator = not own
    if by_moderator and not note:
        raise ValidationError(
            {"note": _("Say what you changed and why: the note is shown with the post.")}
        )
    if title is not None:
        title = " ".join(
            _text(title, field_name="title", limit=TITLE_LENGTH, label=_("The title")).split()
        )
    now = timezone.now()
    with transaction.atomic():
        # Topic, then post: the order every forum action locks them in.
        topic = (
            Topic.objects.select_for_update(of=("self",))
            .select_related("category")
            .get(pk=post.topic_id)
        )
        locked = Post.objects.select_for_update(of=("self",)).get(pk=post.pk)
        locked.topic = topic
        if not moderator:
            _refuse_if_suspended(editor)
            if locked.is_hidden:
                raise ForumRefused(_("A hidden post cannot be edited."), code="hidden")
            if topic.is_locked or topic.is_hidden:
                raise ForumRefused(
                    _("This topic is locked: its posts stay as they are."), code="locked"
                )
            if not selectors.can_enter(topic.category, editor):
                raise ForumRefused(_("This topic is not open to you."), code="no_access")
        new_title = (
            title if (title is not None and locked.is_opening and title != topic.title) else None
        )
        if body == locked.body and new_title is None:
            return False
        PostRevision.objects.create(
            post=locked,
            body=locked.body,
            title=topic.title if new_title is not None else "",
            editor=editor,
            by_moderator=by_moderator,
            note=note if by_moderator else "",
            edited_at=now,
        )
        locked.body = body
        locked.body_html = text.render(body)
        locked.edited_at = now
        locked.edited_by = editor
        if by_moderator:
            locked.edit_note = note
        locked.save(update_fields=["body", "body_html", "edited_at", "edited_by", "edit_note"])
        if new_title is not None:
            Topic.objects.filter(pk=topic.pk).update(title=new_title)
        if by_moderator:
            moderation.log(
                moderator=editor,
                action=ModerationAction.EDIT,
                target=locked,
                member=locked.author,
                reason=note,
                request=request,
                topic=topic.pk,
                title_changed=new_title is not None,
            )
            _tell_author_of_edit(locked, note)
        if not locked.is_hidden:
            _tell_mentioned(locked, topic.category, locked.author)
    post.__dict__.update(
        {
            k: getattr(locked, k)
            for k in ("body", "body_html", "edited_at", "edited_by_id", "edit_note")
        }
    )
    return True


# --- Following ----------------------------------------------------------------------------------


def follow_topic(*, member, topic: Topic) -> bool:
    """Follow `topic` (told of every reply). Idempotent: False when already following."""
    if not selectors.visible_topics(member).filter(pk=topic.pk).exists():
        raise ForumRefused(_("This topic is not open to you."), code="no_access")
    return _follow(topic, member)


def unfollow_topic(*, member, topic: Topic) -> bool:
    deleted, _rows = TopicFollow.objects.filter(topic=topic, member=member).delete()
    return bool(deleted)


# --- Polls -------------------------------------------------------------------------------------


def vote(*, member, poll: Poll, choice_ids, at=None) -> list[PollVote]:
    """Cast `member`'s vote: one choice in a single-choice poll, one or more in a
    multiple-choice poll, once per poll (a vote is final). Raises ForumRefused (closed,
    already voted, bad choice, no access) or brakes.Refused (suspended, too many votes),
    with nothing saved. The database holds one vote per member per choice, and one per
    member in a single-choice poll, so concurrent requests cannot count twice (the loser
    gets "already voted"); two racing multiple-choice ballots can at most add up to one
    set of different choices."""
    now = at or timezone.now()
    try:
        wanted = {int(pk) for pk in choice_ids}
    except (TypeError, ValueError) as error:
        raise ForumRefused(_("Choose one of the answers."), code="choice") from error
    if not wanted:
        raise ForumRefused(_("Choose an answer."), code="choice")
    if not poll.is_multiple and len(wanted) != 1:
        raise ForumRefused(_("This poll takes one answer."), code="one_choice")
    topic = Topic.objects.select_related("category").get(pk=poll.topic_id)
    if not selectors.visible_topics(member, public_only=True).filter(pk=topic.pk).exists():
        raise ForumRefused(_("This topic is not open to you."), code="no_access")
    if topic.is_locked:
        raise ForumRefused(_("This topic is locked: its poll is closed."), code="closed")
    if not poll.is_open(now):
        raise ForumRefused(_("This poll is closed."), code="closed")
    choices = list(PollChoice.objects.filter(poll=poll, pk__in=wanted))
    if len(choices) != len(wanted):
        raise ForumRefused(_("Choose one of the answers."), code="choice")
    already = _("You have already voted in this poll.")
    with transaction.atomic():
        brakes.check(member=member, kind="vote", at=now)
        if PollVote.objects.filter(poll=poll, member=member).exists():
            raise ForumRefused(already, code="already_voted")
        try:
            with transaction.atomic():
                votes = PollVote.objects.bulk_create(
                    PollVote(
                        poll=poll,
                        choice=choice,
                        member=member,
                        single=not poll.is_multiple,
                        created_at=now,
                    )
                    for choice in choices
                )
        except IntegrityError as error:  # the same vote, a moment earlier
            raise ForumRefused(already, code="already_voted") from error
        brakes.note(member=member, kind="vote", at=now)
    return votes


# --- Moderators --------------------------------------------------------------------------------


def _require_moderator(member) -> None:
    if not selectors.is_moderator(member):
        raise ForumRefused(_("Only moderators can do this."), code="not_moderator")


def _toggle(
    *, topic: Topic, moderator, field_name: str, value: bool, action: str, reason: str, request
) -> bool:
    _require_moderator(moderator)
    with transaction.atomic():
        locked = Topic.objects.select_for_update(of=("self",)).get(pk=topic.pk)
        if getattr(locked, field_name) == value:
            return False
        setattr(locked, field_name, value)
        locked.save(update_fields=[field_name])
        moderation.log(
            moderator=moderator,
            action=action,
            target=locked,
            member=locked.author,
            reason=" ".join((reason or "").split()),
            request=request,
        )
    setattr(topic, field_name, value)
    return True


def set_locked(*, topic: Topic, moderator, locked: bool, reason: str = "", request=None) -> bool:
    """Lock (no more replies, edits or votes) or unlock a topic; logged. False when it
    already was."""
    action = ModerationAction.LOCK if locked else ModerationAction.UNLOCK
    return _toggle(
        topic=topic, moderator=moderator, field_name="is_locked", value=locked,
        action=action, reason=reason, request=request,
    )  # fmt: skip


def set_pinned(*, topic: Topic, moderator, pinned: bool, reason: str = "", request=None) -> bool:
    """Pin a topic to the top of its category, or unpin it; logged."""
    action = ModerationAction.PIN if pinned else ModerationAction.UNPIN
    return _toggle(
        topic=topic, moderator=moderator, field_name="is_pinned", value=pinned,
        action=action, reason=reason, request=request,
    )  # fmt: skip


def move_topic(
    *, topic: Topic, moderator, category: ForumCategory, reason: str = "", request=None
) -> bool:
    """Move a topic to another category; logged with both categories. Its feed line is
    hidden when the new category is restricted (and shown again, or published, when it
    opens to every member). False when it is already there."""
    _require_moderator(moderator)
    with transaction.atomic():
        locked = (
            Topic.objects.select_for_update(of=("self",))
            .select_related("category", "first_post")
            .get(pk=topic.pk)
        )
        if locked.category_id == category.pk:
            return False
        previous = locked.category
        locked.category = category
        locked.save(update_fields=["category"])
        opening = locked.first_post
        if opening is not None:
            if category.is_restricted:
                feed.set_hidden(target=opening, hidden=True)
            elif not opening.is_hidden and not locked.is_hidden:
                feed.publish(
                    verb=FeedVerb.TOPIC,
                    actor=locked.author,
                    target=opening,
                    text=locked.title,
                    url=locked.get_absolute_url(),
                    at=locked.created_at,
                )
                feed.set_hidden(target=opening, hidden=False)
        moderation.log(
            moderator=moderator,
            action=ModerationAction.MOVE,
            target=locked,
            member=locked.author,
            reason=" ".join((reason or "").split()),
            request=request,
            from_category=previous.name,
            to_category=category.name,
        )
    topic.category = category
    return True


def hide_topic(*, topic: Topic, moderator, reason: str, request=None) -> bool:
    """Hide a whole topic: it leaves every list and page but moderators'; its opening post
    is hidden through moderation.hide (points taken back, feed line hidden, flags upheld,
    logged, the author told). False when it was hidden already."""
    _require_moderator(moderator)
    with transaction.atomic():
        locked = (
            Topic.objects.select_for_update(of=("self",))
            .select_related("first_post")
            .get(pk=topic.pk)
        )
        changed = moderation.hide(
            content=locked.first_post, moderator=moderator, reason=reason, request=request
        )
        if not locked.is_hidden:
            locked.is_hidden = True
            locked.save(update_fields=["is_hidden"])
            changed = True
    topic.is_hidden = True
    return changed


def restore_topic(*, topic: Topic, moderator, reason: str, request=None) -> bool:
    """Show a hidden topic again, restoring its opening post (moderation.restore: points
    given back, feed line shown, pending flags rejected, logged, the author told)."""
    _require_moderator(moderator)
    with transaction.atomic():
        locked = (
            Topic.objects.select_for_update(of=("self",))
            .select_related("first_post", "category")
            .get(pk=topic.pk)
        )
        changed = moderation.restore(
            content=locked.first_post, moderator=moderator, reason=reason, request=request
        )
        if locked.category.is_restricted:
            feed.set_hidden(target=locked.first_post, hidden=True)
        if locked.is_hidden:
            locked.is_hidden = False
            locked.save(update_fields=["is_hidden"])
            changed = True
    topic.is_hidden = False
    return changed


def hide_post(*, post: Post, moderator, reason: str, request=None) -> bool:
    """Hide one post (a topic's opening post hides the topic: hide_topic)."""
    _require_moderator(moderator)
    if post.is_opening:
        return hide_topic(topic=post.topic, moderator=moderator, reason=reason, request=request)
    return moderation.hide(content=post, moderator=moderator, reason=reason, request=request)


def restore_post(*, post: Post, moderator, reason: str, request=None) -> bool:
    _require_moderator(moderator)
    if post.is_opening:
        return restore_topic(topic=post.topic, moderator=moderator, reason=reason, request=request)
    return moderation.restore(content=post, moderator=moderator, reason=reason, request=request)


# Quoting: the reply form starts with the quoted post's text as a Markdown blockquote.
QUOTE_LINES = 12


def quote_source(post: Post) -> str:
    """The start of `post`'s source as a Markdown blockquote, for the reply form."""
    lines = (post.body or "").strip().splitlines()[:QUOTE_LINES]
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    return f"{quoted}\n\n" if quoted else ""
