"""The upload form's separators of a CSV/TSV file, as Quizlet's export dialog names them: a teacher
pastes a custom Quizlet export, picks what they picked there, and sees every card in the preview."""
from __future__ import annotations

import io
import re

from tests.conftest import csrf_from

QUIZLET = "un - {one}; deux - two, zwei; trois - \"three\""


def post(client, text: str, **fields):
    token = csrf_from(client.get("/teach/upload").get_data(as_text=True))
    data = {"csrf_token": token, "fmt": "auto", "text": text, "file": (io.BytesIO(b""), ""), **fields}
    return client.post("/teach/upload", data=data, content_type="multipart/form-data")


def test_the_form_offers_quizlets_separator_choices(teacher):
    page = teacher.get("/teach/upload").get_data(as_text=True)
    for label in ("Between term and definition", "Between rows", "Custom text between term and definition",
                  "New line", "Semicolon", "A blank line"):
        assert label in page
    assert re.search(r'<select[^>]*name="term_sep"', page) and re.search(r'<select[^>]*name="card_sep"', page)


def test_a_custom_quizlet_export_reads_with_the_separators_picked(teacher):
    response = post(teacher, QUIZLET, term_sep="custom", term_sep_custom=" - ", card_sep="semicolon")
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "Read as <strong>csv</strong>" in page and "<strong>3</strong> questions" in page
    assert "two, zwei" in page and "{one}" in page


def test_without_the_separators_the_same_text_is_one_card_with_an_error(teacher):
    response = post(teacher, QUIZLET)
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "error" in page and "<strong>3</strong> questions" not in page


def test_custom_picked_without_its_text_is_refused_on_the_form(teacher):
    response = post(teacher, QUIZLET, term_sep="custom", term_sep_custom="", card_sep="semicolon")
    assert response.status_code == 400
    assert "Type the text that separates them" in response.get_data(as_text=True)


def test_separators_with_another_format_are_refused(teacher):
    response = post(teacher, "Q? {=a ~b}", fmt="gift", term_sep="comma")
    assert response.status_code == 400
    assert "separators are for CSV/TSV files" in response.get_data(as_text=True)
