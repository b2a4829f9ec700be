"""Images a teacher adds to one of their banks from the question editor (banks/images.py checks
and strips them). They join the bank's media, so the bank's questions show them wherever they are
shown (study, preview, export) through ``main.media``, like the images of an uploaded package."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from ..banks.images import ImageError, clean_image, media_name
from ..banks.limits import DEFAULT_LIMITS, size_text
from ..extensions import db
from ..models import Bank, Media
from .errors import ServiceError
from .unit import transactional


class ImageRefused(ServiceError):
    """An image that cannot be added; the message says why."""


@transactional
def add_image(bank: Bank, filename: str, data: bytes) -> str:
    """Adds the image to the bank's media and returns its name there (an image already in the bank,
    byte for byte, is not stored twice: its name is returned)."""
    try:
        cleaned, kind = clean_image(data, filename or "image")
    except ImageError as exc:
        raise ImageRefused(str(exc)) from None
    existing = {m.name: m for m in db.session.scalars(select(Media).where(Media.bank_id == bank.id))}
    digest = hashlib.sha256(cleaned).digest()
    for name, row in existing.items():
        if row.content_type == kind and hashlib.sha256(row.data).digest() == digest:
            return name
    total = db.session.scalar(select(func.coalesce(func.sum(func.length(Media.data)), 0))
                              .where(Media.bank_id == bank.id)) or 0
    if len(existing) >= DEFAULT_LIMITS.max_media_files:
        raise ImageRefused(f"this bank has {len(existing)} images already, the most it may have")
    if total + len(cleaned) > DEFAULT_LIMITS.max_media_total:
        raise ImageRefused(f"this bank's images would take more than {size_text(DEFAULT_LIMITS.max_media_total)}")
    name = media_name(filename, kind, set(existing))
    db.session.add(Media(bank_id=bank.id, name=name, content_type=kind, data=cleaned))
    return name


def image_names(bank: Bank) -> list[str]:
    """The bank's images, by name."""
    return list(db.session.scalars(select(Media.name).where(Media.bank_id == bank.id,
                                                            Media.content_type.like("image/%"))
                                   .order_by(Media.name)))
