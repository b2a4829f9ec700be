"""Grading, form reading and validation of the nine question types, and the rating rule."""
from __future__ import annotations

import random

import pytest

from quizapp.domain import text
from quizapp.domain.numbers import NumberError, format_number, read_number
from quizapp.domain.questions import REGISTRY, FieldError, Outcome, ResponseError, get_type
from quizapp.domain.rating import PRIOR_WEIGHT, suggest_rating, typical_seconds
from quizapp.domain.scheduling import AGAIN, EASY, GOOD, HARD


def form(**values: list[str] | str):
    """A form-like ``getlist``: what Flask's ``request.form.getlist`` gives for these values."""
    data = {k.replace("_", "-"): v if isinstance(v, list) else [v] for k, v in values.items()}
    return lambda name: list(data.get(name, []))


def grade(qtype: str, fields: dict, response, card: int = 0) -> Outcome:
    return get_type(qtype).grade(fields, response, card)


def submit(qtype: str, fields: dict, card: int = 0, **values) -> Outcome:
    """What happens when a learner submits the form: read the response, then grade it."""
    kind = get_type(qtype)
    return kind.grade(fields, kind.read_response(form(**values), card), card)


def field_names(qtype: str, fields: dict) -> list[str]:
    errors = get_type(qtype).validate(fields)
    assert all(isinstance(e, FieldError) and e.message for e in errors)
    return [e.field for e in errors]


def test_the_registry_holds_the_nine_types():
    assert sorted(REGISTRY) == sorted([
        "flashcard", "multiple_choice", "multiple_select", "true_false", "short_answer", "numeric",
        "cloze", "ordering", "matching"])
    with pytest.raises(KeyError):
        get_type("essay")


# -- flashcard ----------------------------------------------------------------------------------

CARD = {"front": "Sino-Soviet split", "back": "The break of the 1960s"}


def test_flashcard_is_self_rated_and_shows_its_back():
    outcome = submit("flashcard", CARD)
    assert outcome.self_rated
    assert outcome.expected == "The break of the 1960s"
    assert get_type("flashcard").prompt(CARD) == "Sino-Soviet split"
    assert get_type("flashcard").auto_graded is False
    assert get_type("flashcard").read_response(form(answer="whatever")) is None


def test_flashcard_needs_front_and_back():
    assert field_names("flashcard", CARD) == []
    assert field_names("flashcard", {"front": "x"}) == ["back"]
    assert field_names("flashcard", {"front": "", "back": ""}) == ["front", "back"]


# -- multiple choice ----------------------------------------------------------------------------

MC = {"prompt": "Where did Mao travel in December 1949?", "choices": ["Moscow", "Beijing", "Warsaw", "Yalta"],
      "answer": "Moscow"}


def test_multiple_choice_right_and_wrong():
    right = submit("multiple_choice", MC, answer="Moscow")
    assert (right.score, right.correct, right.expected) == (1.0, True, "Moscow")
    wrong = submit("multiple_choice", MC, answer="Warsaw")
    assert (wrong.score, wrong.correct, wrong.expected) == (0.0, False, "Moscow")
    assert submit("multiple_choice", MC).score == 0.0  # nothing picked


def test_multiple_choice_weights_give_partial_or_negative_credit_and_feedback_follows_the_pick():
    q = {**MC, "weights": {"Beijing": 0.5, "Yalta": -1},
         "feedback": {"Moscow": "His first trip abroad.", "Beijing": "He set out from there.",
                      "Yalta": "That was 1945."}}
    assert grade("multiple_choice", q, "Beijing") == Outcome(0.5, "Moscow", "He set out from there.")
    # As in Moodle, a negatively weighted pick scores below 0 (tests/domain/test_moodle_grading.py).
    assert grade("multiple_choice", q, "Yalta") == Outcome(-1.0, "Moscow", "That was 1945.")
    assert grade("multiple_choice", q, "Warsaw") == Outcome(0.0, "Moscow", "")
    assert grade("multiple_choice", q, "Moscow") == Outcome(1.0, "Moscow", "His first trip abroad.")


def test_multiple_choice_shows_every_choice_shuffled_the_same_way_for_the_same_seed():
    kind = get_type("multiple_choice")
    shown = kind.present(MC, 0, random.Random(7))
    assert shown["prompt"] == MC["prompt"]
    assert sorted(shown["choices"]) == sorted(MC["choices"])
    assert kind.present(MC, 0, random.Random(7)) == shown


