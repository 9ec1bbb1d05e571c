"""The check every uploaded ticket file goes through (services.attach calls it).

- Size: at most DeskSettings.max_attachment_kb, and at most max_attachments_per_ticket
  files on a ticket.
- Type: decided from the bytes, never from the file name or the browser's content type.
  Accepted are JPEG, PNG and WebP pictures and PDF documents; anything else is refused.
- Pictures are decoded with Pillow (refusing decompression bombs) and encoded again from
  their pixels alone, so no EXIF or other metadata, no comment and no bytes appended after
  the picture survive: what is stored is a picture and nothing else.
- PDF files must start with `%PDF-` and carry no web page or script markup (a file that a
  browser could also read as HTML is refused).
- The file is stored under a random name with the extension of its real type; the name
  the customer gave is kept, cleaned, for display and downloads only.
"""

import secrets
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from portal.shell import pictures
from portal.shell.pictures import Kind

from .models import DeskSettings, TicketAttachment

NAME_LENGTH = 120
PDF_MAGIC = b"%PDF-"


PDF = Kind("PDF", "pdf", "application/pdf")

# Markup that makes a "PDF" something a browser could render as a page, and PDF actions
# that run code or other programs.
_PDF_REFUSED = (b"<html", b"<script", b"<!doctype", b"<body", b"<svg", b"<iframe", b"/launch")

REFUSED_TYPE = _("Only JPEG, PNG or WebP pictures and PDF documents can be attached.")


@dataclass(frozen=True)
class CheckedFile:
    """What services.attach stores: the cleaned bytes under a random name."""

    content: ContentFile
    name: str
    content_type: str
    size: int


def sniff(head: bytes) -> Kind | None:
    """The type of a file from its first bytes, or None for anything not accepted."""
    if head.startswith(PDF_MAGIC):
        return PDF
    return pictures.sniff(head)


def clean_name(name: str, extension: str) -> str:
    """The name the customer gave, safe to show and to send in Content-Disposition: no
    folders, no control or direction-override characters, the real type's extension,
    at most NAME_LENGTH characters."""
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: controls, Cf: format characters (bidi overrides, zero-width), Zl/Zp: separators.
    name = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in name
        if unicodedata.category(ch) != "Cf" or ch == "\u200c"  # ZWNJ belongs to Persian words
    )
    name = name.replace('"', "'").strip(" .")
    stem = name.rsplit(".", 1)[0].strip(" .") if "." in name else name
    stem = " ".join(stem.split()) or "file"
    suffix = f".{extension}"
    return stem[: NAME_LENGTH - len(suffix)].rstrip(" .") + suffix


def _refuse(message, code: str):
    raise ValidationError({"file": ValidationError(message, code=code)})


def _read(upload, limit_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit_bytes:
        return b""  # caller refuses on size before reading anything
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(limit_bytes + 1)


def _check_pdf(data: bytes) -> bytes:
    lowered = data.lower()
    if any(marker in lowered for marker in _PDF_REFUSED) or b"/javascript" in lowered:
        _refuse(
            _("This PDF contains web page or script content and cannot be attached."),
            "unsafe_pdf",
        )
    if b"%%eof" not in lowered[-2048:]:
        _refuse(_("This PDF is incomplete or damaged."), "broken_pdf")
    return data


def check(upload, *, ticket) -> CheckedFile:
    """Check `upload` (a Django UploadedFile or any file object with a name) for `ticket`
    and return what to store. ValidationError({"file": ...}) with a clear message for
    anything refused. The caller holds the ticket's lock, so the count is reliable."""
    desk = DeskSettings.load()
    if TicketAttachment.objects.filter(ticket=ticket).count() >= desk.max_attachments_per_ticket:
        _refuse(
            _("This ticket already has %(count)d files, the most it can hold.")
            % {"count": desk.max_attachments_per_ticket},
            "too_many_files",
        )
    limit = desk.max_attachment_kb * 1024
    data = _read(upload, limit)
    if not data and getattr(upload, "size", 0) == 0:
        _refuse(_("The file is empty."), "empty")
    if not data or len(data) > limit:
        _refuse(
            _("The file is too large: at most %(kb)d KB.") % {"kb": desk.max_attachment_kb},
            "too_large",
        )
    kind = sniff(data[:16])
    if kind is None:
        _refuse(REFUSED_TYPE, "refused_type")
    content = _check_pdf(data) if kind is PDF else pictures.reencode(data, kind)
    stored = ContentFile(content, name=f"{secrets.token_hex(16)}.{kind.extension}")
    return CheckedFile(
        content=stored,
        name=clean_name(getattr(upload, "name", ""), kind.extension),
        content_type=kind.content_type,
        size=len(content),
    )


def file_response(attachment, *, as_attachment: bool):
    """Send a stored attachment: never sniffed, never cached, sandboxed if a browser
    renders it. A file missing from storage is 404."""
    from django.http import FileResponse, Http404

    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        filename=attachment.name or f"file-{attachment.pk}",
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
