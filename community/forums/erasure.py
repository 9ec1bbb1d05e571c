"""What erasing a member's account does to their forum posts (registered with
portal.accounts.erasure from ForumsConfig.ready, run inside the erasure's transaction)."""

from django.utils.translation import gettext

from community.erasure import ERASED_REASON
from community.models import FeedItem, FeedVerb

from .models import Post, PostImage, PostRevision, Topic, TopicFollow


def erase_member_posts(member, keep_posts: bool) -> None:
    """Stop following topics either way. With `keep_posts` the posts stay, shown under the
    pseudonymised name. Without it every post of theirs is emptied and hidden (the row
    stays: other posts quote it, points entries refer to it), its pictures and earlier
    versions are deleted, the topics they opened lose their title and their "started a
    topic" feed lines go. Idempotent."""
    TopicFollow.objects.filter(member=member).delete()
    if keep_posts:
        return
    posts = Post.objects.filter(author=member)
    for image in PostImage.objects.filter(post__in=posts):
        image.image.delete(save=False)
        image.delete()
    PostRevision.objects.filter(post__in=posts).delete()
    posts.update(body="", body_html="", is_hidden=True, hidden_reason=ERASED_REASON, edit_note="")
    posts.filter(hidden_at__isnull=True).update(hidden_at=member.erased_at)
    Topic.objects.filter(author=member).update(title=gettext("Removed topic"))
    FeedItem.objects.filter(actor=member, verb=FeedVerb.TOPIC).delete()