@pytest.mark.parametrize(("fields", "expected"), [
    ({"choices": ["Moscow", "Beijing"], "answer": "Paris"}, ["answer"]),
    ({"choices": ["Moscow"], "answer": "Moscow"}, ["choices"]),
    ({"choices": ["Moscow", "Moscow"], "answer": "Moscow"}, ["choices[1]"]),
    ({"choices": ["Moscow", " "], "answer": "Moscow"}, ["choices[1]"]),
    ({"choices": "Moscow, Beijing", "answer": "Moscow"}, ["choices"]),
    ({**MC, "weights": {"Beijing": 2}}, ["weights.Beijing"]),
    ({**MC, "weights": {"Paris": 0.5}}, ["weights.Paris"]),
    ({**MC, "weights": [0.5]}, ["weights"]),
    ({**MC, "feedback": {"Paris": "no"}}, ["feedback.Paris"]),
    ({"answer": "Moscow"}, ["choices"]),
])
def test_multiple_choice_validation_names_the_bad_field(fields, expected):
    assert field_names("multiple_choice", {"prompt": "Where?", **fields}) == expected


def test_multiple_choice_refuses_a_pick_it_does_not_offer():
    kind = get_type("multiple_choice")
    kind.check_response(MC, "Warsaw")
    kind.check_response(MC, "")  # no answer is for the caller to judge, not a wrong choice
    for bad in ("Paris", "moscow", ["Moscow"], {"text": "Moscow"}, True):
        with pytest.raises(ResponseError, match="not one of the choices"):
            kind.check_response(MC, bad)


def test_multiple_choice_needs_a_prompt():
    assert field_names("multiple_choice", {**MC, "prompt": ""}) == ["prompt"]
    assert field_names("multiple_choice", MC) == []


# -- multiple select ----------------------------------------------------------------------------

MS = {"prompt": "Which were communist states in 1950?", "choices": ["USSR", "PRC", "USA", "UK"],
      "answers": ["USSR", "PRC"]}


def test_multiple_select_reads_every_ticked_box():
    kind = get_type("multiple_select")
    assert kind.read_response(form(answer=["PRC", "USSR", "PRC", ""])) == ["PRC", "USSR"]
    assert kind.read_response(form()) == []


def test_multiple_select_right_wrong_and_partial_without_weights():
    assert submit("multiple_select", MS, answer=["PRC", "USSR"]) == Outcome(1.0, "USSR; PRC")
    assert submit("multiple_select", MS, answer=["USSR"]).score == 0.5  # one of two right picks
    assert submit("multiple_select", MS, answer=["USSR", "PRC", "UK"]).score == 0.5  # a wrong pick costs 1/2
    assert submit("multiple_select", MS, answer=["USSR", "UK"]).score == 0.0
    assert submit("multiple_select", MS, answer=["USA", "UK"]).score == 0.0  # floored at 0
    assert submit("multiple_select", MS, answer=MS["choices"]).score == 0.0  # ticking everything
    assert submit("multiple_select", MS).score == 0.0


def test_multiple_select_weights_add_up_as_moodle_adds_them():
    q = {**MS, "weights": {"USSR": 0.6, "PRC": 0.3, "USA": -0.5},
         "feedback": {"USSR": "Since 1922.", "USA": "Never communist."}}
    assert grade("multiple_select", q, ["USSR"]).score == pytest.approx(0.6)
    assert grade("multiple_select", q, ["PRC"]).score == pytest.approx(0.3)
    assert grade("multiple_select", q, ["USSR", "USA"]).score == pytest.approx(0.1)
    assert grade("multiple_select", q, ["PRC", "USA"]).score == 0.0
    assert grade("multiple_select", q, ["USSR", "PRC"]).score == pytest.approx(0.9)  # the weights, as in Moodle
    feedback = grade("multiple_select", q, ["USSR", "USA"]).feedback
    assert "Since 1922." in feedback and "Never communist." in feedback
    assert grade("multiple_select", q, ["PRC"]).feedback == ""


def test_multiple_select_refuses_unknown_or_repeated_picks():
    kind = get_type("multiple_select")
    kind.check_response(MS, ["USSR", "UK"])
    kind.check_response(MS, [])
    with pytest.raises(ResponseError, match="not one of the choices"):
        kind.check_response(MS, ["USSR", "Cuba"])
    with pytest.raises(ResponseError, match="not one of the choices"):
        kind.check_response(MS, "USSR")
    with pytest.raises(ResponseError, match="once"):
        kind.check_response(MS, ["USSR", "USSR"])


