"""The members' contest pages (logged-in members only): the list, a contest's page, taking
a quiz, results, the photo gallery with its vote buttons, entering a photo, the winners;
and the moderators' remove / restore of a photo. Every change is a POST to a service;
refusals come back as a message or a form error and change nothing."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from community import brakes, moderation
from portal.accounts.decorators import role_required

from . import selectors, services
from .forms import PhotoForm, QuizForm, ReasonForm, add_service_errors
from .models import Attempt, Contest, ContestKind, ContestPhoto

MODERATE = "accounts.moderate_community"
PHOTOS_PER_PAGE = 24
RESULTS_PER_PAGE = 50
CONTESTS_PER_PAGE = 10
REFUSALS = (services.ContestError, brakes.Refused)


def _contest(slug: str, kind: str | None = None) -> Contest:
    contest = get_object_or_404(selectors.published().select_related("badge"), slug=slug)
    if kind is not None and contest.kind != kind:
        raise Http404
    return contest


def _photo(contest: Contest, pk: int, *, include_hidden: bool = False) -> ContestPhoto:
    photos = ContestPhoto.objects.filter(contest=contest).select_related("author")
    if not include_hidden:
        photos = photos.filter(is_hidden=False)
    photo = get_object_or_404(photos, pk=pk)
    photo.contest = contest  # the contest is already at hand
    return photo


def _is_moderator(user) -> bool:
    return user.is_superuser or user.has_perm(MODERATE)


def _page(request, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# --- Lists ------------------------------------------------------------------------------------


@login_required
@require_safe
def contest_list(request):
    board = selectors.contest_board()
    return render(request, "contests/contest_list.html", board)


@login_required
@require_safe
def winners(request):
    page = _page(request, selectors.closed_contests_with_winners(), CONTESTS_PER_PAGE)
    return render(request, "contests/winners.html", {"page": page})


@login_required
@require_safe
def detail(request, slug: str):
    contest = _contest(slug)
    now = timezone.now()
    context = {"contest": contest, "now": now, "phase": contest.phase(now)}
    if contest.is_quiz:
        attempt = Attempt.objects.filter(contest=contest, member=request.user).first()
        context.update(attempt=attempt, question_count=contest.questions.count())
    else:
        context.update(
            photo_count=ContestPhoto.objects.filter(contest=contest, is_hidden=False).count(),
            my_photos=ContestPhoto.objects.filter(contest=contest, author=request.user).count(),
            submissions_open=contest.submissions_open(now),
            voting_open=contest.voting_open(now),
        )
    if contest.closed_at:
        context["winners"] = selectors.winners_of(contest)
    return render(request, "contests/contest_detail.html", context)


# --- Quizzes ----------------------------------------------------------------------------------


@login_required
@require_POST
def quiz_start(request, slug: str):
    contest = _contest(slug, ContestKind.QUIZ)
    try:
        services.start_attempt(contest=contest, member=request.user)
    except services.ContestError as refusal:
        messages.error(request, str(refusal))
        return redirect("contests:detail", slug=contest.slug)
    return redirect("contests:quiz", slug=contest.slug)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def quiz(request, slug: str):
    contest = _contest(slug, ContestKind.QUIZ)
    attempt = Attempt.objects.filter(contest=contest, member=request.user).first()
    if attempt is None:
        return redirect("contests:detail", slug=contest.slug)
    if attempt.is_submitted:
        return redirect("contests:results", slug=contest.slug)
    now = timezone.now()
    if now > attempt.deadline_at + services.GRACE:
        return render(
            request, "contests/quiz_timeout.html", {"contest": contest, "attempt": attempt}
        )
    questions = selectors.quiz_questions(contest)
    form = QuizForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_attempt(attempt=attempt, answers=form.answers())
        except services.ContestError as refusal:
            add_service_errors(form, refusal)
        else:
            if attempt.timed_out:
                messages.error(request, _("Time ran out before your answers arrived."))
            else:
                messages.success(
                    request, _("Your answers are in. The results come when the quiz closes.")
                )
            return redirect("contests:results", slug=contest.slug)
    remaining = max(attempt.deadline_at - now, timedelta(0))
    return render(
        request,
        "contests/quiz_attempt.html",
        {
            "contest": contest,
            "attempt": attempt,
            "form": form,
            "minutes_left": int(remaining.total_seconds() // 60),
        },
    )


def _answer_review(contest: Contest, attempt: Attempt | None) -> list[dict]:
    """After the close only: each question with the correct answer and the member's."""
    if attempt is None:
        return []
    review = []
    for question in selectors.quiz_questions(contest):
        given = attempt.answers.get(str(question.pk))
        choices = list(question.choices.all())
        review.append(
            {
                "question": question,
                "choices": choices,
                "chosen": set(given) if isinstance(given, list) else set(),
                "text": given if isinstance(given, str) else "",
                "accepted": question.accepted(),
                "points": attempt.marks.get(str(question.pk), 0),
            }
        )
    return review


