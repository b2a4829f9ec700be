"""quizapp.banks.lint: each check finds a planted problem and stays quiet on its clean counterpart."""
from __future__ import annotations

import json
import random

import pytest

from quizapp.banks.lint import BLOCK_CAP, ERROR, WARNING, Finding, has_errors, lint, lint_bank
from quizapp.banks.native import from_data, parse_native

EVIDENCE = "In late 1949, Mao went to Moscow to seek economic help."


def make(questions: list[dict], bank_id: str = "demo"):
    result = from_data({"bank": 1, "id": bank_id, "title": "Demo", "questions": questions}, f"{bank_id}.yaml")
    assert result.ok, [str(e) for e in result.errors]
    return result.bank


def run(*questions: dict) -> list[Finding]:
    return lint_bank(make(list(questions)), "demo.yaml")


def found(findings: list[Finding], check: str) -> list[tuple[str, str | None]]:
    return [(f.level, f.question) for f in findings if f.check == check]


def tf(qid: str, prompt: str, **extra) -> dict:
    return {"id": qid, "type": "true_false", "prompt": prompt, "answer": True, **extra}


def short(qid: str, prompt: str, answers: list[str], **extra) -> dict:
    return {"id": qid, "type": "short_answer", "prompt": prompt, "answers": answers, **extra}


def mc(qid: str, prompt: str, choices: list[str], answer: str) -> dict:
    return {"id": qid, "type": "multiple_choice", "prompt": prompt, "choices": choices, "answer": answer}


def cloze(qid: str, text: str) -> dict:
    return {"id": qid, "type": "cloze", "text": text}


def ordering(qid: str, items: list[str], prompt: str = "Put these in chronological order.") -> dict:
    return {"id": qid, "type": "ordering", "prompt": prompt, "items": items}


# -- duplicates -----------------------------------------------------------------------------------

def test_an_exact_repeat_within_a_bank_is_an_error_naming_the_first():
    findings = run(tf("a", "Mao went to Moscow in 1949."), tf("b", "mao went to MOSCOW in 1949 !"))
    assert found(findings, "duplicate") == [(ERROR, "b")]
    (dup,) = [f for f in findings if f.check == "duplicate"]
    assert dup.other == {"file": "demo.yaml", "line": None, "bank": "demo", "question": "a"}
    assert "asks exactly what 'demo/a'" in dup.message
    assert found(findings, "near-duplicate") == []  # reported once, as the exact repeat it is


def test_different_prompts_are_no_duplicates():
    findings = run(tf("a", "Mao went to Moscow in 1949."), tf("b", "Stalin died in March 1953."))
    assert found(findings, "duplicate") == found(findings, "near-duplicate") == []


def test_exact_repeats_across_banks_are_errors():
    one = make([short("who", "Who led the KMT?", ["Chiang Kai-shek", "Chiang"])], "one")
    two = make([short("kmt-leader", "Who led the KMT", ["Chiang"]),
                mc("kmt-leader-choice", "Who led the KMT?", ["Chiang Kai-shek", "Mao"], "Chiang Kai-shek")], "two")
    findings = lint([("one.yaml", one), ("two.yaml", two)])
    assert [(f.level, f.file, f.bank, f.question) for f in findings if f.check == "duplicate"] == [
        (ERROR, "two.yaml", "two", "kmt-leader")]
    # The same prompt with choices to pick from is another form of the question: a near-duplicate.
    assert found(findings, "near-duplicate") == [(WARNING, "kmt-leader-choice")]


def test_the_same_prompt_with_other_choices_is_a_near_duplicate_not_an_exact_one():
    findings = run(mc("a", "Which of these is true?", ["Mao met Stalin", "Mao met Nixon first"], "Mao met Stalin"),
                   mc("b", "Which of these is true?", ["Stalin died in 1953", "Stalin died in 1960"],
                      "Stalin died in 1953"))
    assert found(findings, "duplicate") == []
    assert found(findings, "near-duplicate") == [(WARNING, "b")]