@pytest.mark.parametrize(("fields", "expected"), [
    ({"answers": ["USSR", "Cuba"]}, ["answers[1]"]),
    ({"answers": "USSR"}, ["answers"]),
    ({"answers": []}, ["answers"]),
    ({"choices": ["USSR"], "answers": ["USSR"]}, ["choices"]),
    ({"weights": {"USSR": -3}}, ["weights.USSR"]),
    ({"feedback": {"Cuba": "no"}}, ["feedback.Cuba"]),
])
def test_multiple_select_validation_names_the_bad_field(fields, expected):
    assert field_names("multiple_select", {**MS, **fields}) == expected


# -- true / false -------------------------------------------------------------------------------

TF = {"prompt": "The treaty was signed in 1950.", "answer": True,
      "feedback": {"true": "Yes, on 14 February 1950.", "false": "It was signed in 1950."}}


def test_true_false_reads_the_choice_and_keys_feedback_by_what_the_learner_answered():
    kind = get_type("true_false")
    assert kind.read_response(form(answer="True")) is True
    assert kind.read_response(form(answer=" false ")) is False
    assert kind.read_response(form(answer="maybe")) is None
    assert kind.read_response(form()) is None
    assert submit("true_false", TF, answer="true") == Outcome(1.0, "True", "Yes, on 14 February 1950.")
    assert submit("true_false", TF, answer="false") == Outcome(0.0, "True", "It was signed in 1950.")
    assert submit("true_false", TF) == Outcome(0.0, "True", "")


def test_true_false_takes_only_true_or_false():
    kind = get_type("true_false")
    kind.check_response(TF, True)
    kind.check_response(TF, False)
    kind.check_response(TF, None)  # nothing chosen
    for bad in ("true", 1, 0, ["true"]):
        with pytest.raises(ResponseError, match="true or false"):
            kind.check_response(TF, bad)


def test_true_false_with_a_false_answer():
    q = {"prompt": "Stalin visited Beijing.", "answer": False, "feedback": {"true": "He never did."}}
    assert grade("true_false", q, False) == Outcome(1.0, "False", "")
    assert grade("true_false", q, True) == Outcome(0.0, "False", "He never did.")
    assert grade("true_false", q, "false").score == 0.0  # only a real boolean counts


@pytest.mark.parametrize(("fields", "expected"), [
    ({"prompt": "P", "answer": "yes"}, ["answer"]),
    ({"prompt": "P", "answer": 1}, ["answer"]),
    ({"prompt": "P"}, ["answer"]),
    ({"prompt": "", "answer": False}, ["prompt"]),
    ({"prompt": "P", "answer": False, "feedback": {"maybe": "?"}}, ["feedback.maybe"]),
    ({"prompt": "P", "answer": False}, []),
])
def test_true_false_validation_names_the_bad_field(fields, expected):
    assert field_names("true_false", fields) == expected


# -- short answer -------------------------------------------------------------------------------

SA = {"prompt": "Who was China's first premier?", "answers": ["Zhou Enlai"]}


@pytest.mark.parametrize("typed", [
    "Zhou Enlai", "zhou enlai", "  ZHOU   ENLAI ", "Zhōu Ēnlái", "Zhou Enlai.", "Zhou-Enlai",
])
def test_short_answer_is_tolerant_of_case_accents_and_punctuation(typed):
    assert submit("short_answer", SA, answer=typed).score == 1.0


@pytest.mark.parametrize("typed", [
    "Zhou Enlia",  # one swap of neighbours in a 10-letter answer
    "Zhou Enlei",  # one wrong letter
    "Zhu Enlai",  # one letter missing
])
def test_one_slip_is_a_near_miss_marked_wrong(typed):
    outcome = submit("short_answer", SA, answer=typed)
    assert (outcome.score, outcome.near_miss) == (0.0, "Zhou Enlai")


@pytest.mark.parametrize("typed", ["Zhu Enlei", "Mao Zedong", "", "Zhou"])
def test_short_answer_refuses_other_answers(typed):
    assert submit("short_answer", SA, answer=typed).score == 0.0


def test_short_answers_must_be_exact_when_short():
    q = {"prompt": "When did the Great Depression begin?", "answers": ["1929"]}
    assert grade("short_answer", q, "1929").score == 1.0
    assert grade("short_answer", q, "1939").score == 0.0
    assert grade("short_answer", q, "1992").score == 0.0
    assert grade("short_answer", {"prompt": "Party?", "answers": ["KMT"]}, "KNT").score == 0.0


