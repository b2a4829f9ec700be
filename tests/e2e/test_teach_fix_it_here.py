"""The "Fix it here" editor in Chromium: numbered lines, each error's link puts the caret on its line,
and "Check again" updates the same upload (one entry in "My uploads"). Screenshot at 1280 px."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, serious_violations

GIFT = """// Revision, term 1
::capital::Where did Mao travel in December 1949? {=Moscow ~Beijing ~Warsaw}

::year::In which year was the PRC proclaimed? {#19x49}

::tf::The treaty was signed in 1950. {TRUE}

::who::Who led the KMT? {~Chiang Kai-shek ~Mao Zedong}
"""


def test_error_links_go_to_their_line_and_check_again_updates_the_same_upload(page, make_user):
    make_user("teacher@example.com", role="teacher")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "teacher@example.com")
    page.goto("/teach/upload")
    assert serious_violations(page) == []  # the name and the categories' radio group included
    page.get_by_label("Question file").set_input_files(
        {"name": "revision_term1.gift", "mimeType": "text/plain", "buffer": GIFT.encode()})
    expect(page.get_by_label("Bank name")).to_have_value("revision term1")  # from the file, editable
    page.get_by_label("Bank name").fill("Revision, term 1")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="2 errors to fix")).to_be_visible()
    job_url = page.url

    editor = page.get_by_label(re.compile("The file's text"))
    numbers = page.locator(".line-numbers li")
    expect(numbers).to_have_count(8)
    expect(page.locator(".line-numbers li.line-error")).to_have_text(["4", "8"])
    # The link of the second error: the caret lands on line 8, whose number is highlighted.
    page.get_by_role("link", name="line 8").click()
    expect(page.locator("#line-8")).to_have_class(re.compile("line-current"))
    expect(editor).to_be_focused()
    selected = editor.evaluate("t => t.value.slice(t.selectionStart, t.selectionEnd)")
    assert selected == "::who::Who led the KMT? {~Chiang Kai-shek ~Mao Zedong}"
    # Each number sits level with its line of text (same height per line, same top).
    top_8 = page.locator("#line-8").bounding_box()["y"]
    line_h = page.locator("#line-2").bounding_box()["y"] - page.locator("#line-1").bounding_box()["y"]
    area = editor.bounding_box()
    assert abs(top_8 - page.locator("#line-1").bounding_box()["y"] - 7 * line_h) < 1 and area["y"] < top_8
    assert serious_violations(page) == []
    shot = screenshot(page, "teach-fix-it-here-lines")
    Path("/tmp/shots").mkdir(exist_ok=True)
    shutil.copy(shot, "/tmp/shots/teach-fix-it-here-lines.png")

    # Typing keeps the numbers in step; fixing both and checking again stays on the same upload.
    editor.fill(GIFT.replace("#19x49", "#1949").replace("~Chiang Kai-shek", "=Chiang Kai-shek") + "\n// end\n")
    expect(numbers).to_have_count(10)
    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_role("heading", name="No errors")).to_be_visible()
    assert page.url == job_url
    expect(page.get_by_text("for the bank Revision, term 1")).to_be_visible()
    page.goto("/teach/imports")
    expect(page.locator("tr[data-job]")).to_have_count(1)
    expect(page.locator("tr[data-job]")).to_contain_text("checked, not saved")


def test_an_image_sent_from_the_question_editor_goes_in_at_the_caret(page, app, make_user):
    from quizapp.extensions import db
    from quizapp.models import User
    from tests.factories import make_bank
    from tests.images import png

    make_user("teacher@example.com", role="teacher")
    with app.app_context():
        make_bank("cells", [{"id": "leaf", "type": "short_answer", "prompt": "What is this? ", "answers": ["leaf"]}],
                  title="Cells", builtin=False, owner=db.session.scalar(db.select(User)))
    log_in(page, "teacher@example.com")
    page.goto("/teach/banks/cells/questions/leaf/edit")
    prompt = page.get_by_label("Question", exact=True)
    prompt.click()
    prompt.press("End")
    page.get_by_label("Image", exact=True).set_input_files({"name": "Leaf photo.png", "mimeType": "image/png",
                                                           "buffer": png()})
    page.get_by_label("What it shows").fill("A green leaf")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Add the image").click()
    expect(page.locator("#image-status")).to_contain_text("Inserted ![A green leaf](Leaf-photo.png) into Question.")
    expect(prompt).to_have_value("What is this? ![A green leaf](Leaf-photo.png)")
    expect(page.get_by_label("How the texts are written")).to_have_value("markdown")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("Saved question leaf.")).to_be_visible()
    image = page.locator("img[alt='A green leaf']")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") == 1  # served and decoded as the image it is
