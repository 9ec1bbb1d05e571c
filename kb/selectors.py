"""Reads of the knowledge base: the index and section listings (a constant number of
queries whatever the number of answers), the index's search box and the ticket form's
suggestions. Only live pages nobody restricted are ever returned."""

from django.db.models import Count

from portal.pages.search import MAX_QUERY

from .models import AnswerFeedback, KBAnswerPage, KBSectionPage, KnowledgeBaseIndexPage

INDEX_RESULTS = 20
SUGGESTIONS = 5


def live_answers():
    return KBAnswerPage.objects.live().public()


def sections_with_answers(*, index: KnowledgeBaseIndexPage) -> list[KBSectionPage]:
    """The index's live sections in tree order, each with `.answer_list` (its live answers
    in tree order). Four queries, whatever the number of sections and answers."""
    sections = list(KBSectionPage.objects.child_of(index).live().public().order_by("path"))
    by_path = {section.path: section for section in sections}
    for section in sections:
        section.answer_list = []
    answers = live_answers().descendant_of(index).order_by("path")
    for answer in answers.defer_streamfields():
        section = by_path.get(answer.path[: -KBAnswerPage.steplen])
        if section is not None:
            section.answer_list.append(answer)
    return sections


def answers_in(*, section: KBSectionPage) -> list[KBAnswerPage]:
    return list(live_answers().child_of(section).order_by("path"))


# Words too common to say what a subject is about. PostgreSQL's full-text search drops
# English ones itself; SQLite's fallback does not, and neither knows Persian.
COMMON_WORDS = frozenset(
    "a an and are at be but by can did do does for from has have how i in is it me my no "
    "not of on or our the this that to was we what when where who why with you your "
    "از با به برای این آن است را که در و یا من ما شما چه چرا کجا چطور چگونه هست نیست "
    "می‌شود شود کنم کنید".split()
)


def _keywords(query: str) -> str:
    """`query` without its common words, or as it was when nothing else is left."""
    words = query[:MAX_QUERY].split()
    kept = [word for word in words if word.lower().strip("?!.,؟،") not in COMMON_WORDS]
    return " ".join(kept or words)


def search_answers(*, query: str, within: KnowledgeBaseIndexPage | None = None, limit: int):
    """Live public answers matching any meaningful word of `query`, best first (Wagtail
    search)."""
    query = _keywords(query)
    if not query:
        return []
    answers = live_answers()
    if within is not None:
        answers = answers.descendant_of(within)
    return list(answers.search(query, operator="or")[:limit])


def suggestions(*, query: str, request=None) -> list[dict[str, str]]:
    """The ticket form's suggestions: title, address and a snippet of the best answers."""
    return [
        {"title": answer.title, "url": answer.get_url(request), "snippet": answer.snippet}
        for answer in search_answers(query=query, limit=SUGGESTIONS)
    ]


def feedback_counts(*, answer: KBAnswerPage) -> dict[str, int]:
    """How many votes said the answer helped ("yes") and how many did not ("no")."""
    rows = dict(
        AnswerFeedback.objects.filter(answer=answer)
        .values("helpful")
        .annotate(n=Count("id"))
        .values_list("helpful", "n")
    )
    return {"yes": rows.get(True, 0), "no": rows.get(False, 0)}
