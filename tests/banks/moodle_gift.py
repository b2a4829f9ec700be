"""A test-only GIFT reader transliterated from Moodle (moodle/moodle, public/question/format/gift/
format.php ``qformat_gift``, and question/format.php ``qformat_default`` for the file reading and
the grade check), line by line, PHP quirks included. Independent of quizapp.banks.gift: nothing
here imports it, so our writer can be checked against what Moodle itself would import.

Questions come back as dicts named like Moodle's ``$question`` fields. ``import_file`` also
applies ``importprocess``'s grade check (``match_grade_options`` in 'error' mode against
``question_bank::fraction_options_full``) and the per-type save checks that refuse a question
(``qtype_multichoice``: fewer than 2 non-empty answers; ``qtype_shortanswer``: no 100 % answer;
``qtype_match``: a stem with an empty answer stops the import).
"""
from __future__ import annotations

import re

PHP_TRIM = " \t\n\r\0\x0b"
RAW_FRACTIONS = [0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05]
FRACTION_OPTIONS_FULL = [0.0, 1.0, *RAW_FRACTIONS, *(-f for f in reversed(RAW_FRACTIONS)), -1.0]
WEIGHT_REGEX = re.compile(r"^%\-*([0-9]{1,2})\.?([0-9]*)%")
PHP_NUMERIC = re.compile(r"[ \t\n\r\v\f]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\v\f]*")
ID_REGEX = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
TAG_REGEX = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])*)\]")
FORMATS = {"moodle": "moodle", "html": "html", "plain": "plain", "markdown": "markdown"}


class MoodleError(Exception):
    """What Moodle's $this->error() would print; the import stops."""


def trim(s: str) -> str:
    return s.strip(PHP_TRIM)


def empty(s: str | None) -> bool:
    """PHP's empty() on a string: '' and '0' are empty."""
    return s is None or s in ("", "0")


def is_numeric(s: object) -> bool:
    return isinstance(s, (int, float)) or (isinstance(s, str) and PHP_NUMERIC.fullmatch(s) is not None)


def php_number(s: str) -> float:
    if not is_numeric(s):
        raise MoodleError(f"non-numeric value {s!r} in arithmetic (PHP 8 TypeError)")
    return float(s.strip(" \t\n\r\v\f"))


def escapedchar_pre(string: str) -> str:
    escaped = ["\\:", "\\#", "\\=", "\\{", "\\}", "\\~", "\\n"]
    placeholders = ["&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010"]
    string = string.replace("\\\\", "&&092;")
    for e, p in zip(escaped, placeholders):  # str_replace with arrays: one search after another
        string = string.replace(e, p)
    return string.replace("&&092;", "\\")


def escapedchar_post(string: str) -> str:
    placeholders = ["&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010"]
    characters = [":", "#", "=", "{", "}", "~", "\n"]
    for p, c in zip(placeholders, characters):
        string = string.replace(p, c)
    return string


def parse_text_with_format(text: str, defaultformat: str = "moodle") -> dict:
    result = {"text": text, "format": defaultformat}
    if text.startswith("["):
        formatend = text.find("]")
        name = text[1:formatend] if formatend >= 0 else text[1:-1]
        if name in FORMATS:
            result["format"] = FORMATS[name]
            result["text"] = text[formatend + 1:]
    result["text"] = trim(escapedchar_post(result["text"]))
    return result


def commentparser(answer: str, defaultformat: str) -> tuple[dict, dict]:
    bits = answer.split("#", 1)
    ans = parse_text_with_format(trim(bits[0]), defaultformat)
    feedback = (parse_text_with_format(trim(bits[1]), defaultformat) if len(bits) > 1
                else {"text": "", "format": defaultformat})
    return ans, feedback


def answerweightparser(answer: str) -> tuple[float, str]:
    answer = answer[1:]
    end = answer.find("%")
    weight = php_number(answer[:end]) / 100
    return weight, answer[end + 1:]


def extract_idnumber_and_tags(comment: str) -> tuple[str, list[str]]:
    m = ID_REGEX.search(comment)
    idnumber = trim(m[1]).replace("\\]", "]") if m else ""
    tags = [trim(raw).replace("\\]", "]") for raw in TAG_REGEX.findall(comment)]
    return idnumber, tags


