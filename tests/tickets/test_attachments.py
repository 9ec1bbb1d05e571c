"""Uploaded files: type from the bytes, pictures re-encoded (nothing but the picture is
stored), size and count limits, and who may attach what (services.attach)."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from tickets import attachments, services
from tickets.models import DeskSettings, EventKind, Status, TicketAttachment, TicketEvent

pytestmark = pytest.mark.django_db

JUNK = b"<html><script>alert('x')</script></html>"
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def picture(fmt="PNG", size=(8, 6), colour=(200, 30, 40), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def exif_bytes() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "TrackerSoft 1.0"  # Software
    return exif.tobytes()


def upload(content: bytes, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_bytes(attachment: TicketAttachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def test_png_with_exif_text_and_trailing_junk_is_reencoded(ticket):
    info = PngInfo()
    info.add_text("Comment", "GPS 35.6892N 51.3890E")
    dirty = picture("PNG", pnginfo=info, exif=exif_bytes()) + JUNK
    assert b"SecretCam" in dirty and b"GPS 35" in dirty

    attachment = services.attach(ticket=ticket, uploaded_by=None, upload=upload(dirty))

    data = stored_bytes(attachment)
    assert JUNK not in data and b"script" not in data
    assert b"SecretCam" not in data and b"GPS 35" not in data
    assert b"eXIf" not in data and b"tEXt" not in data
    clean = Image.open(io.BytesIO(data))
    assert clean.format == "PNG" and clean.size == (8, 6)
    assert not clean.getexif()
    assert clean.convert("RGB").getpixel((3, 3)) == (200, 30, 40)
    assert attachment.content_type == "image/png" and attachment.size == len(data)
    assert attachment.file.name.endswith(".png")
    assert "photo" not in attachment.file.name  # a random name on disk
    assert attachment.name == "photo.png"


def test_jpeg_exif_is_dropped(ticket):
    dirty = picture("JPEG", exif=exif_bytes()) + JUNK
    attachment = services.attach(
        ticket=ticket, uploaded_by=None, upload=upload(dirty, "IMG_0001.JPG", "image/jpeg")
    )
    data = stored_bytes(attachment)
    assert data.startswith(b"\xff\xd8\xff")
    assert b"Exif" not in data and b"SecretCam" not in data and JUNK not in data
    assert attachment.content_type == "image/jpeg" and attachment.name == "IMG_0001.jpg"


def test_webp_is_accepted(ticket):
    attachment = services.attach(
        ticket=ticket, uploaded_by=None, upload=upload(picture("WEBP"), "a.webp", "image/webp")
    )
    assert attachment.content_type == "image/webp"
    assert Image.open(io.BytesIO(stored_bytes(attachment))).format == "WEBP"


def test_the_type_comes_from_the_bytes_not_the_name(ticket):
    # A PNG called "report.pdf" and sent as application/pdf is stored as what it is.
    attachment = services.attach(
        ticket=ticket,
        uploaded_by=None,
        upload=upload(picture("PNG"), "report.pdf", "application/pdf"),
    )
    assert attachment.content_type == "image/png" and attachment.name == "report.png"


def test_a_pdf_is_accepted_as_it_is(ticket):
    attachment = services.attach(
        ticket=ticket, uploaded_by=None, upload=upload(PDF, "receipt.pdf", "application/pdf")
    )
    assert stored_bytes(attachment) == PDF
    assert attachment.content_type == "application/pdf" and attachment.file.name.endswith(".pdf")
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ATTACHMENT)
    assert event.detail["attachment"] == attachment.pk and event.actor is None


@pytest.mark.parametrize(
    ("content", "name", "content_type", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "holiday.png", "image/png", "refused_type"),
        (
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "a.png",
            "image/png",
            "refused_type",
        ),
        (b"GIF89a\x01\x00\x01\x00<script>alert(1)</script>", "a.gif", "image/gif", "refused_type"),
        (b"%PDF-1.4\n" + JUNK + b"\n%%EOF\n", "polyglot.pdf", "application/pdf", "unsafe_pdf"),
        (
            b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
            b"\nendobj\n%%EOF\n",
            "js.pdf",
            "application/pdf",
            "unsafe_pdf",
        ),
        (b"%PDF-1.4\n1 0 obj <<>> endobj\n", "cut.pdf", "application/pdf", "broken_pdf"),
        (
            b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 5,
            "x.png",
            "image/png",
            "unreadable_picture",
        ),
        (b"\xff\xd8\xff\xe0" + JUNK, "x.jpg", "image/jpeg", "unreadable_picture"),
        (b"", "empty.png", "image/png", "empty"),
    ],
)
def test_refused_files_save_nothing(ticket, content, name, content_type, code):
    with pytest.raises(ValidationError) as caught:
        services.attach(ticket=ticket, uploaded_by=None, upload=upload(content, name, content_type))
    [error] = caught.value.error_dict["file"]
    assert error.code == code
    assert str(error.message)  # a message for people
    assert not TicketAttachment.objects.exists()
    assert not TicketEvent.objects.filter(kind=EventKind.ATTACHMENT).exists()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb's header)."""
    data = bytearray(picture("PNG", size=(1, 1)))
    ihdr = bytearray(data[12:29])  # b"IHDR" + 13 bytes
    ihdr[4:12] = struct.pack(">II", width, height)
    data[16:29] = ihdr[4:]
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (8_000, 6_000)])
def test_a_decompression_bomb_is_refused_before_decoding(ticket, width, height):
    with pytest.raises(ValidationError) as caught:
        services.attach(
            ticket=ticket, uploaded_by=None, upload=upload(_png_claiming(width, height))
        )
    assert caught.value.error_dict["file"][0].code in ("too_many_pixels", "unreadable_picture")
    assert not TicketAttachment.objects.exists()


