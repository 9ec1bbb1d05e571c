from datetime import date, timedelta

import pytest
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from portal.demo import seed_home_page
from showcase.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    DealerDirectoryPage,
    ExecutiveMessageIndexPage,
    ExecutiveMessagePage,
    HallOfFamePage,
    VideoIndexPage,
    VideoPage,
)


@pytest.fixture
def home(db):
    return seed_home_page()


def add_page(parent, model, **fields):
    fields.setdefault("slug", fields["title"].lower().replace(" ", "-"))
    page = parent.add_child(instance=model(**fields))
    page.save_revision().publish()
    return page


def make_image(title="Picture"):
    return get_image_model().objects.create(title=title, file=get_test_image_file())


def announcement(index, n, *, image=True, **fields):
    fields.setdefault("title", f"Product {n}")
    return add_page(
        index,
        AnnouncementPage,
        product_name=fields.pop("product_name", f"Product {n}"),
        launch_date=fields.pop("launch_date", date(2026, 1, 1) + timedelta(days=n)),
        summary=f"Summary of product {n}",
        image=make_image(f"Product {n}") if image else None,
        **fields,
    )


def message(index, n, **fields):
    fields.setdefault("title", f"Message {n}")
    return add_page(
        index,
        ExecutiveMessagePage,
        executive_name=f"Executive {n}",
        executive_role="Chief executive",
        portrait=make_image(f"Portrait {n}"),
        date=date(2026, 1, 1) + timedelta(days=n),
        message=f"<p>Full message number {n}.</p>",
        **fields,
    )


def video(index, n, **fields):
    fields.setdefault("title", f"Video {n}")
    fields.setdefault("video_url", "https://youtu.be/aqz-KE-bpKQ")
    return add_page(
        index,
        VideoPage,
        thumbnail=make_image(f"Thumbnail {n}"),
        duration=timedelta(minutes=3, seconds=5),
        **fields,
    )


@pytest.fixture
def announcement_index(home):
    return add_page(home, AnnouncementIndexPage, title="New products")


@pytest.fixture
def message_index(home):
    return add_page(home, ExecutiveMessageIndexPage, title="Messages")


@pytest.fixture
def video_index(home):
    return add_page(home, VideoIndexPage, title="Videos")


@pytest.fixture
def directory(home):
    return add_page(home, DealerDirectoryPage, title="Dealers")


@pytest.fixture
def hall(home):
    return add_page(home, HallOfFamePage, title="Hall of fame")
