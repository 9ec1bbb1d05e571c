"""Member profiles: the public page, editing one's own, following."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.shell.errors import CodedError

from .. import likes, moderation, profiles, sections, services
from ..forms import ProfileForm, StatusForm
from ..links import member_url
from ..models import CommunityProfile, MemberFollow, StatusUpdate
from ..targets import is_moderator
from .common import back, refused

STATUS_PAGE = 20


def _profile(handle: str) -> CommunityProfile:
    return get_object_or_404(
        CommunityProfile.objects.select_related("member", "member__profile"),
        handle=handle.lower(),
    )


@login_required
@require_GET
def me(request):
    return redirect(member_url(profiles.profile_for(request.user).handle))


@login_required
@require_GET
def profile(request, handle: str):
    community_profile = _profile(handle)
    member = community_profile.member
    viewer = request.user
    own = member.pk == viewer.pk
    statuses = StatusUpdate.objects.filter(author=member)
    if not (own or is_moderator(viewer)):
        statuses = statuses.filter(is_hidden=False)
    page = Paginator(statuses, STATUS_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    liked = likes.liked_ids(member=viewer, targets=shown)
    for status in shown:
        status.liked = status.pk in liked
        status.author = member  # one author for all: no query each
    tier, badges = profiles.badges_and_tier([member]).get(member.pk, (None, []))
    context = {
        "community_profile": community_profile,
        "member": member,
        "own": own,
        "tier": tier,
        "badges": badges,
        "statuses": shown,
        "page": page,
        "followers": MemberFollow.objects.filter(followed=member).count(),
        "following": MemberFollow.objects.filter(follower=member).count(),
        "is_following": not own
        and MemberFollow.objects.filter(follower=viewer, followed=member).exists(),
        "profile_sections": sections.build(sections.PROFILE_SECTIONS, member=member, viewer=viewer),
        "form": StatusForm() if own else None,
        "suspension": moderation.active_suspension(member) if own else None,
        "is_moderator": is_moderator(viewer),
    }
    return render(request, "community/member_profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request):
    current = profiles.profile_for(request.user)
    initial = {"handle": current.handle, "bio": current.bio}
    form = ProfileForm(
        request.POST if request.method == "POST" else None, initial=initial, member=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            updated = profiles.update_profile(
                member=request.user,
                handle=form.cleaned_data["handle"],
                bio=form.cleaned_data["bio"],
            )
        except CodedError as error:
            form.add_error("handle" if error.code != "bio_too_long" else "bio", str(error.message))
        else:
            messages.success(request, _("Your community profile is saved."))
            return redirect(member_url(updated.handle))
    return render(
        request,
        "community/profile_edit.html",
        {"form": form, "community_profile": current},
        status=400 if form.errors else 200,
    )


def _followed(handle: str):
    followed = _profile(handle).member
    return followed, member_url(handle.lower())


@login_required
@require_POST
def follow(request, handle: str):
    followed, fallback = _followed(handle)
    try:
        if services.follow(follower=request.user, followed=followed):
            messages.success(
                request,
                _("You follow %(name)s: their news appears in your feed.")
                % {"name": followed.display_name},
            )
    except CodedError as error:
        return refused(request, error, fallback)
    return back(request, fallback)


@login_required
@require_POST
def unfollow(request, handle: str):
    followed, fallback = _followed(handle)
    if services.unfollow(follower=request.user, followed=followed):
        messages.success(
            request, _("You no longer follow %(name)s.") % {"name": followed.display_name}
        )
    return back(request, fallback)
