"""Uploads and the question editor, polished (issue 18): the bank named at upload, GIFT categories
as tags or banks, "Check again" on the same upload, line links in "Fix it here", credits, penalties
and feedback per answer in the preview and the form, images added to a bank from the editor."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, ImportJob, Media, Question, User
from tests.conftest import AuthActions, csrf_from
from tests.factories import make_bank
from tests.images import gif, jpeg, png

GIFT = """::before::Asked before any category? {=yes ~no}

$CATEGORY: $course$/top/Maths/Fractions

::half::Half of one? {=1/2 ~%50%1/3#Close. ~%-25%2#No: that is double.}

$CATEGORY: $course$/top/History

::prc::When was the PRC proclaimed? {#1949:0 =%50%1950:0#One year late}
"""


def upload(client, text: str, filename="term1.gift", **fields):
    token = csrf_from(client.get("/teach/upload").get_data(as_text=True))
    return client.post("/teach/upload", data={"csrf_token": token, "fmt": "auto", **fields,
                                              "file": (io.BytesIO(text.encode()), filename)},
                       content_type="multipart/form-data")


def opened(client, response) -> tuple[str, str]:
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def save(client, url: str):
    return client.post(url + "/save", data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))})


def banks(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [(b.slug, b.title, len([q for q in b.questions if not q.retired]))
                for b in db.session.scalars(select(Bank).order_by(Bank.id))]


# -- the bank's name and GIFT categories -------------------------------------------------------


def test_the_upload_form_asks_for_the_banks_name_and_what_categories_become(teacher):
    page = teacher.get("/teach/upload").get_data(as_text=True)
    assert re.search(r'<label for="bank_name">Bank name</label>', page)
    assert re.search(r"<legend>GIFT categories \(\$CATEGORY lines\)</legend>", page)
    radios = re.findall(r'<input ([^>]*)type="radio"([^>]*)>', page)
    assert [("checked" in a + b, re.search(r'value="(\w+)"', a + b).group(1)) for a, b in radios] == [
        (True, "tags"), (False, "banks")]
    assert "One bank, categories as tags" in page and "One bank per category" in page
    assert "js/teach_editor.js" in page  # fills the name in from the chosen file


def test_the_teachers_name_names_the_bank_even_for_the_questions_before_the_first_category(app, teacher):
    url, page = opened(teacher, upload(teacher, GIFT, bank_name="Year 9 revision"))
    assert re.search(r"for the bank <strong>Year 9 revision</strong> \(id <code>year-9-revision</code>\)", page)
    assert save(teacher, url).status_code == 302
    assert banks(app) == [("year-9-revision", "Year 9 revision", 3)]
    with app.app_context():  # categories as tags (the default)
        tags = {q.key: q.data.get("tags") for q in db.session.scalars(select(Question))}
    assert tags == {"before": None, "half": ["maths", "fractions"], "prc": ["history"]}


def test_without_a_name_the_file_names_the_bank_as_before(app, teacher):
    url, page = opened(teacher, upload(teacher, GIFT))
    assert "for the bank <strong>Fractions</strong>" in page


def test_a_name_longer_than_a_title_may_be_is_refused_in_the_form(app, teacher):
    refused = upload(teacher, GIFT, bank_name="x" * 201)
    assert refused.status_code == 400
    assert "Bank name</a>: Field cannot be longer than 200 characters." in refused.get_data(as_text=True)
    assert banks(app) == [] and _jobs(app) == 0


def test_one_bank_per_category_previews_each_bank_and_saves_them_all_at_once(app, teacher):
    url, page = opened(teacher, upload(teacher, GIFT, bank_name="Revision", categories="banks"))
    assert "<strong>3</strong> questions\n        in <strong>3</strong> banks, one per category" in page
    assert re.search(r"<strong>Maths / Fractions</strong> \(id <code>maths-fractions</code>\): 1 question", page)
    assert save(teacher, url).status_code == 302
    assert banks(app) == [("revision", "Revision", 1), ("maths-fractions", "Maths / Fractions", 1),
                          ("history", "History", 1)]
    with app.app_context():  # the category is the bank: no category tags
        assert all(not q.data.get("tags") for q in db.session.scalars(select(Question)))
    # Uploading the same file again updates the same three banks (no copies).
    url2, page2 = opened(teacher, upload(teacher, GIFT, bank_name="Revision", categories="banks"))
    assert page2.count("updates your bank of this id") == 3
    assert save(teacher, url2).status_code == 302 and len(banks(app)) == 3


def test_one_bank_per_category_is_all_or_nothing(app, teacher, monkeypatch):
    from quizapp.services import imports

    url, _ = opened(teacher, upload(teacher, GIFT, categories="banks"))
    real = imports.save_bank
    calls = []

    def fails_on_the_third(bank, **kw):
        calls.append(bank.id)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(bank, **kw)

    monkeypatch.setattr(imports, "save_bank", fails_on_the_third)
    save(teacher, url)
    assert "Nothing was saved" in teacher.get(url).get_data(as_text=True)
    assert calls == ["term1", "maths-fractions", "history"] and banks(app) == []


def test_an_error_in_one_category_stops_every_bank(app, teacher):
    url, page = opened(teacher, upload(teacher, GIFT.replace("{#1949:0", "{#19x49:0"), categories="banks"))
    assert "1 error to fix" in page and "Save " not in page
    assert save(teacher, url).status_code == 409 and banks(app) == []


def test_an_unknown_choice_for_categories_is_a_form_error(app, teacher):
    refused = upload(teacher, GIFT, categories="folders")
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)
    assert _jobs(app) == 0


# -- Check again, and the line links -----------------------------------------------------------


def _jobs(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ImportJob))


def test_fix_it_here_numbers_every_line_and_each_error_links_to_its_line(teacher):
    url, page = opened(teacher, upload(teacher, GIFT.replace("{#1949:0", "{#19x49:0")))
    assert re.search(r'<a href="#line-9" class="line-link" data-line="9"><strong>line 9</strong></a>', page)
    gutter = re.search(r'<ol class="line-numbers" aria-hidden="true">(.*?)</ol>', page).group(1)
    assert re.findall(r'<li id="line-(\d+)"', gutter) == [str(n) for n in range(1, 10)]
    assert '<li id="line-9" class="line-error">9</li>' in gutter and 'id="line-8" class' not in gutter
    assert re.search(r'<textarea[^>]*id="recheck-text"[^>]*rows="10"', page) or \
        re.search(r'<textarea[^>]*rows="10"[^>]*id="recheck-text"', page)


def test_check_again_updates_the_same_upload_and_keeps_the_teachers_choices(app, teacher):
    broken = GIFT.replace("{#1949:0", "{#19x49:0")
    url, page = opened(teacher, upload(teacher, broken, bank_name="Revision", categories="banks"))
    assert "1 error to fix" in page
    again = teacher.post(url + "/recheck", data={"csrf_token": csrf_from(page), "text": GIFT})
    url2, page2 = opened(teacher, again)
    assert url2 == url and "No errors" in page2 and "in <strong>3</strong> banks" in page2
    assert _jobs(app) == 1
    listing = teacher.get("/teach/imports").get_data(as_text=True)
    assert len(re.findall(r"<tr data-job=", listing)) == 1 and "checked, not saved" in listing
    assert save(teacher, url).status_code == 302
    assert [b[:2] for b in banks(app)] == [("revision", "Revision"), ("maths-fractions", "Maths / Fractions"),
                                           ("history", "History")]


def test_check_again_is_refused_once_saved_for_empty_text_and_for_someone_elses_upload(app, teacher, make_user):
    url, page = opened(teacher, upload(teacher, GIFT))
    token = csrf_from(page)
    empty = teacher.post(url + "/recheck", data={"csrf_token": token, "text": "   \n"})
    assert empty.status_code == 400
    assert save(teacher, url).status_code == 302
    late = teacher.post(url + "/recheck", data={"csrf_token": token, "text": GIFT})
    assert late.status_code == 409 and "being checked or saved" in late.get_data(as_text=True)
    make_user("other@example.com", role="teacher")
    other = app.test_client()
    AuthActions(other).login("other@example.com")
    assert other.post(url + "/recheck", data={"csrf_token": csrf_from(other.get("/teach/").get_data(as_text=True)),
                                              "text": GIFT}).status_code == 404
    with app.app_context():
        job = db.session.scalar(select(ImportJob))
        assert job.status == "saved" and job.data == GIFT.encode()


# -- credits, penalties and feedback per answer ------------------------------------------------


def test_the_preview_shows_credits_penalties_and_feedback_per_answer(teacher):
    _, page = opened(teacher, upload(teacher, GIFT))
    assert re.search(r"1/3\s*<span class=\"credit\">credit 50%</span><br><span class=\"muted\">Feedback: Close\.",
                     page)
    assert re.search(r"2\s*<span class=\"credit penalty\">penalty -25%</span><br><span class=\"muted\">"
                     r"Feedback: No: that is double\.", page)
    assert re.search(r"<strong>1950</strong>\s*<span class=\"credit\">credit 50%</span><br>"
                     r"<span class=\"muted\">Feedback: One year late", page)


@pytest.fixture
def own_bank(app, teacher):
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "teacher@example.com"))
        make_bank("maths", [
            {"id": "half", "type": "multiple_choice", "prompt": "Half of one?", "choices": ["1/2", "1/3", "2"],
             "answer": "1/2"},
            {"id": "when", "type": "numeric", "prompt": "When?", "answer": 1949},
            {"id": "capital", "type": "short_answer", "prompt": "Capital of Australia?",
             "answers": ["Canberra", "Sydney"]},
        ], title="Maths", builtin=False, owner=owner)
    return teacher


class QuestionForm(HTMLParser):
    """What the browser would send from the question form (its inputs, text areas, chosen options)."""

    def __init__(self):
        super().__init__()
        self.values, self.inside, self.field, self.select = {}, False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = "data-question-form" in a
        elif self.inside and tag == "input" and a.get("type") not in ("checkbox", "submit"):
            self.values[a["name"]] = a.get("value") or ""
        elif self.inside and tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.values[a["name"]] = "y"
        elif self.inside and tag == "textarea":
            self.field = a["name"]
            self.values[self.field] = ""
        elif self.inside and tag == "select":
            self.select = a["name"]
        elif self.select and tag == "option" and "selected" in a:
            self.values[self.select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.field = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.field:
            self.values[self.field] += data.lstrip("\r\n") if not self.values[self.field] else data


def edit(client, key: str, **fields):
    """The question's form as the page shows it, with ``fields`` changed, sent; "Save anyway" is
    pressed when the page asks first (a changed credit restarts nobody here: no one has studied)."""
    url = f"/teach/banks/maths/questions/{key}/edit"
    form = QuestionForm()
    form.feed(client.get(url).get_data(as_text=True))
    return client.post(url, data={**form.values, **fields})


def stored(app, key: str) -> dict:
    with app.app_context():
        return db.session.scalar(select(Question).where(Question.key == key)).data


def test_the_form_edits_credits_penalties_and_feedback_per_choice(app, own_bank):
    page = own_bank.get("/teach/banks/maths/questions/half/edit").get_data(as_text=True)
    assert '<label for="f_weights">Partial credit or penalty per choice</label>' in page
    assert '<label for="f_feedback">Feedback per choice</label>' in page
    saved = edit(own_bank, "half", f_weights="1/3 = 50%\n2 = -0.25", f_feedback="2 = No: that is double.")
    assert saved.status_code == 302
    data = stored(app, "half")
    assert data["weights"] == {"1/3": 0.5, "2": -0.25} and data["feedback"] == {"2": "No: that is double."}
    # Shown back as typed, to edit again, under a preview of the saved question.
    again = own_bank.get("/teach/banks/maths/questions/half/edit").get_data(as_text=True)
    assert re.search(r'name="f_weights"[^>]*>\s*1/3 = 0.5\n2 = -0.25</textarea>', again)
    preview = again.split('id="saved-preview"', 1)[1].split("</details>", 1)[0]
    assert re.search(r"1/3\s*<span class=\"credit\">credit 50%</span>", preview)
    assert re.search(r"2\s*<span class=\"credit penalty\">penalty -25%</span><br><span class=\"muted\">Feedback: "
                     r"No: that is double\.", preview)


def test_a_wrong_credit_is_named_with_its_choice_and_nothing_is_saved(app, own_bank):
    refused = edit(own_bank, "half", f_weights="1/3 = 150%")
    assert refused.status_code == 400
    assert "&#39;1/3&#39;: Must be a number from -1 to 1." in refused.get_data(as_text=True)
    assert "weights" not in stored(app, "half")


def test_numeric_alternatives_with_partial_credit_in_the_form(app, own_bank):
    saved = edit(own_bank, "when", f_alternatives="1950 | 0 | 50% | One year late",
                 f_wrong_feedback="No: October 1949.")
    assert saved.status_code == 302
    data = stored(app, "when")
    assert data["alternatives"] == [{"answer": 1950, "tolerance": 0, "weight": 0.5, "feedback": "One year late"}]
    assert data["wrong_feedback"] == "No: October 1949."
    refused = edit(own_bank, "when", f_alternatives="1950 | 0 | 50%\n1951 | 0 | lots")
    assert refused.status_code == 400
    assert "Line 2 (credit): Must be a number from -1 to 1." in refused.get_data(as_text=True)


def test_short_answer_alternatives_with_credit_in_the_form(app, own_bank):
    saved = edit(own_bank, "capital", f_weights="Sydney = 25%", f_feedback="Sydney = The largest city.")
    assert saved.status_code == 302
    data = stored(app, "capital")
    assert data["weights"] == {"Sydney": 0.25} and data["feedback"] == {"Sydney": "The largest city."}
    refused = edit(own_bank, "capital", f_weights="Melbourne = 1")
    assert refused.status_code == 400 and "&#39;Melbourne&#39;: Names no listed answer." in refused.get_data(
        as_text=True)


# -- images ------------------------------------------------------------------------------------


def add_image(client, data: bytes, name: str, json=False, alt="A cell"):
    page = client.get("/teach/banks/maths/questions/half/edit").get_data(as_text=True)
    return client.post("/teach/banks/maths/images",
                       data={"csrf_token": csrf_from(page), "alt": alt, "image": (io.BytesIO(data), name),
                             "back": "/teach/banks/maths/questions/half/edit"},
                       headers={"Accept": "application/json"} if json else {}, content_type="multipart/form-data")


def test_an_image_goes_into_the_banks_media_stripped_and_is_served_as_an_image(app, own_bank):
    page = own_bank.get("/teach/banks/maths/questions/half/edit").get_data(as_text=True)
    assert 'accept="image/png,image/jpeg,image/gif,image/webp"' in page and "Add the image" in page
    added = add_image(own_bank, jpeg(b"GPS 51.5N"), "My cell photo.png", json=True)
    assert added.status_code == 201
    body = added.get_json()
    assert body["name"] == "My-cell-photo.jpg" and body["markdown"] == "![A cell](My-cell-photo.jpg)"
    served = own_bank.get(body["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"GPS" not in served.data and served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # The same image again is not stored twice; another gets its own name.
    assert add_image(own_bank, jpeg(b"GPS 51.5N"), "again.jpg", json=True).get_json()["name"] == "My-cell-photo.jpg"
    assert add_image(own_bank, gif(), "My cell photo.gif", json=True).get_json()["name"] == "My-cell-photo.gif"
    # Without script: back to the editor with the Markdown to paste; the editor lists the bank's images.
    plain = add_image(own_bank, png(), "leaf.png")
    assert plain.status_code == 302 and plain.headers["Location"] == "/teach/banks/maths/questions/half/edit"
    editor = own_bank.get(plain.headers["Location"]).get_data(as_text=True)
    assert "put ![A cell](leaf.png) in the question" in editor and "<code>![leaf](leaf.png)</code>" in editor


def test_a_question_written_in_markdown_shows_the_image(app, own_bank):
    add_image(own_bank, png(), "leaf.png")
    saved = edit(own_bank, "half", f_prompt="Half of one? ![A leaf](leaf.png)", text_format="markdown")
    assert saved.status_code == 302 and stored(app, "half")["format"] == "markdown"
    with app.app_context():
        bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == "maths"))
    page = own_bank.get("/teach/banks/maths").get_data(as_text=True)
    assert f'<img src="/media/{bank_id}/leaf.png" alt="A leaf">' in page
    # A post without the format input leaves the question's format as it was.
    assert edit(own_bank, "half", f_prompt="Half of one?").status_code == 302
    assert stored(app, "half")["format"] == "markdown"


@pytest.mark.parametrize(("data", "name", "message"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg",
     "x.svg: not a PNG, JPEG, GIF or WebP image (other files, SVG included, are not taken)"),
    (png()[:40], "cut.png", "cut.png: the PNG file is damaged"),
    (png() + b"\0" * 2000, "huge.png", "huge.png: the image is 2 KB; the limit is 1 KB"),
])
def test_what_is_not_an_image_is_refused_with_the_reason_and_nothing_stored(app, own_bank, data, name, message,
                                                                           monkeypatch):
    # (The cap lowered to 1 KB: a body over the real 2 MB leaves the test client a temporary file open.)
    monkeypatch.setattr("quizapp.banks.images.MAX_IMAGE_BYTES", 1024)
    refused = add_image(own_bank, data, name, json=True)
    assert refused.status_code == 400 and refused.get_json()["message"] == message
    html = add_image(own_bank, data, name)
    assert html.status_code == 400 and message in html.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Media)) == 0


def test_no_file_is_a_400_and_another_teachers_bank_a_404(app, own_bank, make_user):
    page = own_bank.get("/teach/banks/maths/questions/half/edit").get_data(as_text=True)
    assert own_bank.post("/teach/banks/maths/images", data={"csrf_token": csrf_from(page)}).status_code == 400
    make_user("other@example.com", role="teacher")
    other = app.test_client()
    AuthActions(other).login("other@example.com")
    token = csrf_from(other.get("/teach/").get_data(as_text=True))
    assert other.post("/teach/banks/maths/images", data={"csrf_token": token, "image": (io.BytesIO(png()), "a.png")},
                      content_type="multipart/form-data").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Media)) == 0
