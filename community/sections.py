"""Parts other apps add to the member profile and interest group pages, without this app
importing them: the forums add "their posts" to a profile and "recent topics" to a group
page. An app registers a section from its AppConfig.ready():

    sections.add_profile_section(
        template="forums/includes/member_posts.html",
        context=lambda *, member, viewer: {"posts": ...},   # None: show nothing
    )
    sections.add_group_section(template=..., context=lambda *, group, viewer: {...})

The template is included with the returned dict as `section`. A section's context function
should cost a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[..., dict | None]


PROFILE_SECTIONS: list[Section] = []
GROUP_SECTIONS: list[Section] = []


def _add(registry: list[Section], template: str, context) -> None:
    if not any(s.template == template for s in registry):
        registry.append(Section(template, context))


def add_profile_section(*, template: str, context) -> None:
    """`context(member=..., viewer=...)` -> dict or None."""
    _add(PROFILE_SECTIONS, template, context)


def add_group_section(*, template: str, context) -> None:
    """`context(group=..., viewer=...)` -> dict or None."""
    _add(GROUP_SECTIONS, template, context)


def build(registry: list[Section], **kwargs) -> list[dict]:
    """[{"template": ..., "context": {...}}] for the sections that have something to show."""
    built = []
    for section in registry:
        context = section.context(**kwargs)
        if context is not None:
            built.append({"template": section.template, "context": context})
    return built