def test_slips_are_near_misses_marked_wrong_never_silently_right():
    q = {"prompt": "Who led the KMT?", "answers": ["Chiang Kai-shek"]}  # 15 letters folded
    assert grade("short_answer", q, "chiang kai shek").score == 1.0
    for slip in ("Chang Kai-shek", "Chang Kai-shak"):
        outcome = grade("short_answer", q, slip)
        assert (outcome.score, outcome.near_miss) == (0.0, "Chiang Kai-shek")
    assert grade("short_answer", q, "Chang Ka-shak").near_miss == ""  # three slips: just wrong
    assert grade("short_answer", {**q, "typos": False}, "Chang Kai-shek").near_miss == ""  # the teacher said no


def test_case_sensitive_answers_as_moodle_usecase():
    q = {"prompt": "Symbol of copper?", "answers": ["Cu"], "case_sensitive": True}
    assert grade("short_answer", q, "Cu").score == 1.0
    assert grade("short_answer", q, "CU").score == 0.0
    assert grade("short_answer", {**q, "case_sensitive": False}, "CU").score == 1.0
    assert field_names("short_answer", {**q, "case_sensitive": "yes"}) == ["case_sensitive"]


def test_wildcards_escape_a_star_and_run_in_linear_time():
    q = {"prompt": "?", "answers": ["5\\*3"]}
    assert grade("short_answer", q, "5*3").score == 1.0
    assert grade("short_answer", q, "5x3").score == 0.0
    hostile = {"prompt": "?", "answers": ["*a*a*a*a*a*a*a*a*a*a*b"]}
    assert grade("short_answer", hostile, "a" * 1000).score == 0.0  # no backtracking blow-up


def test_short_answer_wildcard():
    q = {"prompt": "Name the 1950 treaty.", "answers": ["Treaty of * Alliance", "Sino-Soviet*"]}
    assert grade("short_answer", q, "Treaty of Friendship and Alliance").score == 1.0
    assert grade("short_answer", q, "treaty of friendship, alliance").score == 1.0
    assert grade("short_answer", q, "Sino-Soviet Treaty").score == 1.0
    assert grade("short_answer", q, "Treaty of Moscow").score == 0.0
    # Wildcard answers are not shown as the expected answer when a plain one exists.
    assert grade("short_answer", {**q, "answers": ["Sino-Soviet*", "Treaty of Friendship"]}, "x").expected == (
        "Treaty of Friendship")


def test_short_answer_the_first_matching_answer_counts_as_in_moodle():
    q = {"prompt": "Who?", "answers": ["Chiang*", "Chiang Kai-shek"], "weights": {"Chiang*": 0.5}}
    assert grade("short_answer", q, "Chiang Kai-shek").score == 0.5  # Moodle: listed first, so it counts


def test_short_answer_weights_and_their_feedback():
    q = {"prompt": "Who led the KMT?", "answers": ["Chiang Kai-shek", "Chiang", "*"],
         "weights": {"Chiang": 0.5, "*": 0},
         "feedback": {"Chiang Kai-shek": "Right.", "Chiang": "Give his full name.", "*": "Think of Taiwan."}}
    assert grade("short_answer", q, "Chiang Kai-shek") == Outcome(1.0, "Chiang Kai-shek", "Right.")
    assert grade("short_answer", q, "chiang") == Outcome(0.5, "Chiang Kai-shek", "Give his full name.")
    assert grade("short_answer", q, "Mao") == Outcome(0.0, "Chiang Kai-shek", "Think of Taiwan.")


def test_short_answer_reads_the_typed_text_stripped():
    assert get_type("short_answer").read_response(form(answer="  Zhou Enlai \n")) == "Zhou Enlai"
    assert get_type("short_answer").read_response(form()) == ""


@pytest.mark.parametrize(("fields", "expected"), [
    ({"answers": []}, ["answers"]),
    ({"answers": "Zhou"}, ["answers"]),
    ({"answers": ["Zhou", ""]}, ["answers[1]"]),
    ({"answers": ["Zhou", "Zhou"]}, ["answers[1]"]),
    ({"answers": ["Zhou"], "weights": {"Mao": 1}}, ["weights.Mao"]),
    ({"answers": ["Zhou"], "weights": {"Zhou": "half"}}, ["weights.Zhou"]),
    ({"answers": ["Zhou"], "feedback": {"Mao": "no"}}, ["feedback.Mao"]),
])
def test_short_answer_validation_names_the_bad_field(fields, expected):
    assert field_names("short_answer", {"prompt": "Who?", **fields}) == expected


