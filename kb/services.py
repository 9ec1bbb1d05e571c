"""Writes of the knowledge base."""

from django.db import transaction

from .models import AnswerFeedback, KBAnswerPage


@transaction.atomic
def record_feedback(*, answer: KBAnswerPage, helpful: bool) -> AnswerFeedback:
    """Store one "was this helpful?" vote. Not idempotent by itself: the view lets each
    browser session vote once per answer."""
    return AnswerFeedback.objects.create(answer=answer, helpful=helpful)
