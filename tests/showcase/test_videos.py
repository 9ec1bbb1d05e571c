"""Videos play from the three allowed hosts with no network, and a page whose video cannot
be framed still renders with a link."""

from unittest import mock

import pytest

from showcase.models import VideoPage
from showcase.video import PlayerFinder, player_src

from .conftest import video

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "src"),
    [
        ("https://www.youtube.com/watch?v=aqz-KE-bpKQ&t=5", "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"),
        ("https://youtu.be/aqz-KE-bpKQ", "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"),
        ("https://www.youtube.com/shorts/aqz-KE-bpKQ", "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://www.aparat.com/v/abc123", "https://www.aparat.com/video/video/embed/videohash/abc123/vt/frame"),
        ("https://www.youtube.com/watch?v=bad\"id", ""),
        ("https://evil.example/watch?v=aqz-KE-bpKQ", ""),
        ("https://youtube.com.evil.example/watch?v=aqz-KE-bpKQ", ""),
        ("javascript:alert(1)//youtu.be/aqz-KE-bpKQ", ""),
        ("", ""),
    ],
)  # fmt: skip
def test_player_address_is_worked_out_from_the_link(url, src):
    assert player_src(url) == src


def test_finder_is_a_wagtail_embed_finder_without_network():
    finder = PlayerFinder()
    with mock.patch("requests.get", side_effect=AssertionError("no network")):
        assert finder.accept("https://youtu.be/aqz-KE-bpKQ")
        embed = finder.find_embed("https://youtu.be/aqz-KE-bpKQ")
    assert 'src="https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"' in embed["html"]
    assert not finder.accept("https://example.com/video")


def test_video_page_frames_the_player_without_network(client, video_index):
    page = video(video_index, 1)
    with mock.patch("requests.get", side_effect=AssertionError("no network")):
        response = client.get(page.url)
    body = response.content.decode()
    assert '<iframe src="https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ"' in body
    assert 'title="Video: Video 1"' in body
    frames = response.headers["Content-Security-Policy"].split("frame-src")[1].split(";")[0]
    assert "https://www.youtube-nocookie.com" in frames
    assert "https://www.youtube.com" not in frames


def test_video_page_without_a_playable_embed_shows_a_link(client, video_index):
    page = video(video_index, 1)
    # Saved before the rule, or by a script: the page must still render.
    VideoPage.objects.filter(pk=page.pk).update(video_url="https://example.com/film")
    body = client.get(page.url).content.decode()
    assert "<iframe" not in body
    assert 'href="https://example.com/film"' in body


def test_video_page_plays_an_uploaded_file(client, video_index):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(
        title="Film", file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="film.mp4")
    )
    page = video(video_index, 1, video_url="", video_file=document)
    body = client.get(page.url).content.decode()
    assert "<video" in body and 'type="video/mp4"' in body and "<iframe" not in body


def test_a_document_that_is_not_a_video_is_refused(video_index):
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(
        title="Notes", file=ContentFile(b"notes", name="notes.pdf")
    )
    with pytest.raises(ValidationError) as refused:
        video(video_index, 1, video_url="", video_file=document)
    assert "video_file" in refused.value.message_dict