def test_text_folding_and_typo_allowance():
    assert text.fold("  Zhōu  Ēnlái! ") == "zhou enlai"
    assert text.fold("Chiang Kai-shek") == "chiang kai shek"
    assert [text.typo_allowance("x" * n) for n in (4, 5, 11, 12)] == [0, 1, 1, 2]
    assert text.edit_distance("abcd", "abdc", 2) == 1
    assert not text.matches("", "")


# -- numeric ------------------------------------------------------------------------------------

NUM = {"prompt": "How many soldiers did China send to Korea?", "answer": 1500000, "tolerance": 100000,
       "unit": "soldiers"}


@pytest.mark.parametrize(("typed", "number"), [
    ("1949", 1949.0), ("1,500,000", 1500000.0), ("1 500 000", 1500000.0), ("-3", -3.0), ("\u22123", -3.0),
    ("2,5", 2.5), ("$40", 40.0), ("1e3", 1000.0), ("many", None), ("", None), ("nan", None), ("inf", None),
])
def test_numbers_are_read_as_people_type_them(typed, number):
    if number is None:
        with pytest.raises(NumberError):
            read_number(typed)
    else:
        assert read_number(typed) == number


def test_numeric_within_tolerance():
    assert submit("numeric", NUM, answer="1,500,000") == Outcome(1.0, "1500000 (± 100000) soldiers",
                                                                 read_as="1500000 soldiers")
    assert submit("numeric", NUM, answer="1,600,000").score == 1.0  # on the edge
    assert submit("numeric", NUM, answer="1400000").score == 1.0
    assert submit("numeric", NUM, answer="1,600,001").score == 0.0
    assert submit("numeric", NUM, answer="300 million").score == 0.0  # read as 300,000,000: too many
    with pytest.raises(ResponseError):
        submit("numeric", NUM, answer="lots")  # not a number: asked again, not graded
    assert submit("numeric", NUM).score == 0.0


def test_numeric_exact_years_and_zero():
    year = {"prompt": "When was the PRC proclaimed?", "answer": 1949}
    assert submit("numeric", year, answer="1949").score == 1.0
    assert submit("numeric", year, answer="1950").score == 0.0
    assert grade("numeric", year, 1949.0).expected == "1949"
    zero = {"prompt": "Soviet troops left in Port Arthur in 1956?", "answer": 0}
    assert field_names("numeric", zero) == []
    assert grade("numeric", zero, 0.0).score == 1.0


def test_numeric_alternatives_give_partial_credit_and_their_feedback():
    q = {"prompt": "When was the treaty signed?", "answer": 1950, "feedback": "14 February 1950.",
         "alternatives": [{"answer": 1949, "weight": 0.5, "feedback": "Talks began in December 1949."},
                          {"answer": 1945, "tolerance": 1, "weight": 0, "feedback": "That is the 1945 treaty."}]}
    assert grade("numeric", q, 1950.0) == Outcome(1.0, "1950", "14 February 1950.", read_as="1950")
    assert grade("numeric", q, 1949.0) == Outcome(0.5, "1950", "Talks began in December 1949.", read_as="1949")
    # A 0 % alternative earns nothing but its feedback is still shown (as Moodle does).
    assert grade("numeric", q, 1946.0) == Outcome(0.0, "1950", "That is the 1945 treaty.", read_as="1946")
    assert grade("numeric", q, 1960.0) == Outcome(0.0, "1950", "", read_as="1960")


def test_numbers_are_shown_without_float_noise():
    assert [format_number(v) for v in (1949.0, 1.5e6, 0.25, 2)] == ["1949", "1500000", "0.25", "2"]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"answer": "many"}, ["answer"]),
    ({"answer": True}, ["answer"]),
    ({"answer": float("nan")}, ["answer"]),
    ({"answer": 10, "tolerance": -1}, ["tolerance"]),
    ({"answer": 10, "tolerance": "1"}, ["tolerance"]),
    ({"answer": 10, "alternatives": [{"answer": "x"}]}, ["alternatives[0].answer"]),
    ({"answer": 10, "alternatives": [{"answer": 9, "tolerance": -2}]}, ["alternatives[0].tolerance"]),
    ({"answer": 10, "alternatives": [{"answer": 9, "weight": 1.5}]}, ["alternatives[0].weight"]),
    ({"answer": 10, "alternatives": 5}, ["alternatives"]),
    ({}, ["answer"]),
])
def test_numeric_validation_names_the_bad_field(fields, expected):
    assert field_names("numeric", {"prompt": "How many?", **fields}) == expected


