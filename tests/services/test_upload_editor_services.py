"""Services behind the polished uploads and editor: "Check again" on the same upload
(services/imports.recheck) and images into a bank's media (services/bank_media.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, ImportJob, Media, User
from quizapp.models.types import utcnow
from quizapp.services import bank_media, imports
from quizapp.services.errors import Conflict
from tests.factories import make_bank
from tests.images import gif, png

GIFT = "::a::Two and two? {=four ~five}\n\n::b::The sky is blue. {TRUE}\n"


def fresh(job_id: int) -> ImportJob:
    """The job as committed: an inline check ran in a session of its own, and this one's read
    transaction still sees the database as it was before."""
    db.session.rollback()
    return db.session.get(ImportJob, job_id)


@pytest.fixture
def owner(app, make_user):
    app.config["IMPORT_RUNNER"] = "inline"
    return make_user("t@example.com", role="teacher")


def test_recheck_replaces_the_text_of_the_same_upload_and_keeps_its_choices(app, owner):
    with app.app_context():
        job = imports.start(db.session.get(User, owner), "a.gift", (GIFT + "\n::c::Year? {#19x49}\n").encode(),
                            {"doc.txt": "Two and two make four."}, utcnow(), name="Sums", categories="banks")
        job = fresh(job.id)
        assert [e["question"] for e in imports.errors(job)] == ["c"]
        again = fresh(imports.recheck(job, GIFT.encode(), utcnow()).id)
        assert again.id == job.id and not imports.errors(again) and imports.can_save(again)
        assert again.result["bank_name"] == "Sums" and again.result["categories"] == "banks"
        assert again.documents == {"doc.txt": "Two and two make four."}
        assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 1


@pytest.mark.parametrize("state", ["queued", "checking", "saving", "saved"])
def test_recheck_leaves_an_upload_being_checked_or_saved_alone(app, owner, state):
    with app.app_context():
        job = fresh(imports.start(db.session.get(User, owner), "a.gift", GIFT.encode(), {}, utcnow()).id)
        assert job.status == "checked"
        job.status, job.action = state, ("check" if state in ("queued", "checking") else None)
        db.session.commit()
        with pytest.raises(Conflict, match="being checked or saved right now"):
            imports.recheck(job, b"::c::New? {TRUE}\n", utcnow())
        assert fresh(job.id).data == GIFT.encode() and fresh(job.id).status == state


def test_recheck_refuses_empty_text(app, owner):
    with app.app_context():
        job = imports.start(db.session.get(User, owner), "a.gift", GIFT.encode(), {}, utcnow())
        with pytest.raises(imports.UploadError, match="the file is empty"):
            imports.recheck(job, b" \n ", utcnow())


def test_start_refuses_an_unknown_choice_and_a_name_too_long(app, owner):
    with app.app_context():
        user = db.session.get(User, owner)
        with pytest.raises(imports.UploadError, match="unknown choice for categories 'folders'"):
            imports.start(user, "a.gift", GIFT.encode(), {}, utcnow(), categories="folders")
        with pytest.raises(imports.UploadError, match="the bank's name is 201 characters long; at most 200"):
            imports.start(user, "a.gift", GIFT.encode(), {}, utcnow(), name="x" * 201)
        assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_images_are_added_once_named_safely_and_listed(app, owner):
    with app.app_context():
        make_bank("cells", title="Cells", builtin=False, owner=db.session.get(User, owner))
        bank = db.session.scalar(select(Bank).where(Bank.slug == "cells"))
        assert bank_media.add_image(bank, "../Leaf photo.png", png(b"secret")) == "Leaf-photo.png"
        assert bank_media.add_image(bank, "copy.png", png(b"other secret")) == "Leaf-photo.png"  # same picture
        assert bank_media.add_image(bank, "Leaf photo.gif", gif()) == "Leaf-photo.gif"
        assert bank_media.image_names(bank) == ["Leaf-photo.gif", "Leaf-photo.png"]
        stored = db.session.scalar(select(Media).where(Media.name == "Leaf-photo.png"))
        assert stored.content_type == "image/png" and b"secret" not in stored.data
        with pytest.raises(bank_media.ImageRefused, match="x.png: not a PNG, JPEG, GIF or WebP image"):
            bank_media.add_image(bank, "x.png", b"GIF8 not really")
        assert db.session.scalar(select(func.count()).select_from(Media)) == 2
