"""What an account erasure (portal.accounts.erasure) does to the member's contest entries.
Registered from community.contests.apps; runs inside the erasure's transaction, idempotent.

keep_posts: the photos stay, shown under "Former member". Otherwise each photo's file is
deleted (once the erasure commits) and its caption blanked, and the photo is hidden for
good; the rows stay because the winners, the awards and the moderation log point at them.
Quiz attempts hold no more than choices and short answers to the club's questions; they
stay, under the pseudonym, for the results tables."""

from django.db import transaction
from django.utils import timezone

from .models import ContestPhoto

ERASED_REASON = "erased"


def erase_member(member, keep_posts: bool) -> None:
    if keep_posts:
        return
    photos = ContestPhoto.objects.filter(author=member)
    storage = ContestPhoto._meta.get_field("photo").storage
    names = [name for name in photos.values_list("photo", flat=True) if name]
    photos.update(photo="", body="", body_html="", is_hidden=True, hidden_reason=ERASED_REASON)
    photos.filter(hidden_at__isnull=True).update(hidden_at=member.erased_at or timezone.now())

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    # Only once the erasure is committed: a rollback must not leave rows without files.
    transaction.on_commit(delete_files)