@login_required
@require_safe
def results(request, slug: str):
    contest = _contest(slug)
    now = timezone.now()
    finished = contest.is_finished(now)
    context = {"contest": contest, "finished": finished, "now": now}
    if contest.is_photo:
        if not finished:
            return redirect("contests:gallery", slug=contest.slug)
        context["page"] = _page(request, selectors.ranked_photos(contest), RESULTS_PER_PAGE)
        context["winners"] = selectors.winners_of(contest) if contest.closed_at else []
        return render(request, "contests/photo_results.html", context)
    attempt = Attempt.objects.filter(contest=contest, member=request.user).first()
    context["attempt"] = attempt
    if finished:
        context["page"] = _page(request, selectors.ranked_attempts(contest), RESULTS_PER_PAGE)
        context["winners"] = selectors.winners_of(contest) if contest.closed_at else []
        context["review"] = _answer_review(
            contest, attempt if attempt and attempt.is_submitted else None
        )
    return render(request, "contests/quiz_results.html", context)


# --- Photo contests ---------------------------------------------------------------------------


@login_required
@require_safe
def gallery(request, slug: str):
    contest = _contest(slug, ContestKind.PHOTO)
    now = timezone.now()
    is_moderator = _is_moderator(request.user)
    page = _page(request, selectors.gallery(contest, include_hidden=is_moderator), PHOTOS_PER_PAGE)
    voted = selectors.voted_photo_ids(member=request.user, photos=page.object_list)
    votes_left = None
    if contest.max_votes_per_member and contest.voting_open(now):
        used = selectors.votes_used(member=request.user, contest=contest)
        votes_left = max(contest.max_votes_per_member - used, 0)
    return render(
        request,
        "contests/gallery.html",
        {
            "contest": contest,
            "page": page,
            "voted": voted,
            "votes_left": votes_left,
            "voting_open": contest.voting_open(now),
            "submissions_open": contest.submissions_open(now),
            "finished": contest.is_finished(now),
            "is_moderator": is_moderator,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def photo_new(request, slug: str):
    contest = _contest(slug, ContestKind.PHOTO)
    if not contest.submissions_open():
        messages.error(request, _("This contest is not taking photos now."))
        return redirect("contests:detail", slug=contest.slug)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_photo(
                contest=contest,
                member=request.user,
                upload=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
            )
        except (ValidationError, *REFUSALS) as refusal:
            add_service_errors(form, refusal)
        else:
            messages.success(request, _("Your photo is in the contest. Good luck!"))
            return redirect("contests:gallery", slug=contest.slug)
    return render(request, "contests/photo_new.html", {"contest": contest, "form": form})


def _back_to(photo: ContestPhoto, request) -> str:
    page = request.POST.get("page", "")
    url = reverse("contests:gallery", args=[photo.contest.slug])
    if page.isdigit():
        url += f"?page={page}"
    return f"{url}#photo-{photo.pk}"


@login_required
@require_POST
def photo_vote(request, slug: str, pk: int):
    contest = _contest(slug, ContestKind.PHOTO)
    photo = _photo(contest, pk)
    try:
        services.vote(member=request.user, photo=photo)
    except REFUSALS as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your vote is in."))
    return redirect(_back_to(photo, request))


@login_required
@require_POST
def photo_unvote(request, slug: str, pk: int):
    contest = _contest(slug, ContestKind.PHOTO)
    photo = _photo(contest, pk)
    try:
        withdrawn = services.withdraw_vote(member=request.user, photo=photo)
    except services.ContestError as refusal:
        messages.error(request, str(refusal))
    else:
        if withdrawn:
            messages.success(request, _("Your vote is taken back."))
    return redirect(_back_to(photo, request))


def _moderate(request, slug: str, pk: int, *, remove: bool):
    contest = _contest(slug, ContestKind.PHOTO)
    photo = _photo(contest, pk, include_hidden=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        act = services.remove_photo if remove else services.restore_photo
        try:
            done = act(
                photo=photo,
                moderator=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except moderation.ModerationRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            if done:
                messages.success(
                    request,
                    _("The photo is removed.") if remove else _("The photo is shown again."),
                )
            return redirect(_back_to(photo, request))
    return render(
        request,
        "contests/photo_moderate.html",
        {"contest": contest, "photo": photo, "form": form, "remove": remove},
    )


@role_required(MODERATE)
@require_http_methods(["GET", "POST"])
def photo_remove(request, slug: str, pk: int):
    return _moderate(request, slug, pk, remove=True)


@role_required(MODERATE)
@require_http_methods(["GET", "POST"])
def photo_restore(request, slug: str, pk: int):
    return _moderate(request, slug, pk, remove=False)