def test_generic_ordering_prompts_with_other_items_are_not_repeats():
    findings = run(ordering("a", ["Mao travels to Moscow", "Stalin signs the treaty", "Korean War begins"]),
                   ordering("b", ["Khrushchev denounces Stalin", "Soviet experts leave", "Border clashes"]))
    assert found(findings, "duplicate") == found(findings, "near-duplicate") == []
    same_items = run(ordering("a", ["Mao travels to Moscow", "Stalin signs the treaty"]),
                     ordering("b", ["Stalin signs the treaty", "Mao travels to Moscow"]))
    assert found(same_items, "duplicate") == [(ERROR, "b")]


def test_a_reworded_prompt_above_the_threshold_is_a_near_duplicate_and_one_below_is_not():
    findings = run(tf("a", "In late 1949 Mao travelled to Moscow to seek economic help from Stalin."),
                   tf("b", "Mao travelled to Moscow in late 1949 to seek economic help from Stalin!"),  # 100
                   tf("c", "In late 1949 Mao went to Moscow to seek economic help from Stalin."),  # 92
                   tf("d", "In late 1949 Mao travelled to Moscow to seek military help from Stalin."),  # 87
                   tf("e", "In 1950 Zhou Enlai travelled to Moscow to sign a treaty with Stalin."))  # 60
    near = {f.question: f for f in findings if f.check == "near-duplicate"}
    assert sorted(near) == ["b", "c"] and near["b"].other["question"] == near["c"].other["question"] == "a"
    assert near["b"].level == WARNING and "100% like 'demo/a'" in near["b"].message  # word order does not count
    assert "92% like 'demo/a'" in near["c"].message


def test_one_prompt_inside_another_is_a_near_duplicate_unless_short():
    term = "Sovetsko-kitayskiye otnosheniya (советско-китайские отношения)"
    findings = run({"id": "term", "type": "flashcard", "front": term, "back": "Sino-Soviet relations"},
                   {"id": "what", "type": "flashcard", "front": f"What does the Russian term {term} refer to?",
                    "back": "Sino-Soviet relations"})
    assert found(findings, "near-duplicate") == [(WARNING, "what")]
    assert "every word of one prompt is in the other" in findings[-1].message
    short_one = run({"id": "term", "type": "flashcard", "front": "Great Leap Forward", "back": "A campaign"},
                    {"id": "what", "type": "flashcard", "front": "What was the Great Leap Forward?", "back": "x"})
    assert found(short_one, "near-duplicate") == []  # three content words: too little to call a repeat


def test_cloze_siblings_on_one_sentence_are_near_duplicates_not_exact_ones():
    findings = run(cloze("a", "{{c1::Mao}} met Stalin in Moscow in 1949."),
                   cloze("b", "Mao met {{c1::Stalin}} in Moscow in 1949."))
    assert found(findings, "duplicate") == [] and found(findings, "near-duplicate") == [(WARNING, "b")]


def test_same_id_across_banks_is_an_error_with_the_same_answer_and_a_warning_without():
    one = make([{"id": "prc-year", "type": "numeric", "prompt": "In what year was the PRC proclaimed?",
                 "answer": 1949}], "one")
    reworded = make([{"id": "prc-year", "type": "numeric", "answer": 1949,
                      "prompt": "The People's Republic dates its founding from which year?"}], "two")
    other = make([{"id": "prc-year", "type": "numeric", "answer": 1950,
                   "prompt": "The treaty of friendship was signed in which year?"}], "three")
    assert found(lint([("one.yaml", one), ("two.yaml", reworded)]), "same-id") == [(ERROR, "prc-year")]
    assert found(lint([("one.yaml", one), ("three.yaml", other)]), "same-id") == [(WARNING, "prc-year")]
    renamed = make([{"id": "founding", "type": "numeric", "answer": 1949,
                     "prompt": "The People's Republic dates its founding from which year?"}], "two")
    assert found(lint([("one.yaml", one), ("two.yaml", renamed)]), "same-id") == []


