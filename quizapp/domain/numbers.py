"""Reading a number as people type it, and saying how it was read.

"1949", "26,000,000", "26.000.000", "26 000 000", "0,125", "−7" (Unicode minus), "–7" (en dash),
"6.63e-34", "6.63 × 10^-34", "6.63·10⁻³⁴", "20%", "$250 million", "12 days", "May 1950" are all one
number. Words and symbols around the number are units and are ignored, except the scale words
(thousand, million, billion, trillion) that multiply it -- unless the question's own unit holds
that word ("30 million" in a box labelled "million people" is 30). Text with no number, or with
two ("1950-1953"), is not read at all: the learner is asked for one number, and nothing is
recorded.

The scanner walks the text once (linear time; no regular expression that can backtrack).
"""
from __future__ import annotations

import math
import unicodedata

SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9}
_MINUS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d")
_SPACES = frozenset(" \u00a0\u2009\u202f\u2007")
_TIMES = frozenset("x×*·⋅")


class NumberError(ValueError):
    """Text that is not one number; the message asks for what is wanted."""


def _normal(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)  # superscripts ⁻³⁴ -> −34, full-width digits -> ASCII
    return "".join(" " if c in _SPACES else c for c in text).strip().casefold()


def _scan(text: str) -> list[tuple[int, int, str]]:
    """Number tokens as (start, end, ASCII body with an optional leading '-')."""
    tokens = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        signed = (c in _MINUS or c == "+") and i + 1 < n and text[i + 1].isdigit() and (
            i == 0 or not (text[i - 1].isalnum()))
        if not (c.isdigit() or signed):
            i += 1
            continue
        start = i
        body = ["-"] if c in _MINUS else []
        spaced = False
        if signed:
            i += 1
        while i < n:
            ch = text[i]
            if ch.isdigit() or ch in ".," and i + 1 < n and text[i + 1].isdigit():
                body.append(ch)
                i += 1
            elif ch == " " and _three_digit_group(text, i + 1) and (spaced or _group_so_far(body)):
                spaced = True
                i += 1  # "26 000 000": a space between groups of three
            else:
                break
        # e-notation: 6.63e-34
        if i + 1 < n and text[i] == "e":
            j = i + 1
            exp = []
            if text[j] in "+-" or text[j] in _MINUS:
                exp.append("-" if text[j] != "+" else "+")
                j += 1
            digits_start = j
            while j < n and text[j].isdigit() and j - digits_start < 4:
                exp.append(text[j])
                j += 1
            if j > digits_start and (j == n or not text[j].isalpha()):
                body.append("e" + "".join(exp))
                i = j
        tokens.append((start, i, "".join(body)))
    return tokens


def _three_digit_group(text: str, at: int) -> bool:
    end = at + 3
    return (end <= len(text) and text[at:end].isdigit()
            and (end == len(text) or not text[end].isdigit()))


def _group_so_far(body: list[str]) -> bool:
    """The digits typed since the last separator make a thousands group (1 to 3 digits)."""
    digits = 0
    for ch in reversed(body):
        if not ch.isdigit():
            break
        digits += 1
    return 1 <= digits <= 3 and "." not in body and "," not in body


def _value(body: str) -> float:
    mantissa, _, exponent = body.partition("e")
    sign = -1.0 if mantissa.startswith("-") else 1.0
    digits = mantissa.lstrip("-")
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:  # the later one is the decimal mark: 1,234.5 or 1.234,5
        decimal = "." if digits.rfind(".") > digits.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif commas:
        whole, _, fraction = digits.partition(",")
        if commas == 1 and (whole.strip("0") == "" or len(fraction) != 3):
            digits = digits.replace(",", ".")  # 0,125 or 3,5: a decimal comma
        else:
            digits = digits.replace(",", "")  # 26,000,000 or 1,500
    elif dots > 1:
        digits = digits.replace(".", "")  # 26.000.000
    value = sign * float(digits)
    if exponent:
        value *= 10.0 ** int(exponent)
    return value


def read_number(raw: str, unit: str | None = None) -> float:
    """The one number in ``raw``; NumberError when there is none, or more than one."""
    text = _normal(raw)
    tokens = _scan(text)
    if not tokens:
        raise NumberError("Enter a number, for example 1949 or 2.5.")
    # "6.63 × 10^-34": mantissa, a times sign, 10, a caret (or **), exponent
    if len(tokens) == 3:
        (s1, e1, b1), (s2, e2, b2), (s3, e3, b3) = tokens
        between = text[e1:s2].strip()
        caret = text[e2:s3].strip()
        if b2 == "10" and between in _TIMES and (caret in ("^", "**", "") or caret in _MINUS):
            try:
                exponent = int(float(b3)) * (-1 if caret in _MINUS else 1)
                return _finite(_value(b1) * 10.0 ** exponent)
            except (OverflowError, ValueError):
                raise NumberError("That number is too large to read.") from None
    if len(tokens) > 1:
        shown = ", ".join(text[s:e] for s, e, _ in tokens)
        raise NumberError(f"Enter one number: that answer holds {len(tokens)} ({shown}).")
    start, end, body = tokens[0]
    try:
        value = _value(body)
    except (OverflowError, ValueError):
        raise NumberError("That number is too large to read.") from None
    unit_words = set(_normal(unit or "").replace("-", " ").split())
    following = text[end:].split()
    if following:
        word = following[0].strip(".,;:!?)")
        if word in SCALES and word not in unit_words:
            value *= SCALES[word]
    return _finite(value)


def _finite(value: float) -> float:
    if not math.isfinite(value) or value != value:
        raise NumberError("That number is too large to read.")
    return value


def format_number(value: float) -> str:
    """1949 not 1949.0, 1500000 not 1.5e+06, 6.63e-34 as it is; up to 15 significant digits, so a
    number shows as it was written (3.14159265358979) and float noise (0.30000000000000004) does not."""
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.15g}"


def close_enough(given: float, answer: float, tolerance: float) -> bool:
    """``given`` within ``tolerance`` (absolute) of ``answer``; with no tolerance, equal up to a
    relative 1e-9 (floating-point noise), so 0 is never taken for 6.63e-34."""
    slack = 1e-9 * max(abs(given), abs(answer))
    return abs(given - answer) <= float(tolerance) + slack
