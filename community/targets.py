"""What members may like and flag through the community's like and flag pages, and who may
see it. Each app registers its content from its AppConfig.ready():

    targets.register(Post, visible=lambda user, post: can_enter(user, post.topic.category))

A thing is addressed in URLs as "app_label.model" and its primary key. Unregistered
models, and things the member may not see, are "not found" (404) for those pages."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404


@dataclass(frozen=True)
class Target:
    model: type
    # visible(user, obj) -> bool: whether the member may see (and so like or flag) it.
    visible: Callable | None = None
    likes: bool = True
    flags: bool = True


REGISTRY: dict[str, Target] = {}


def label_of(obj_or_model) -> str:
    return obj_or_model._meta.label_lower


def register(model, *, visible=None, likes: bool = True, flags: bool = True) -> None:
    REGISTRY[label_of(model)] = Target(model, visible, likes, flags)


def is_moderator(user) -> bool:
    return bool(user.is_authenticated and user.has_perm("accounts.moderate_community"))


def can_see(user, obj) -> bool:
    """Hidden content: its author and moderators only. Then the registered check."""
    if getattr(obj, "is_hidden", False) and not (
        is_moderator(user) or getattr(obj, "author_id", None) == user.pk
    ):
        return False
    target = REGISTRY.get(label_of(obj))
    return target is None or target.visible is None or bool(target.visible(user, obj))


def resolve(label: str, pk: int, *, user, purpose: str):
    """The registered object `label` ("app_label.model") #pk that `user` may see, for
    `purpose` ("like" or "flag"); Http404 otherwise."""
    target = REGISTRY.get(label)
    if target is None or (purpose == "like" and not target.likes):
        raise Http404
    if purpose == "flag" and not target.flags:
        raise Http404
    obj = target.model._default_manager.filter(pk=pk).first()
    if obj is None or not can_see(user, obj):
        raise Http404
    return obj