def test_two_files_with_one_bank_id_are_an_error():
    findings = lint([("a.yaml", make([tf("a", "Mao went to Moscow.")], "same")),
                     ("b.yaml", make([tf("b", "Stalin died in 1953.")], "same"))])
    assert [(f.level, f.file, f.field) for f in findings if f.check == "duplicate"] == [(ERROR, "b.yaml", "id")]
    assert found(lint([("a.yaml", make([tf("a", "Mao went to Moscow.")], "one")),
                       ("b.yaml", make([tf("b", "Stalin died in 1953.")], "two"))]), "duplicate") == []


def test_blocking_finds_a_near_duplicate_among_prompts_made_of_common_words(monkeypatch):
    """Words in more than BLOCK_CAP questions are no keys, so the question meets only those sharing
    a rarer word with it; those rarer words still bring the pair together."""
    from quizapp.banks import lint as lint_module

    compared: dict[str, int] = {}
    real = lint_module.process.extractOne

    def counting(query, choices, **kwargs):
        compared[query] = len(choices)
        return real(query, choices, **kwargs)

    monkeypatch.setattr(lint_module.process, "extractOne", counting)
    rng = random.Random(3)
    filler = [tf(f"f{i}", "Soviet Union China Mao " + " ".join(f"w{rng.randrange(10**6)}" for _ in range(5)))
              for i in range(BLOCK_CAP + 50)]
    pair = [tf("p1", "Soviet Union China Mao Zhou Enlai"), tf("p2", "Zhou Enlai, Mao, China, Soviet Union")]
    findings = run(*filler[:100], pair[0], *filler[100:], pair[1])
    assert found(findings, "near-duplicate") == [(WARNING, "p2")]
    assert compared == {"china enlai mao soviet union zhou": 1}  # p2 against p1 only, not every filler


# -- answer in the prompt -------------------------------------------------------------------------

@pytest.mark.parametrize(("planted", "clean"), [
    (short("a", "Which city, Moscow or another, did Mao visit in 1949?", ["Moscow"]),
     short("a", "Which city did Mao visit in 1949?", ["Moscow"])),
    (short("a", "Chiang Kai-shek led which party?", ["KMT", "Chiang Kai-shek"]),
     short("a", "Who led the KMT?", ["Chiang Kai-shek", "Chiang"])),
    (mc("a", "Mao sought economic help in Moscow: what did he seek?", ["Economic help", "Nuclear weapons"],
        "Economic help"),
     mc("a", "What did Mao seek in Moscow?", ["Economic help", "Nuclear weapons"], "Economic help")),
    ({"id": "a", "type": "multiple_select", "prompt": "Mao and Zhou went to Moscow; who went?",
      "choices": ["Mao", "Zhou", "Lin Biao"], "answers": ["Mao", "Zhou"]},
     {"id": "a", "type": "multiple_select", "prompt": "Who went to Moscow in 1949-1950?",
      "choices": ["Mao", "Zhou", "Lin Biao"], "answers": ["Mao", "Zhou"]}),
    ({"id": "a", "type": "numeric", "prompt": "The treaty of 1950 was signed in which year?", "answer": 1950},
     {"id": "a", "type": "numeric", "prompt": "The treaty was signed in which year?", "answer": 1950}),
    ({"id": "a", "type": "flashcard", "front": "Lean to one side: what did lean to one side mean?",
      "back": "Lean to one side"},
     {"id": "a", "type": "flashcard", "front": "What did 'lean to one side' mean?",
      "back": "Siding with the Soviet camp"}),
    (cloze("a", "In 1949 {{c1::Mao}} went to Moscow; Mao asked Stalin for help."),
     cloze("a", "In 1949 {{c1::Mao}} went to Moscow; he asked Stalin for help.")),
    (cloze("a", "In 1949 Mao went to {{c1::Moscow::Moscow, the capital}}."),
     cloze("a", "In 1949 Mao went to {{c1::Moscow::a capital}}.")),
    (cloze("a", "{{c1::Mao}} met {{c2::Stalin, who disliked Mao}}."),
     cloze("a", "{{c1::Mao}} met {{c2::Stalin}}.")),
])
def test_an_answer_written_in_its_own_prompt_is_an_error(planted, clean):
    assert found(run(planted), "answer-in-prompt") == [(ERROR, "a")]
    assert found(run(clean), "answer-in-prompt") == []