def strip_tags(text: str) -> str:
    """PHP's strip_tags, roughly: '<' then a space is text; any other '<' opens a tag that runs to
    the next '>' (or the end), outside quotes."""
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "<" and not (i + 1 < n and text[i + 1].isspace()):
            i += 1
            quote = ""
            while i < n and (quote or text[i] != ">"):
                if text[i] in "\"'" and not quote:
                    quote = text[i]
                elif text[i] == quote:
                    quote = ""
                i += 1
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def readquestion(lines: list[str]) -> dict | None:
    question: dict = {"questiontextformat": "moodle", "generalfeedback": "", "generalfeedbackformat": "moodle"}
    comments = ""
    lines = list(lines)
    for key, line in enumerate(lines):
        line = trim(line)
        if line[:2] == "//":
            comments += line + "\n"
            lines[key] = " "
    text = trim("\n".join(lines))
    if text == "":
        return None
    text = escapedchar_pre(text)
    if text.startswith("$CATEGORY:"):
        return {"qtype": "category", "category": trim(text[10:])}
    if text[:2] == "::":
        text = text[2:]
        namefinish = text.find("::")
        if namefinish < 0:
            question["name"] = False
        else:
            question["name"] = trim(strip_tags(escapedchar_post(text[:namefinish])))
            text = trim(text[namefinish + 2:])
    else:
        question["name"] = False
    answerstart, answerfinish = text.find("{"), text.find("}")
    description = False
    if answerstart < 0 and answerfinish < 0:
        description, answertext, answerlength = True, "", 0
    elif answerstart < 0 or answerfinish < 0:
        raise MoodleError("braceerror")
    else:
        answerlength = answerfinish - answerstart
        if answerlength < 0:
            raise MoodleError("'}' before '{' (substr with a negative length: not modelled)")
        answertext = trim(text[answerstart + 1: answerstart + answerlength])
    if description:
        questiontext = text
    elif text[-1:] == "}":
        questiontext = text[:answerstart] + text[answerstart + answerlength + 1:]
    else:
        questiontext = text[:answerstart] + "_____" + text[answerstart + answerlength + 1:]
    gfseparator = answertext.rfind("####")
    if gfseparator < 0:
        generalfeedback = ""
    else:
        generalfeedback = answertext[gfseparator + 4:]
        answertext = trim(answertext[:gfseparator])
    parsed = parse_text_with_format(questiontext)
    question["questiontextformat"], question["questiontext"] = parsed["format"], parsed["text"]
    parsed = parse_text_with_format(generalfeedback, question["questiontextformat"])
    question["generalfeedback"], question["generalfeedbackformat"] = parsed["text"], parsed["format"]
    if question["name"] is False:
        name = trim(strip_tags(question["questiontext"]))[:80]
        question["name"] = name or "Question"
    question["idnumber"], question["tags"] = extract_idnumber_and_tags(comments)

    if description:
        question["qtype"] = "description"
    elif answertext == "":
        question["qtype"] = "essay"
    elif answertext[0] == "#":
        question["qtype"] = "numerical"
    elif "~" in answertext:
        question["qtype"] = "multichoice"
    elif "=" in answertext and "->" in answertext:
        question["qtype"] = "match"
    else:
        check = answertext
        if answertext.find("#") > 0:
            check = trim(answertext[:answertext.find("#")])
        question["qtype"] = "truefalse" if check in ("T", "TRUE", "F", "FALSE") else "shortanswer"

    qformat = question["questiontextformat"]
    qtype = question["qtype"]
    if qtype in ("description", "essay"):
        return question
    if qtype == "multichoice":
        question["single"] = 0 if "=" not in answertext else 1
        answers = answertext.replace("=", "~=").split("~")
        answers[0] = trim(answers[0])
        if empty(answers[0]):
            answers.pop(0)
        if len(answers) < 2:
            raise MoodleError("importminerror")
        question.update(answer=[], fraction=[], feedback=[])
        for answer in answers:
            answer = trim(answer)
            if answer[:1] == "=":
                weight, answer = 1.0, answer[1:]
            elif WEIGHT_REGEX.match(answer):
                weight, answer = answerweightparser(answer)
            else:
                weight = 0.0
            ans, feedback = commentparser(answer, qformat)
            question["answer"].append(ans)
            question["feedback"].append(feedback)
            question["fraction"].append(weight)
        return question
    if qtype == "match":
        answers = answertext.split("=")
        answers[0] = trim(answers[0])
        if empty(answers[0]):
            answers.pop(0)
        if len(answers) < 2:
            raise MoodleError("importminerror")
        question.update(subquestions=[], subanswers=[])
        for answer in answers:
            answer = trim(answer)
            if "->" not in answer:
                raise MoodleError("giftmatchingformat")
            marker = answer.find("->")
            question["subquestions"].append(parse_text_with_format(answer[:marker], qformat))
            question["subanswers"].append(trim(escapedchar_post(answer[marker + 2:])))
        return question
    if qtype == "truefalse":
        bits = answertext.split("#", 2)
        answer = parse_text_with_format(trim(bits[0]), qformat)
        wrong = parse_text_with_format(trim(bits[1]), qformat) if len(bits) > 1 else {"text": "", "format": qformat}
        right = parse_text_with_format(trim(bits[2]), qformat) if len(bits) > 2 else {"text": "", "format": qformat}
        if answer["text"] in ("T", "TRUE"):
            question.update(correctanswer=1, feedbacktrue=right, feedbackfalse=wrong)
        else:
            question.update(correctanswer=0, feedbacktrue=wrong, feedbackfalse=right)
        return question
    if qtype == "shortanswer":
        answers = answertext.split("=")
        answers[0] = trim(answers[0])
        if empty(answers[0]):
            answers.pop(0)
        if len(answers) < 1:
            raise MoodleError("importminerror")
        question.update(answer=[], fraction=[], feedback=[])
        for answer in answers:
            answer = trim(answer)
            if WEIGHT_REGEX.match(answer):
                weight, answer = answerweightparser(answer)
            else:
                weight = 1.0
            ans, feedback = commentparser(answer, qformat)
            question["answer"].append(ans["text"])
            question["feedback"].append(feedback)
            question["fraction"].append(weight)
        return question
    # numerical
    answertext = answertext[1:]
    pos = answertext.find("~")
    if pos >= 0:
        wrongfeedback, answertext = answertext[pos:], answertext[:pos]
    else:
        wrongfeedback = ""
    answers = answertext.split("=")
    answers[0] = trim(answers[0])
    if empty(answers[0]):
        answers.pop(0)
    if not answers:
        raise MoodleError("giftnonumericalanswers")
    question.update(answer=[], fraction=[], feedback=[], tolerance=[])
    for answer in answers:
        answer = trim(answer)
        if WEIGHT_REGEX.match(answer):
            weight, answer = answerweightparser(answer)
        else:
            weight = 1.0
        ans, feedback = commentparser(answer, qformat)
        question["fraction"].append(weight)
        question["feedback"].append(feedback)
        answer = ans["text"]
        if answer.find("..") > 0:
            marker = answer.find("..")
            hi, lo = php_number(trim(answer[marker + 2:])), php_number(trim(answer[:marker]))
            value: object = (hi + lo) / 2
            tol: object = hi - value
        elif answer.find(":") > 0:
            marker = answer.find(":")
            tol, value = trim(answer[marker + 1:]), trim(answer[:marker])
        else:
            tol, value = 0, trim(answer)
        if not is_numeric(value):
            value = "*"  # PHP: !(is_numeric($ans) || $ans = '*') assigns '*'
        if not is_numeric(tol):
            raise MoodleError("errornotnumbers")
        question["answer"].append(value)
        question["tolerance"].append(tol)
    if wrongfeedback:
        _, feedback = commentparser(wrongfeedback, qformat)
        question["fraction"].append(0.0)
        question["feedback"].append(feedback)
        question["answer"].append("*")
        question["tolerance"].append("")
    return question