def test_an_oversized_file_is_refused(ticket):
    desk = DeskSettings.load()
    desk.max_attachment_kb = 1
    desk.save()
    big = PDF[:-7] + b"%" + b"x" * 2048 + b"\n%%EOF\n"
    with pytest.raises(ValidationError) as caught:
        services.attach(ticket=ticket, uploaded_by=None, upload=upload(big, "big.pdf"))
    error = caught.value.error_dict["file"][0]
    assert error.code == "too_large" and "1 KB" in str(error.message)
    assert not TicketAttachment.objects.exists()
    # Just within the limit is fine.
    services.attach(ticket=ticket, uploaded_by=None, upload=upload(PDF, "small.pdf"))


def test_at_most_the_set_number_of_files_per_ticket(ticket, open_guest_ticket):
    desk = DeskSettings.load()
    desk.max_attachments_per_ticket = 2
    desk.save()
    for _ in range(2):
        services.attach(ticket=ticket, uploaded_by=None, upload=upload(PDF, "a.pdf"))
    with pytest.raises(ValidationError) as caught:
        services.attach(ticket=ticket, uploaded_by=None, upload=upload(PDF, "a.pdf"))
    assert caught.value.error_dict["file"][0].code == "too_many_files"
    assert TicketAttachment.objects.filter(ticket=ticket).count() == 2
    # The limit is per ticket.
    services.attach(ticket=open_guest_ticket(), uploaded_by=None, upload=upload(PDF, "a.pdf"))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\me\\scan.PDF", "scan.pdf"),
        ("evil\u202egnp.exe", "evilgnp.png"),
        ('a"b\r\nc.png', "a'b c.png"),
        ("", "file.png"),
        ("...", "file.png"),
        ("رسید خرید.png", "رسید خرید.png"),
        ("x" * 300 + ".png", "x" * 116 + ".png"),
    ],
)
def test_display_names_are_cleaned(given, expected):
    assert attachments.clean_name(given, expected.rsplit(".", 1)[1]) == expected
    assert len(attachments.clean_name(given, "png")) <= attachments.NAME_LENGTH


def test_the_customer_adds_no_file_to_a_closed_ticket(ticket, agent):
    services.change_status(ticket=ticket, to=Status.CLOSED, actor=agent)
    with pytest.raises(services.TicketClosed):
        services.attach(ticket=ticket, uploaded_by=None, upload=upload(PDF, "a.pdf"))
    # Staff still may, e.g. for the record.
    services.attach(ticket=ticket, uploaded_by=agent, upload=upload(PDF, "a.pdf"))
    assert TicketAttachment.objects.filter(ticket=ticket).count() == 1


def test_customers_add_no_internal_files_and_strangers_none(ticket, make_user):
    with pytest.raises(services.InternalNoteRefused):
        services.attach(ticket=ticket, uploaded_by=None, upload=upload(PDF), internal=True)
    with pytest.raises(PermissionDenied):
        services.attach(ticket=ticket, uploaded_by=make_user(), upload=upload(PDF))
    assert not TicketAttachment.objects.exists()


def test_a_file_on_an_internal_note_is_internal(ticket, agent):
    note = services.add_reply(ticket=ticket, author=agent, body="Check CCTV", internal=True)
    attachment = services.attach(
        ticket=ticket, uploaded_by=agent, upload=upload(PDF, "cctv.pdf"), message=note
    )
    assert attachment.is_internal and attachment.message == note