def test_a_right_choice_named_beside_a_wrong_one_gives_nothing_away():
    question = mc("a", "Did Mao go to Moscow or to Warsaw?", ["Moscow", "Warsaw", "Yalta"], "Moscow")
    assert found(run(question), "answer-in-prompt") == []


def test_wildcards_partial_credit_and_function_words_are_not_giveaways():
    assert found(run(short("a", "Which city did Mao visit in Moscow's winter?", ["Mos*"])), "answer-in-prompt") == []
    partial = short("a", "Which Chinese leader met Stalin?", ["Mao Zedong", "Chinese"], weights={"Chinese": 0.2})
    assert found(run(partial), "answer-in-prompt") == []
    assert found(run(short("a", "What is the word in 'the treaty'?", ["the"])), "answer-in-prompt") == []


# -- ordering giveaways ---------------------------------------------------------------------------

def test_items_whose_years_rise_in_the_right_order_give_the_order_away():
    findings = run(ordering("a", ["Mao visits Moscow (1949)", "The treaty is signed in 1950", "Stalin dies, 1953"]))
    assert found(findings, "ordering-years") == [(ERROR, "a")]
    assert "1949, 1950, 1953" in findings[0].message
    falling = run(ordering("a", ["The USSR ends (1991)", "Gorbachev in Beijing (1989)", "Mao dies (1976)"]))
    assert found(falling, "ordering-years") == [(ERROR, "a")]


def test_some_dated_items_in_order_are_a_warning_and_undated_or_unordered_items_nothing():
    partial = run(ordering("a", ["Mao visits Moscow (1949)", "Korean War", "Stalin dies in 1953"]))
    assert found(partial, "ordering-years") == [(WARNING, "a")]
    assert found(run(ordering("a", ["Mao visits Moscow", "The treaty is signed", "Stalin dies"])),
                 "ordering-years") == []
    not_in_order = ordering("a", ["Stalin's successor (1953)", "The founder (1917)", "The last leader (1985)"],
                            prompt="Order these Soviet leaders by height.")
    assert found(run(not_in_order), "ordering-years") == []
    numbers = run(ordering("a", ["1,200 advisers arrive", "12000 students return", "2.5 million die"]))
    assert found(numbers, "ordering-years") == []


def test_sequence_words_in_items_are_a_warning():
    findings = run(ordering("a", ["Mao travels to Moscow", "Stalin first refuses to see him",
                                  "Mao, years later, complains"]))
    assert found(findings, "ordering-words") == [(WARNING, "a")]
    assert "item 2 'first'" in findings[0].message and "item 3 'later'" in findings[0].message
    assert found(run(ordering("a", ["Mao travels to Moscow", "Stalin refuses to see him", "Mao complains"])),
                 "ordering-words") == []


# -- one accepted form of several words -----------------------------------------------------------

def test_a_single_accepted_answer_of_several_words_is_a_warning():
    assert found(run(short("a", "Which campaign began in 1958?", ["Great Leap Forward"])),
                 "single-answer") == [(WARNING, "a")]
    assert found(run(cloze("a", "In 1958 Mao launched the {{c1::Great Leap Forward}}.")),
                 "single-answer") == [(WARNING, "a")]


