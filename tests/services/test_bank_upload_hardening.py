"""Hostile and malformed native banks through the teacher's upload page (the web test client, the
job run inline): each is refused with an error naming its line, never a 500 or "Something went
wrong"; and what is refused leaves nothing in the database."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, ImportJob
from tests.conftest import csrf_from

HEAD = "bank: 1\nid: demo\ntitle: Demo\nquestions:\n"


def upload(client, data: bytes | str, filename: str):
    token = csrf_from(client.get("/teach/upload").get_data(as_text=True))
    payload = {"csrf_token": token, "fmt": "auto",
               "file": (io.BytesIO(data.encode() if isinstance(data, str) else data), filename)}
    return client.post("/teach/upload", data=payload, content_type="multipart/form-data")


def checked(app, client, data: bytes | str, filename: str) -> tuple[str, list[dict]]:
    """The preview page of the upload (asserted to be a 200 and not a failure) and its issues."""
    response = upload(client, data, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    url = response.headers["Location"]
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:300]
    assert "Something went wrong" not in text
    with app.app_context():
        job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
        assert job.status == "checked", job.result
        issues = job.result["issues"]
    errors = client.get(url + "/errors.txt")
    assert errors.status_code == 200
    return text, issues


def refused_at(app, client, data: bytes | str, filename: str, line: int, words: str) -> str:
    page, issues = checked(app, client, data, filename)
    errors = [i for i in issues if i["level"] == "error"]
    assert errors, issues
    assert any(i["line"] == line and words in i["message"] for i in errors), errors
    assert "Save " not in page or "errors to fix" in page or "error to fix" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 0
    return page


MALFORMED = {
    "pairs-of-numbers": (HEAD + "  - id: m\n    type: matching\n    prompt: Match\n    pairs: [1, 2]\n",
                         8, "pair"),
    "items-a-number": (HEAD + "  - id: o\n    type: ordering\n    prompt: Order\n    items: 5\n", 8, "must be a list"),
    "evidence-a-number": (HEAD + "  - id: f\n    type: flashcard\n    front: Mao\n    back: Chairman\n"
                                 "    source: doc\n    evidence: 5\n", 10, "text or a list"),
    "evidence-a-list-of-numbers": (HEAD + "  - id: f\n    type: flashcard\n    front: Mao\n    back: Chairman\n"
                                          "    evidence: [5, {a: 1}]\n", 9, "text or a list"),
    "deep-yaml": (HEAD + "  - id: f\n    type: flashcard\n    front: Mao\n    back: Chairman\n    x: "
                  + "[" * 200 + "]" * 200 + "\n", 9, "nest"),
    "huge-number-yaml": (HEAD + "  - id: n\n    type: numeric\n    prompt: How many?\n    answer: "
                         + "9" * 4000 + "\n", 8, "number of 4,000 characters"),
    "billion-laughs": ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                       + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
                                 for i in range(8))
                       + "bank: 1\nid: demo\ntitle: Demo\nquestions: *i\n", 1, "alias bomb"),
    "timestamp-tag": (HEAD + "  - id: f\n    type: flashcard\n    front: !!timestamp 2024-01-01\n    back: b\n",
                      7, "tag"),
    "nul-escape-yaml": (HEAD + '  - id: f\n    type: flashcard\n    front: "Mao\\0"\n    back: b\n', 7, "NUL"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_yaml_upload_gets_a_line_numbered_error_not_a_500(app, teacher, case):
    text, line, words = MALFORMED[case]
    refused_at(app, teacher, text, f"{case}.yaml", line, words)


def _json_bank(question: str) -> str:
    return '{\n  "bank": 1,\n  "id": "demo",\n  "title": "Demo",\n  "questions": [\n    ' + question + "\n  ]\n}\n"


MALFORMED_JSON = {
    "deep-json": (_json_bank('{"id": "f", "type": "flashcard", "front": "a", "back": "b", "x": '
                             + "[" * 5000 + "]" * 5000 + "}"), 6, "nest"),
    "huge-number-json": (_json_bank('{"id": "n", "type": "numeric", "prompt": "P", "answer": ' + "9" * 4000 + "}"),
                         6, "number of 4,000 characters"),
    "lone-surrogate": (_json_bank('{"id": "f", "type": "flashcard",\n    "front": "\\udfff", "back": "b"}'),
                       7, "lone surrogate"),
    "nul": (_json_bank('{"id": "f", "type": "flashcard",\n    "front": "Mao\\u0000", "back": "b"}'), 7, "NUL"),
    "nan": (_json_bank('{"id": "n", "type": "numeric",\n    "prompt": "P", "answer": 1, "x": NaN}'), 7, "finite"),
    "pairs-of-numbers": (_json_bank('{"id": "m", "type": "matching",\n    "prompt": "P", "pairs": [1, 2]}'),
                         7, "pair"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_JSON))
def test_a_malformed_json_upload_gets_a_line_numbered_error_not_a_500(app, teacher, case):
    text, line, words = MALFORMED_JSON[case]
    refused_at(app, teacher, text, f"{case}.json", line, words)


def test_a_lone_surrogate_is_refused_so_no_page_of_the_bank_can_fail(app, teacher):
    """Before: the bank saved, then every page showing it was a 500 (no UTF-8 for U+DFFF)."""
    text = _json_bank('{"id": "f", "type": "flashcard",\n    "front": "\\udfff", "back": "b"}')
    page = refused_at(app, teacher, text, "surrogate.json", 7, "lone surrogate (U+DFFF)")
    assert "\ufffd" in page or "front" in page  # the preview shows the question, made printable
    response = upload(teacher, text, "surrogate.json")
    url = response.headers["Location"]
    assert teacher.post(url + "/save", data={"csrf_token": csrf_from(page)}).status_code == 409


def test_over_long_names_are_refused_with_their_line(app, teacher):
    long_title = HEAD.replace("title: Demo", "title: " + "T" * 201) + (
        "  - id: f\n    type: flashcard\n    front: a\n    back: b\n")
    refused_at(app, teacher, long_title, "title.yaml", 3, "201 characters long; at most 200")
    long_id = HEAD + f"  - id: {'q' * 121}\n    type: flashcard\n    front: a\n    back: b\n"
    refused_at(app, teacher, long_id, "qid.yaml", 5, "121 characters long; at most 120")
    long_tag = HEAD + "  - id: f\n    type: flashcard\n    front: a\n    back: b\n    tags: [ok, " + "t" * 121 + "]\n"
    refused_at(app, teacher, long_tag, "tag.yaml", 9, "121 characters long; at most 120")


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


GOOD = (HEAD + "  - id: map\n    type: flashcard\n    format: html\n    front: '<img src=\"map.png\"> Where?'\n"
        "    back: Moscow\n")


@pytest.mark.parametrize(("entries", "words"), [
    ({"demo.yaml": GOOD.encode(), "media/../../etc/passwd": b"x"}, "outside the media folder"),
    ({"demo.yaml": GOOD.encode(), "/abs.png": b"x"}, "neither the bank file nor an image"),
    ({"demo.yaml": GOOD.encode(), "media/sub/map.png": b"x"}, "not a single file name"),
    ({"demo.yaml": GOOD.encode(), "other.yaml": GOOD.encode()}, "one bank file"),
])
def test_a_bank_zip_with_an_unsafe_entry_is_refused(app, teacher, entries, words):
    page, issues = checked(app, teacher, _zip(entries), "demo.zip")
    assert any(words in i["message"] for i in issues if i["level"] == "error"), issues
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 0


def test_a_zip_bomb_among_the_media_is_refused(app, teacher):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo.yaml", GOOD)
        archive.writestr("media/map.png", b"\0" * (50 * 1024 * 1024))
    page, issues = checked(app, teacher, bomb.getvalue(), "demo.zip")
    assert any("expands" in i["message"] for i in issues), issues


def test_export_of_a_bank_with_images_is_a_zip_that_uploads_back_with_them(app, teacher):
    """The bank page's YAML/JSON export carries the images (media/) and the same zip uploads back."""
    from quizapp.models import Media

    page, issues = checked(app, teacher, _zip({"demo.yaml": GOOD.encode(), "media/map.png": b"\x89PNG one"}),
                           "demo.zip")
    assert not [i for i in issues if i["level"] == "error"], issues
    url = re.search(r'action="(/teach/imports/\d+)/save"', page).group(1)
    assert teacher.post(url + "/save", data={"csrf_token": csrf_from(page)}).status_code == 302
    for fmt in ("yaml", "json"):
        exported = teacher.get(f"/teach/banks/demo/export/{fmt}")
        assert exported.status_code == 200 and exported.mimetype == "application/zip"
        assert 'filename="demo.zip"' in exported.headers["Content-Disposition"]
        names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
        assert sorted(names) == [f"demo.{fmt}", "media/map.png"]
    with app.app_context():
        db.session.execute(Media.__table__.update().values(data=b"changed"))
        db.session.commit()
    # Uploading the export again restores the image, and the bank (same owner) is updated in place.
    page, issues = checked(app, teacher, exported.data, "demo.zip")
    assert not [i for i in issues if i["level"] == "error"], issues
    url = re.search(r'action="(/teach/imports/\d+)/save"', page).group(1)
    assert teacher.post(url + "/save", data={"csrf_token": csrf_from(page)}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Media.data)) == b"\x89PNG one"
        assert db.session.scalar(select(func.count()).select_from(Bank)) == 1
