"""Pictures people upload (ticket files, forum images, contest photos, status photos):
the type is decided from the bytes, never from the name or the browser's word, and the
picture is decoded with Pillow (refusing decompression bombs) and encoded again from its
pixels alone, so no EXIF or other metadata, no comment and no bytes appended after the
picture survive: what is stored is a picture and nothing else."""

import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

# A picture larger than this many pixels is refused before it is decoded (40 megapixels:
# any phone photo, far below what a decompression bomb asks for).
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 90

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True)
class Kind:
    format: str  # Pillow's format name, or "PDF"
    extension: str
    content_type: str


JPEG = Kind("JPEG", "jpg", "image/jpeg")
PNG = Kind("PNG", "png", "image/png")
WEBP = Kind("WEBP", "webp", "image/webp")

REFUSED_TYPE = _("Only JPEG, PNG or WebP pictures can be uploaded.")


def sniff(head: bytes) -> Kind | None:
    """The picture type from the first bytes, or None for anything else."""
    if head.startswith(JPEG_MAGIC):
        return JPEG
    if head.startswith(PNG_MAGIC):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def _refuse(field: str, message, code: str):
    raise ValidationError({field: ValidationError(message, code=code)})


def reencode(data: bytes, kind: Kind, *, field: str = "file") -> bytes:
    """The picture in `data` encoded again from its pixels alone, upright, first frame
    only. ValidationError({field: ...}) for a picture that is unreadable or too large."""
    unreadable = _("This picture could not be read. Please attach a JPEG, PNG or WebP picture.")
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; both refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.format]) as picture:
                width, height = picture.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    _refuse(
                        field,
                        _("This picture is too large (more than 40 megapixels)."),
                        "too_many_pixels",
                    )
                picture.seek(0)  # the first frame of an animation only
                picture.load()
                # Turn it upright by its EXIF orientation before the EXIF goes.
                upright = ImageOps.exif_transpose(picture) or picture
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
                    upright.mode == "P" and "transparency" in upright.info
                )
                if kind is JPEG:
                    mode = "L" if upright.mode == "L" else "RGB"
                else:
                    mode = "RGBA" if has_alpha else ("L" if upright.mode == "L" else "RGB")
                pixels = upright.convert(mode)
                # A new image from the pixels alone: none of the original's info travels.
                clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except ValidationError:
        raise
    except Exception:  # a decoder fed hostile bytes may raise anything
        _refuse(field, unreadable, "unreadable_picture")
    out = io.BytesIO()
    if kind is JPEG:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind is PNG:
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def clean_upload(upload, *, max_kb: int, field: str = "image") -> ContentFile:
    """A checked, re-encoded picture from an uploaded file, under a random name with its
    real type's extension. ValidationError({field: ...}) with a clear message for an empty,
    too large, unreadable or non-picture file."""
    limit = max_kb * 1024
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        _refuse(
            field, _("The picture is too large: at most %(kb)d KB.") % {"kb": max_kb}, "too_large"
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if not data:
        _refuse(field, _("The file is empty."), "empty")
    if len(data) > limit:
        _refuse(
            field, _("The picture is too large: at most %(kb)d KB.") % {"kb": max_kb}, "too_large"
        )
    kind = sniff(data[:16])
    if kind is None:
        _refuse(field, REFUSED_TYPE, "refused_type")
    return ContentFile(
        reencode(data, kind, field=field), name=f"{secrets.token_hex(16)}.{kind.extension}"
    )