def readquestions(lines: list[str]) -> list[dict]:
    """qformat_default::readquestions: lines trimmed, blocks split at empty lines (PHP empty())."""
    questions, current = [], []
    for line in lines:
        line = trim(line)
        if empty(line):
            if current:
                q = readquestion(current)
                if q:
                    questions.append(q)
                current = []
        else:
            current.append(line)
    if current:
        q = readquestion(current)
        if q:
            questions.append(q)
    return questions


def match_grade_options(grade: float) -> float | None:
    for value in FRACTION_OPTIONS_FULL:
        if abs(grade - value) < 0.00001:
            return value
    return None


def import_file(text: str) -> list[dict]:
    """What a Moodle import of ``text`` stores, in order (categories included), or MoodleError."""
    lines = text.removeprefix("\ufeff").split("\n")  # PHP file(): lines end at \n only
    questions = readquestions(lines)
    if not questions:
        raise MoodleError("noquestionsinfile")
    out = []
    for q in questions:
        if isinstance(q.get("fraction"), list):
            bad = [f for f in q["fraction"] if match_grade_options(f) is None]
            if bad:
                raise MoodleError(f"invalidgradequestion: {bad} in {q['name']!r}")
            q["fraction"] = [match_grade_options(f) for f in q["fraction"]]
        _save_checks(q)
        out.append(q)
    return out


def _save_checks(q: dict) -> None:
    if q["qtype"] == "multichoice":
        if sum(1 for a in q["answer"] if a["text"] != "") < 2:
            raise MoodleError("notenoughanswers")
    elif q["qtype"] == "shortanswer":
        if max(q["fraction"]) != 1:
            raise MoodleError("fractionsnomax")
    elif q["qtype"] == "match":
        for sub, answer in zip(q["subquestions"], q["subanswers"]):
            if sub["text"] != "" and trim(answer) == "":
                raise MoodleError("nomatchinganswer (the import stops after this question)")


def split_category_path(path: str) -> list[str]:
    return [strip_tags(trim(raw.replace("//", "/"))) for raw in re.split(r"(?<!/)/(?!/)", path)]


def visible_text(parsed: dict) -> str:
    """Roughly what a learner reads of a parsed text ({"text", "format"}): tags stripped and
    entities read, except in plain text."""
    import html

    if parsed["format"] == "plain":
        return parsed["text"]
    if parsed["format"] == "markdown":
        return html.unescape(parsed["text"])
    return html.unescape(strip_tags(parsed["text"]))
