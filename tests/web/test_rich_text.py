"""Question text from uploads renders inert; a bank's images are served safely."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.banks.native import from_data
from quizapp.extensions import db
from quizapp.models import Bank
from quizapp.services.bank_store import save_bank
from tests.conftest import AuthActions
from tests.factories import NOW

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
EVIL = ('<p>Who?<script>alert(1)</script><img src="x.png" onerror="alert(2)">'
        '<a href="javascript:alert(3)">link</a><img src="pic.png"></p>')


@pytest.fixture
def html_bank(app):
    with app.app_context():
        result = from_data({"bank": 1, "id": "html", "title": "HTML bank", "questions": [
            {"id": "q", "type": "multiple_choice", "format": "html", "prompt": EVIL,
             "choices": ["<b>Mao</b>", "<i>Stalin</i>"], "answer": "<b>Mao</b>",
             "explanation": "<img src=x onerror=alert(4)>Because."}]}, "html.yaml")
        assert result.ok
        result.bank.media = {"pic.png": PNG, "evil.svg": b"<svg onload='alert(5)'/>"}
        save_bank(result.bank, now=NOW, builtin=True)
        db.session.commit()
        return db.session.scalar(select(Bank.id))


def test_script_in_question_fields_renders_inert(client, make_user, html_bank):
    make_user()
    AuthActions(client).login()
    page = client.get("/study").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "alert(1)" not in page
    assert "onerror" not in page and "javascript:" not in page
    assert "<b>Mao</b>" in page  # the safe markup survives
    assert f'src="/media/{html_bank}/pic.png"' in page  # the bank's own image points at its media URL


def test_media_served_with_safe_types(client, make_user, html_bank):
    make_user()
    AuthActions(client).login()
    png = client.get(f"/media/{html_bank}/pic.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data == PNG
    assert png.headers["X-Content-Type-Options"] == "nosniff"
    svg = client.get(f"/media/{html_bank}/evil.svg")
    assert svg.mimetype == "application/octet-stream" and "attachment" in svg.headers["Content-Disposition"]
    assert "sandbox" in svg.headers["Content-Security-Policy"]
    assert client.get(f"/media/{html_bank}/missing.png").status_code == 404
    assert client.get(f"/media/{html_bank + 1}/pic.png").status_code == 404


def test_media_needs_login(client, html_bank):
    assert client.get(f"/media/{html_bank}/pic.png").status_code == 302


KATEX = "vendor/katex/katex.min.js"


@pytest.mark.parametrize("text", ["\\(x^2\\)", "\\[\\sum_i i\\]", "[$]x[/$]", "[$$]x[/$$]", "[latex]x[/latex]"])
def test_every_delimiter_math_js_typesets_is_seen_wherever_it_is_in_a_question(text):
    from quizapp.web.text import has_math

    assert has_math(text) and has_math({"choices": ["a", {"text": f"b {text}"}]})
    assert not has_math(text.replace("\\", "").replace("[", ""))  # the same text without its delimiter


def test_plain_text_with_brackets_and_dollars_is_not_maths():
    from quizapp.web.text import has_math

    assert not has_math({"prompt": "The treaty (1950) cost $300 million [sic].", "answers": ["300", 300, None]})


def test_katex_loads_on_the_card_and_feedback_of_a_question_with_maths_only(client, make_user, app):
    from tests.factories import make_bank

    with app.app_context():
        for slug, prompt in (("maths", "What is \\(2^{10}\\)?"), ("words", "What is two to the tenth (2^10)?")):
            make_bank(slug, [{"id": "q", "type": "short_answer", "prompt": prompt, "answers": ["1024"]}],
                      title=slug)
        banks = {slug: bank_id for bank_id, slug in db.session.execute(select(Bank.id, Bank.slug))}
    make_user()
    AuthActions(client).login()
    for slug, loaded in (("maths", True), ("words", False)):
        card = client.get(f"/study?bank={banks[slug]}").get_data(as_text=True)
        assert (KATEX in card) is loaded and ("js/math.js" in card) is loaded, slug
        token = card.split('name="csrf_token" value="')[1].split('"')[0]
        form = {name: card.split(f'name="{name}" value="')[1].split('"')[0]
                for name in ("question_id", "ordinal", "client_id", "version")}
        answered = client.post("/study/answer", data={**form, "csrf_token": token, "answer": "512"})
        assert answered.status_code == 302, answered.get_data(as_text=True)[:500]
        feedback = client.get(answered.headers["Location"]).get_data(as_text=True)
        assert "Not quite" in feedback and (KATEX in feedback) is loaded, slug
