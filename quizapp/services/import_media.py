"""The images of an upload not yet saved (an Anki package's), for its preview.

Saved banks serve their images from the database (main.media); before saving they exist only in
the uploaded package, so each is read from there on request, within the package's limits.
"""
from __future__ import annotations

import mimetypes

from ..banks import formats
from ..banks.apkg import package_image
from ..models import ImportJob
from .errors import NotFound


def preview_image(job: ImportJob, name: str) -> tuple[bytes, str]:
    """(bytes, content type) of the image ``name`` of the job's upload; NotFound when it has none."""
    fmt = job.format if job.format != "auto" else formats.detect(job.data, job.filename)
    data = package_image(job.data, name) if fmt == "apkg" else None
    if data is None:
        raise NotFound(f"the upload has no image {name!r}")
    return data, mimetypes.guess_type(name)[0] or "application/octet-stream"