# -- cloze --------------------------------------------------------------------------------------

CLOZE = {"text": "{{c1::Mao}} met {{c2::Stalin::a Soviet leader}} in {{c1::Moscow}} in 1949."}


def test_cloze_makes_one_card_per_deletion_index():
    kind = get_type("cloze")
    assert kind.cards(CLOZE) == [1, 2]
    assert kind.cards({"text": "{{c3::a}} {{c1::b}} {{c3::c}}"}) == [1, 3]


def test_cloze_blanks_the_card_index_and_shows_the_others():
    kind = get_type("cloze")
    assert kind.prompt(CLOZE, 1) == "[…] met Stalin in […] in 1949."
    assert kind.prompt(CLOZE, 2) == "Mao met [a Soviet leader] in Moscow in 1949."
    assert kind.expected(CLOZE, 1) == "Mao; Moscow"
    assert kind.expected(CLOZE, 2) == "Stalin"


def test_cloze_grading_gives_credit_per_blank():
    assert submit("cloze", CLOZE, card=1, answer=["mao", " moscow "]).score == 1.0
    assert submit("cloze", CLOZE, card=1, answer=["Mao", "Beijing"]).score == 0.5
    assert submit("cloze", CLOZE, card=1, answer=["Mao"]).score == 0.5
    assert submit("cloze", CLOZE, card=1).score == 0.0
    assert submit("cloze", CLOZE, card=2, answer=["Stallin"]) == Outcome(0.0, "Stalin", near_miss="Stalin")
    assert submit("cloze", CLOZE, card=2, answer=["Lenin"]).score == 0.0


@pytest.mark.parametrize("bad", [
    "no deletion here", "{{c1::}} met Stalin", "{{c0::Mao}} met Stalin", "{{c1::Mao}} met {{c2::Stalin",
    "{{c" + "1" * 5000 + "::Mao}}",
])
def test_cloze_validation_names_the_text(bad):
    assert field_names("cloze", {"text": bad}) == ["text"]


def test_cloze_text_must_be_text():
    assert field_names("cloze", {"text": ["{{c1::Mao}}"]}) == ["text"]
    assert field_names("cloze", {"text": ""}) == ["text"]
    assert field_names("cloze", CLOZE) == []


# -- ordering -----------------------------------------------------------------------------------

ORDER = {"prompt": "Put in order", "items": ["Treaty", "Korean War", "Secret speech", "Split"]}


def test_ordering_partial_credit_is_the_share_of_pairs_in_order():
    assert grade("ordering", ORDER, ORDER["items"]) == Outcome(1.0, "Treaty → Korean War → Secret speech → Split")
    one_swap = ["Treaty", "Secret speech", "Korean War", "Split"]
    assert grade("ordering", ORDER, one_swap).score == pytest.approx(5 / 6)
    assert grade("ordering", ORDER, list(reversed(ORDER["items"]))).score == 0.0
    assert grade("ordering", ORDER, ["Korean War", "Treaty", "Split", "Secret speech"]).score == pytest.approx(4 / 6)


def test_ordering_with_missing_or_foreign_items_is_wrong():
    assert grade("ordering", ORDER, ORDER["items"][:3]).score == 0.0
    assert grade("ordering", ORDER, ["Treaty", "Korean War", "Secret speech", "Cuba"]).score == 0.0
    assert grade("ordering", ORDER, None).score == 0.0


def test_ordering_reads_either_the_ordered_list_or_items_with_positions():
    kind = get_type("ordering")
    assert kind.read_response(form(answer=["Split", "Treaty", ""])) == ["Split", "Treaty"]
    # No script: each shown item with the position picked for it.
    shown = form(item_0="Split", position_0="4", item_1="Treaty", position_1="1",
                 item_2="Secret speech", position_2="3", item_3="Korean War", position_3="2")
    assert kind.read_response(shown) == ORDER["items"]
    assert submit("ordering", ORDER, item_0="Split", position_0="4", item_1="Treaty", position_1="1",
                  item_2="Secret speech", position_2="3", item_3="Korean War", position_3="2").correct
    assert kind.read_response(form()) == []