@pytest.mark.parametrize("question", [
    short("a", "Which campaign began in 1958?", ["Great Leap Forward", "the Great Leap", "Great Leap"]),
    short("a", "Who met Stalin?", ["Mao Zedong"]),
    short("a", "Which campaign began in 1958?", ["Great Leap *"]),
    cloze("a", "In 1958 Mao launched the Great Leap {{c1::Forward}}."),
])
def test_variants_short_answers_and_wildcards_are_fine(question):
    assert found(run(question), "single-answer") == []


# -- explanations copying the evidence -------------------------------------------------------------

QUOTE = "In the immediate years after the PRC was proclaimed, the Soviet Union became its closest ally in the world."


def test_an_explanation_copying_twelve_words_of_the_evidence_is_a_warning():
    copied = "Because in the immediate years after the PRC was proclaimed, the Soviet Union became its partner."
    findings = run(tf("a", "The Soviet Union was the PRC's closest ally.", explanation=copied, evidence=QUOTE))
    assert found(findings, "copied-explanation") == [(WARNING, "a")]
    assert "copies 14 consecutive words" in findings[0].message


def test_an_explanation_sharing_eleven_words_is_fine():
    eleven = "Because in the immediate years after the PRC was proclaimed, the Soviet Russia was its friend."
    findings = run(tf("a", "The Soviet Union was the PRC's closest ally.", explanation=eleven, evidence=QUOTE))
    assert found(findings, "copied-explanation") == []


# -- shape, lines and robustness -------------------------------------------------------------------

YAML = """bank: 1
id: demo
title: Demo
questions:
  - id: fine
    type: true_false
    prompt: Mao went to Moscow.
    answer: true

  - id: giveaway
    type: short_answer
    prompt: Which city, Moscow, did Mao visit?
    answers: [Moscow]
"""


def test_findings_name_the_questions_line_as_the_parser_reports_it_and_serialise_to_json():
    result = parse_native(YAML, "demo.yaml")
    (finding,) = lint_bank(result.bank, "demo.yaml")
    assert finding.line == 10 == YAML.splitlines().index("  - id: giveaway") + 1
    assert json.loads(json.dumps(finding.as_dict())) == {
        "level": "error", "check": "answer-in-prompt", "file": "demo.yaml", "line": 10, "bank": "demo",
        "question": "giveaway", "field": "prompt", "message": "the prompt contains the accepted answer 'Moscow'",
        "other": None}
    assert str(finding) == ("demo.yaml:10: error: question 'giveaway': the prompt contains the accepted answer "
                            "'Moscow' [answer-in-prompt]")
    assert has_errors([finding]) and not has_errors([])


def test_a_malformed_upload_is_linted_as_far_as_it_can_be_read():
    result = from_data({"bank": 1, "id": "bad", "title": "Bad", "questions": [
        {"id": "a", "type": "multiple_choice", "prompt": ["not", "text"], "choices": "abc", "answer": {"x": 1}},
        {"id": "b", "type": "cloze", "text": 5, "explanation": ["x"], "evidence": {"a": 1}},
        {"id": "c", "type": "ordering", "prompt": None, "items": [{"x": 1}, None, "1950 treaty"]},
        {"id": "d", "type": "matching", "prompt": "p", "pairs": [["a"], "b", None]},
        {"id": "e", "type": "no-such-type", "prompt": "p"},
        {"id": "e", "type": "short_answer", "prompt": "p", "answers": [None, 3], "weights": [1]},
    ]}, "bad.yaml")
    assert not result.ok and result.partial is not None
    assert isinstance(lint_bank(result.partial, "bad.yaml"), list)


def test_html_markup_is_not_compared_as_words():
    html = {"id": "a", "type": "true_false", "prompt": "<b>Mao</b> went to <i>Moscow</i> in 1949.", "answer": True,
            "format": "html"}
    findings = run(html, tf("b", "Mao went to Moscow in 1949."))
    assert found(findings, "duplicate") == [(ERROR, "b")]
