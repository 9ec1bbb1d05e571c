"""Taking part: a new topic, a reply (maybe quoting), editing one's post, following a topic
and voting in its poll. (Likes and flags are the community's own pages, community:like
and community:flag, which reach a post through community.targets.) Each view parses the
form, calls the service and shows its refusal (brakes, locks, access) on the form with
nothing changed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from community import brakes, moderation
from portal.shell.errors import CodedError

from .. import selectors, services
from ..forms import EditForm, ReplyForm, TopicForm, VoteForm, add_service_errors
from ..models import Poll, Post
from .common import post_location, post_or_404, topic_or_404
from .reading import render_topic

REFUSALS = (ValidationError, CodedError)


@require_http_methods(["GET", "POST"])
@login_required
def topic_new(request, slug: str):
    category = get_object_or_404(
        selectors.visible_categories(request.user).select_related("min_tier", "group"), slug=slug
    )
    form = TopicForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.start_topic(
                author=request.user,
                category=category,
                title=data["title"],
                body=data["body"],
                tags=form.tag_names(),
                images=data["images"],
                poll=form.poll_spec(),
            )
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your topic is posted."))
            return redirect(topic)
    return render(
        request,
        "forums/topic_new.html",
        {
            "category": category,
            "form": form,
            "suspension": moderation.active_suspension(request.user),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def reply(request, pk: int):
    topic = topic_or_404(request.user, pk)
    quote = None
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("quote_of"):
                    quote = Post.objects.filter(pk=data["quote_of"], topic=topic).first()
                    if quote is None:
                        raise services.ForumRefused(
                            _("You can only quote a visible post of this topic."), code="quote"
                        )
                post = services.reply(
                    author=request.user,
                    topic=topic,
                    body=data["body"],
                    quote_of=quote,
                    images=data["images"],
                )
            except REFUSALS as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your reply is posted."))
                return redirect(post_location(post))
    else:
        initial = {}
        quote_pk = request.GET.get("quote", "")
        if quote_pk.isdigit():
            quote = Post.objects.filter(pk=int(quote_pk), topic=topic, is_hidden=False).first()
            if quote is not None:
                initial = {"quote_of": quote.pk, "body": services.quote_source(quote)}
        form = ReplyForm(initial=initial)
    return render(
        request,
        "forums/post_reply.html",
        {
            "topic": topic,
            "form": form,
            "quote": quote,
            "suspension": moderation.active_suspension(request.user),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def post_edit(request, pk: int):
    post = post_or_404(request.user, pk)
    moderator = selectors.is_moderator(request.user)
    own = post.author_id == request.user.pk
    if not own and not moderator:
        raise Http404
    options = {"with_title": post.is_opening, "with_note": not own}
    if request.method == "POST":
        form = EditForm(request.POST, **options)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = services.edit_post(
                    post=post,
                    editor=request.user,
                    body=data["body"],
                    title=data.get("title"),
                    note=data.get("note", ""),
                    request=request,
                )
            except REFUSALS as error:
                add_service_errors(form, error)
            else:
                if changed:
                    messages.success(request, _("The post is saved."))
                return redirect(post_location(post))
    else:
        form = EditForm(initial={"title": post.topic.title, "body": post.body}, **options)
    return render(
        request,
        "forums/post_edit.html",
        {"post": post, "topic": post.topic, "form": form, "own": own},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def topic_follow(request, pk: int):
    topic = topic_or_404(request.user, pk)
    if request.POST.get("follow") == "0":
        if services.unfollow_topic(member=request.user, topic=topic):
            messages.success(request, _("You no longer follow this topic."))
    else:
        try:
            services.follow_topic(member=request.user, topic=topic)
        except CodedError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("You follow this topic: you are told of every reply."))
    return redirect(topic)


@require_POST
@login_required
def poll_vote(request, pk: int):
    topic = topic_or_404(request.user, pk)
    poll = get_object_or_404(Poll, topic=topic)
    form = VoteForm(request.POST, poll=poll, choices=list(poll.choices.all()))
    if form.is_valid():
        try:
            services.vote(member=request.user, poll=poll, choice_ids=form.choice_ids())
        except (services.ForumRefused, brakes.Refused) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your vote is counted."))
            return redirect(f"{topic.get_absolute_url()}#poll")
    return render_topic(request, topic, vote_form=form, status=400)


urlpatterns = [
    path("c/<str:slug>/new/", topic_new, name="topic-new"),
    path("t/<int:pk>/reply/", reply, name="topic-reply"),
    path("t/<int:pk>/follow/", topic_follow, name="topic-follow"),
    path("t/<int:pk>/vote/", poll_vote, name="poll-vote"),
    path("p/<int:pk>/edit/", post_edit, name="post-edit"),
]
