"""Images as they are stored: decoded under a pixel limit, orientation applied, re-encoded
without EXIF, GPS or any other metadata, with a thumbnail."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from backend.attachments.errors import ImageTooLarge, UnsupportedFileType
from backend.attachments.sniffing import JPEG, PNG

THUMBNAIL_SIZE = (320, 320)
_FORMATS = {JPEG: "JPEG", PNG: "PNG"}


@dataclass(frozen=True)
class PreparedImage:
    content: bytes
    width: int
    height: int
    thumbnail: bytes


def _encode(image: Image.Image, content_type: str) -> bytes:
    buffer = io.BytesIO()
    if content_type == JPEG:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=88)
    else:
        image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


def _stripped(image: Image.Image) -> Image.Image:
    """The pixels alone: a fresh image carries no EXIF, XMP, ICC or text chunks to save."""
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    if image.mode == "P":
        palette = image.getpalette()
        if palette is not None:
            clean.putpalette(palette)
    return clean


def prepare_image(file: IO[bytes], content_type: str, max_pixels: int) -> PreparedImage:
    """The image to store, or IMAGE_TOO_LARGE (over `max_pixels`: a decompression bomb
    among others) or UNSUPPORTED_FILE_TYPE (not a decodable JPEG or PNG)."""
    file.seek(0)
    too_large = ImageTooLarge(
        f"The image is over the limit of {max_pixels} pixels.", field="file", maxPixels=max_pixels
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file, formats=[_FORMATS[content_type]])
            width, height = image.size
            if width * height > max_pixels:
                raise too_large
            image.load()
            oriented = ImageOps.exif_transpose(image) or image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UnsupportedFileType("The image cannot be decoded.", field="file") from None
    clean = _stripped(oriented)
    thumbnail = clean.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    return PreparedImage(
        content=_encode(clean, content_type),
        width=clean.width,
        height=clean.height,
        thumbnail=_encode(thumbnail, content_type),
    )