@pytest.mark.parametrize("positions", [
    ["1", "1", "2"],  # two items in one place
    ["1", "", "2"],  # a position left out
    ["1", "2", None],  # no position field at all
    ["1", "x", "2"],
    ["1", "²", "2"],
    ["0", "1", "2"],
    ["1", "2", "4"],  # past the end
    ["1", "2", "9" * 5000],
])
def test_ordering_without_script_refuses_anything_but_one_position_each(positions):
    fields = {}
    for k, (item, position) in enumerate(zip(["Split", "Treaty", "Korean War"], positions)):
        fields[f"item_{k}"] = item
        if position is not None:
            fields[f"position_{k}"] = position
    with pytest.raises(ResponseError, match="Give each item its own position from 1 to 3."):
        get_type("ordering").read_response(form(**fields))


def test_ordering_refuses_a_list_that_is_not_its_items():
    kind = get_type("ordering")
    kind.check_response(ORDER, list(reversed(ORDER["items"])))
    kind.check_response(ORDER, [])
    for bad in (ORDER["items"][:3], [*ORDER["items"], "Cuba"], ["Treaty", "Treaty", "Secret speech", "Split"],
                "Treaty"):
        with pytest.raises(ResponseError):
            kind.check_response(ORDER, bad)


def test_ordering_never_starts_in_the_right_order():
    kind = get_type("ordering")
    for seed in range(30):
        shown = kind.present(ORDER, 0, random.Random(seed))["items"]
        assert shown != ORDER["items"] and sorted(shown) == sorted(ORDER["items"])


@pytest.mark.parametrize(("fields", "expected"), [
    ({"items": ["Only one"]}, ["items"]),
    ({"items": ["A", "B", "A"]}, ["items[2]"]),
    ({"items": ["A", ""]}, ["items[1]"]),
    ({"items": "A, B"}, ["items"]),
    ({"items": []}, ["items"]),
])
def test_ordering_validation_names_the_bad_field(fields, expected):
    assert field_names("ordering", {"prompt": "Order", **fields}) == expected


# -- matching -----------------------------------------------------------------------------------

MATCH = {"prompt": "Match leader to country", "pairs": [["Mao", "PRC"], ["Stalin", "USSR"], ["Castro", "Cuba"]],
         "distractors": ["Vietnam"]}


def test_matching_partial_credit_per_pair():
    assert submit("matching", MATCH, match_0="PRC", match_1="USSR", match_2="Cuba") == Outcome(
        1.0, "Mao → PRC; Stalin → USSR; Castro → Cuba")
    assert submit("matching", MATCH, match_0="PRC", match_1="Cuba", match_2="USSR").score == pytest.approx(1 / 3)
    assert submit("matching", MATCH, match_0="PRC", match_1="USSR", match_2="Vietnam").score == pytest.approx(2 / 3)
    assert submit("matching", MATCH, match_0="PRC").score == pytest.approx(1 / 3)
    assert submit("matching", MATCH).score == 0.0


def test_matching_reads_one_pick_per_left_in_order():
    kind = get_type("matching")
    assert kind.read_response(form(match_0="USSR", match_1="PRC", match_3="Cuba")) == ["USSR", "PRC"]
    shown = kind.present(MATCH, 0, random.Random(3))
    assert shown["lefts"] == ["Mao", "Stalin", "Castro"]
    assert sorted(shown["rights"]) == ["Cuba", "PRC", "USSR", "Vietnam"]


def test_matching_refuses_picks_it_does_not_offer_or_the_wrong_number_of_them():
    kind = get_type("matching")
    kind.check_response(MATCH, ["PRC", "PRC", "Vietnam"])  # a right may be picked twice, as in Moodle
    kind.check_response(MATCH, ["PRC", "", ""])
    kind.check_response(MATCH, [])
    with pytest.raises(ResponseError, match="not one of the choices"):
        kind.check_response(MATCH, ["PRC", "USSR", "Laos"])
    with pytest.raises(ResponseError, match="one match for each"):
        kind.check_response(MATCH, ["PRC", "USSR"])
    with pytest.raises(ResponseError, match="one match for each"):
        kind.check_response(MATCH, ["PRC", "USSR", "Cuba", "Cuba"])


