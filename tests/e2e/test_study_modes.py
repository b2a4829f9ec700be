"""Learn and Match in Chromium: played by mouse and keyboard, at 1280 and 390 px, light and dark, axe clean."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, serious_violations
from tests.factories import make_bank
from tests.services.test_study_modes import VOCAB

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    """Kept with the suite's screenshots and under /tmp/shots for a look."""
    path = screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / path.name).write_bytes(path.read_bytes())


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def all_looks(page, name: str) -> None:
    """The page at 1280 and 390 px, light and dark, nothing wider than the screen; back to 1280 light."""
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            fits(page, width)
            shot(page, f"{name}-{width}-{scheme}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="light")


def sign_in(page, app, make_user) -> None:
    from quizapp.extensions import db

    with app.app_context():
        make_bank("vocab", VOCAB, title="Vocabulary")
        db.session.remove()
    make_user(email="student@example.com", name="Sam")
    log_in(page, "student@example.com")


def test_learn_round_choice_then_typed(page, app, make_user):
    sign_in(page, app, make_user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/study")
    page.get_by_role("link", name="Learn").first.click()
    shot(page, "learn-start-1280-light")
    page.get_by_label("Cards in the round").fill("2")
    page.get_by_role("button", name="Start learning").click()
    expect(page.get_by_text("0 of 2 mastered")).to_be_visible()
    expect(page.get_by_role("heading", name="Capital of France?")).to_be_visible()
    assert page.locator("button[name=choice]").count() == 4
    assert serious_violations(page) == []
    all_looks(page, "learn-choice")
    # A wrong pick: told the answer, the round moves on.
    page.locator("button[name=choice]", has_not_text="Paris").first.click()
    expect(page.get_by_text("✗ Not quite")).to_be_visible()
    # Keys 1 to 4 pick the numbered answers.
    page.keyboard.press(page.locator("button[name=choice]", has_text="Berlin").get_attribute("data-key"))
    expect(page.get_by_text("✓ Right")).to_be_visible()
    page.locator("button[name=choice]", has_text="Paris").click()
    # Typed recall, by keyboard, on a phone in dark mode.
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme="dark")
    box = page.get_by_label("Your answer")
    expect(box).to_be_focused()
    box.fill("Berln")
    box.press("Enter")
    expect(page.get_by_text("a slip away from “Berlin”")).to_be_visible()
    fits(page, 390)
    assert serious_violations(page) == []
    shot(page, "learn-typed-390-dark")
    for _ in range(3):
        heading = page.locator("h2#prompt").inner_text()
        page.get_by_label("Your answer").fill("berlin" if "Germany" in heading else "PARIS")
        page.get_by_label("Your answer").press("Enter")
        if page.get_by_text("Round complete").count():
            break
    expect(page.get_by_text("2 of 2 mastered.")).to_be_visible()
    fits(page, 390)
    shot(page, "learn-done-390-dark")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "learn-done-1280-dark")


def test_match_game_by_keyboard_and_mouse(page, app, make_user):
    sign_in(page, app, make_user)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    page.get_by_role("link", name="Match").first.click()
    page.get_by_role("button", name="Play Match with Vocabulary").click()
    tiles = page.locator("button[data-tile]")
    expect(tiles).to_have_count(12)
    assert serious_violations(page) == []
    all_looks(page, "match-board")
    # Keyboard: Tab to the first tile, Enter picks it (aria-pressed), then a wrong partner with Space.
    first = tiles.nth(0)
    first.focus()
    page.keyboard.press("Enter")
    expect(first).to_have_attribute("aria-pressed", "true")
    pair = first.get_attribute("data-pair")
    side = first.get_attribute("data-side")
    wrong = page.locator(f"button[data-tile]:not([data-pair='{pair}']):not([data-side='{side}'])").first
    wrong.focus()
    page.keyboard.press("Space")
    expect(page.locator("[data-match-status]")).to_contain_text("Not a pair")
    expect(first).to_have_attribute("aria-pressed", "false")
    # The rest by mouse (tap), the first pair by keyboard, on a phone in dark mode.
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme="dark")
    fits(page, 390)
    shot(page, "match-wrong-pair-390-dark")
    pairs = sorted({t.get_attribute("data-pair") for t in tiles.all()}, key=int)
    for index, p in enumerate(pairs):
        term = page.locator(f"button[data-pair='{p}'][data-side='term']")
        definition = page.locator(f"button[data-pair='{p}'][data-side='definition']")
        if index == 0:
            term.focus()
            page.keyboard.press("Enter")
            definition.focus()
            page.keyboard.press("Enter")
            expect(term).to_be_disabled()
        else:
            term.click()
            definition.click()
        if index == 2:
            expect(page.locator("[data-match-left]")).to_have_text("3")
            shot(page, "match-half-390-dark")
    expect(page.get_by_role("heading", name="Done in")).to_be_visible()
    expect(page.get_by_text("4 of 6 pairs right at the first try.")).to_be_visible()
    expect(page.get_by_text("A new best time!")).to_be_visible()
    fits(page, 390)
    assert serious_violations(page) == []
    shot(page, "match-result-390-dark")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="light")
    shot(page, "match-result-1280-light")
