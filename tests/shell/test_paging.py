"""KeysFirstPaginator gives the same pages as Django's Paginator, orphans included."""

import pytest
from django.core.paginator import Paginator

from portal.accounts.models import User
from portal.shell.paging import KeysFirstPaginator


@pytest.mark.parametrize("orphans", [0, 2])
def test_same_pages_as_the_plain_paginator(make_user, orphans):
    for _ in range(11):
        make_user()
    users = User.objects.order_by("-email")
    plain = Paginator(users, 4, orphans=orphans)
    keys_first = KeysFirstPaginator(users, 4, orphans=orphans)
    assert keys_first.num_pages == plain.num_pages
    for number in plain.page_range:
        assert list(keys_first.page(number)) == list(plain.page(number))
    assert list(keys_first.get_page("nonsense")) == list(plain.get_page(1))


def test_a_page_costs_two_queries(make_user, django_assert_num_queries):
    for _ in range(5):
        make_user()
    paginator = KeysFirstPaginator(User.objects.order_by("pk"), 2)
    paginator.count  # noqa: B018 - counted once, as by the page's template
    with django_assert_num_queries(2):
        assert len(list(paginator.page(3))) == 1  # 5 members, 2 a page