@pytest.mark.parametrize(("fields", "expected"), [
    ({"pairs": [["Mao", "PRC"]]}, ["pairs"]),
    ({"pairs": "Mao=PRC"}, ["pairs"]),
    ({"pairs": [["Mao", "PRC"], ["Stalin"]]}, ["pairs[1]"]),
    ({"pairs": [["Mao", "PRC"], ["Stalin", " "]]}, ["pairs[1]"]),
    ({"pairs": [["Mao", "PRC"], ["Mao", "USSR"]]}, ["pairs[1]"]),
    ({"pairs": [["Mao", "PRC"], ["Zhou", "PRC"]]}, []),  # two lefts may share a right, as in Moodle
    ({"pairs": [["Mao", "PRC"], ["Stalin", "USSR"]], "distractors": "Cuba"}, ["distractors"]),
    ({"pairs": [["Mao", "PRC"], ["Stalin", "USSR"]], "distractors": ["Cuba", "Cuba"]}, ["distractors[1]"]),
])
def test_matching_validation_names_the_bad_field(fields, expected):
    assert field_names("matching", {"prompt": "Match", **fields}) == expected


# -- the rating rule (domain.rating) --------------------------------------------------------------

QUICK = 10.0


@pytest.mark.parametrize(("score", "seconds", "rating"), [
    (0.0, 3, AGAIN),  # wrong, however fast
    (0.49, 3, AGAIN),  # mostly wrong
    (0.5, 3, AGAIN),  # half an ordering is not remembering it (FSRS takes Hard as remembered)
    (0.79, 3, AGAIN),
    (0.8, 3, HARD),  # most of it: partial credit
    (5 / 6, 100, HARD),
    (1.0, 25.1, GOOD),  # right but slow: time alone never goes below Good
    (1.0, 1000, GOOD),
    (1.0, 5.0, EASY),  # within half the typical time
    (1.0, 5.1, GOOD),
    (1.0, 12, GOOD),
    (1.0, None, GOOD),  # time unknown
    (0.9995, 2, EASY),  # rounding noise still counts as right
])
def test_rating_rule(score, seconds, rating):
    assert suggest_rating(Outcome(score, "x"), seconds, QUICK) == rating


def test_self_rated_cards_get_no_suggestion():
    assert suggest_rating(Outcome(1.0, "x", self_rated=True), 2, QUICK) is None


def test_a_fast_guess_on_a_guessable_type_is_never_easy():
    right = Outcome(1.0, "x")
    assert suggest_rating(right, 1, get_type("true_false").quick_seconds, guessable=True) == GOOD
    assert suggest_rating(right, 3, get_type("ordering").quick_seconds) == EASY


def test_the_typical_time_is_the_learners_own_with_the_type_as_prior():
    assert typical_seconds([], 10.0) == 10.0
    slow = [40.0] * 20  # a slow, always-right learner: judged against their own pace
    assert typical_seconds(slow, 10.0) == (PRIOR_WEIGHT * 10 + 20 * 40) / (PRIOR_WEIGHT + 20)
    assert suggest_rating(Outcome(1.0, "x"), 15.0, typical_seconds(slow, 10.0)) == EASY
    fast = [2.0] * 20  # a fast learner: 3 s is their normal, not Easy
    assert suggest_rating(Outcome(1.0, "x"), 3.0, typical_seconds(fast, 6.0)) == GOOD


def test_the_feedback_lays_out_each_item_against_the_right_one():
    match = {"prompt": "Match", "pairs": [["Mao", "PRC"], ["Stalin", "USSR"], ["Castro", "Cuba"]]}
    rows = get_type("matching").review(match, ["PRC", "Cuba", ""])
    assert [(r.item, r.given, r.right, r.ok) for r in rows] == [
        ("Mao", "PRC", "PRC", True), ("Stalin", "Cuba", "USSR", False), ("Castro", "", "Cuba", False)]
    select = {"prompt": "?", "choices": ["USSR", "PRC", "USA", "UK"], "answers": ["USSR", "PRC"]}
    rows = get_type("multiple_select").review(select, ["USSR", "USA"])
    assert [(r.item, r.given, r.right, r.ok) for r in rows] == [
        ("USSR", "picked", "picked", True), ("PRC", "not picked", "picked", False),
        ("USA", "picked", "not picked", False), ("UK", "not picked", "not picked", True)]
    order = {"prompt": "Order", "items": ["First", "Second", "Third"]}
    assert [r.ok for r in get_type("ordering").review(order, ["First", "Third", "Second"])] == [True, False, False]
    cloze = {"text": "{{c1::Mao}} met {{c1::Stalin}} in Moscow."}
    rows = get_type("cloze").review(cloze, ["mao", "Stalim"], 1)
    assert [(r.given, r.right, r.ok) for r in rows] == [("mao", "Mao", True), ("Stalim", "Stalin", False)]
    assert get_type("multiple_choice").review({"prompt": "?", "choices": ["a", "b"], "answer": "a"}, "b") == []
