// Grading in the browser, exactly as the server grades (issue 22: offline study).
//
// A port of quizapp/domain/questions/ (the nine types' read_response, check_response and grade),
// quizapp/domain/text.py (folding, wildcards, near-misses), quizapp/domain/numbers.py (reading typed
// numbers) and quizapp/domain/rating.py (the suggested rating). tests/grading_corpus.json holds the
// cases both implementations must agree on: tests/domain/test_grading_corpus.py runs them through the
// server's code, tests/e2e/test_grading_corpus_browser.py through this file in Chromium. The server
// re-grades every synced answer, so its result is the one kept; this one shows the learner the same.
//
// Exports (an ES module, no build step):
//   answer(type, grading, ordinal, fields) -> {response, score, correct, expected, feedback, self_rated,
//       near_miss, read_as} for an answer form's values (fields: {name: [values]}, a FormData or a
//       URLSearchParams), read, checked and graded as POST /study/answer does; {error: message} when the
//       server would ask again (empty, not one of the choices, not one number...), nothing to record.
//   grade(type, grading, ordinal, response) -> the outcome above for a response already read and checked
//       (the shape read_response gives, which POST /study/offline/sync takes as "response").
//       grade(type, packGrading, fields) (three arguments, the pack's card.grading) is answer() with the
//       pack's ordinal.
//   readResponse(type, fields, ordinal) -> response   (throws AskAgain)
//   checkResponse(type, grading, ordinal, response)   (throws AskAgain; numeric: re-reads the value with the unit)
//   suggestRating(outcome, seconds, typical, guessable) -> 1..4, or null for a self-rated card
//   typicalSeconds(recentSeconds, prior) -> the learner's typical time for a right answer
//   TYPES: {name: {quick_seconds, guessable, auto_graded}}; AskAgain; fold, matches, nearMiss,
//   readNumber, formatNumber (the helpers, as their Python namesakes).
// `grading` is the question's graded data (services.cards.graded_data) or the pack's card.grading
// ({data, ordinal, ...}); an outcome's keys are the Python Outcome's.
//
// Known limits: the character classes are Python's (the tables below, checked against Python by
// tests/domain/test_grading_corpus.py) but NFKD/NFKC normalisation is the browser's own (the same for
// every character both Unicode versions know); a number-valued text field holding a float with no
// fraction (choices: [2.0]) reads as "2" here and "2.0" on the server (JSON does not keep the
// difference); numbers are computed in the same doubles, a power of ten may differ in its last bit
// (the server's tolerance of 1e-9 covers it). Outcome.forms (the accepted forms, for display) is
// not computed here.

export const MAX_ANSWER_CHARS = 1000;
export const PASS_SCORE = 0.8;
export const FAST_FACTOR = 0.5;
export const PRIOR_WEIGHT = 5;
export const AGAIN = 1;
export const HARD = 2;
export const GOOD = 3;
export const EASY = 4;
export const EMPTY_ANSWER = "Type or choose an answer first: an empty answer is not recorded.";
const NOT_A_CHOICE = "That answer is not one of the choices: pick one of those shown.";

export const TYPES = {
  flashcard: { quick_seconds: 10.0, guessable: false, auto_graded: false },
  multiple_choice: { quick_seconds: 8.0, guessable: true, auto_graded: true },
  multiple_select: { quick_seconds: 15.0, guessable: false, auto_graded: true },
  true_false: { quick_seconds: 6.0, guessable: true, auto_graded: true },
  short_answer: { quick_seconds: 15.0, guessable: false, auto_graded: true },
  numeric: { quick_seconds: 10.0, guessable: false, auto_graded: true },
  cloze: { quick_seconds: 12.0, guessable: false, auto_graded: true },
  matching: { quick_seconds: 25.0, guessable: false, auto_graded: true },
  ordering: { quick_seconds: 25.0, guessable: false, auto_graded: true },
};

/** An answer the server would not record: the learner is asked again with this message. */
export class AskAgain extends Error {}

// --- Python's character classes ------------------------------------------------------------------

// BEGIN unicode tables
// Unicode 14.0.0, from Python's unicodedata (tests/domain/test_grading_corpus.py: unicode_tables)
const COMBINING = "300-34e,350-36f,483-487,591-5bd,5bf,5c1-5c2,5c4-5c5,5c7,610-61a,64b-65f,670,6d6-6dc,6df-6e4,6e7-6e8,6ea-6ed,711,730-74a,7eb-7f3,7fd,816-819,81b-823,825-827,829-82d,859-85b,898-89f,8ca-8e1,8e3-8ff,93c,94d,951-954,9bc,9cd,9fe,a3c,a4d,abc,acd,b3c,b4d,bcd,c3c,c4d,c55-c56,cbc,ccd,d3b-d3c,d4d,dca,e38-e3a,e48-e4b,eb8-eba,ec8-ecb,f18-f19,f35,f37,f39,f71-f72,f74,f7a-f7d,f80,f82-f84,f86-f87,fc6,1037,1039-103a,108d,135d-135f,1714-1715,1734,17d2,17dd,18a9,1939-193b,1a17-1a18,1a60,1a75-1a7c,1a7f,1ab0-1abd,1abf-1ace,1b34,1b44,1b6b-1b73,1baa-1bab,1be6,1bf2-1bf3,1c37,1cd0-1cd2,1cd4-1ce0,1ce2-1ce8,1ced,1cf4,1cf8-1cf9,1dc0-1dff,20d0-20dc,20e1,20e5-20f0,2cef-2cf1,2d7f,2de0-2dff,302a-302f,3099-309a,a66f,a674-a67d,a69e-a69f,a6f0-a6f1,a806,a82c,a8c4,a8e0-a8f1,a92b-a92d,a953,a9b3,a9c0,aab0,aab2-aab4,aab7-aab8,aabe-aabf,aac1,aaf6,abed,fb1e,fe20-fe2f,101fd,102e0,10376-1037a,10a0d,10a0f,10a38-10a3a,10a3f,10ae5-10ae6,10d24-10d27,10eab-10eac,10f46-10f50,10f82-10f85,11046,11070,1107f,110b9-110ba,11100-11102,11133-11134,11173,111c0,111ca,11235-11236,112e9-112ea,1133b-1133c,1134d,11366-1136c,11370-11374,11442,11446,1145e,114c2-114c3,115bf-115c0,1163f,116b6-116b7,1172b,11839-1183a,1193d-1193e,11943,119e0,11a34,11a47,11a99,11c3f,11d42,11d44-11d45,11d97,16af0-16af4,16b30-16b36,16ff0-16ff1,1bc9e,1d165-1d169,1d16d-1d172,1d17b-1d182,1d185-1d18b,1d1aa-1d1ad,1d242-1d244,1e000-1e006,1e008-1e018,1e01b-1e021,1e023-1e024,1e026-1e02a,1e130-1e136,1e2ae,1e2ec-1e2ef,1e8d0-1e8d6,1e944-1e94a";
const SPACE = "9-d,1c-20,85,a0,1680,2000-200a,2028-2029,202f,205f,3000";
const DIGIT_NOT_DECIMAL = "b2-b3,b9,1369-1371,19da,2070,2074-2079,2080-2089,2460-2468,2474-247c,2488-2490,24ea,24f5-24fd,24ff,2776-277e,2780-2788,278a-2792,10a40-10a43,10e60-10e68,11052-1105a,1f100-1f10a";
const DECIMAL_ZEROS = "30,660,6f0,7c0,966,9e6,a66,ae6,b66,be6,c66,ce6,d66,de6,e50,ed0,f20,1040,1090,17e0,1810,1946,19d0,1a80,1a90,1b50,1bb0,1c40,1c50,a620,a8d0,a900,a9d0,a9f0,aa50,abf0,ff10,104a0,10d30,11066,110f0,11136,111d0,112f0,11450,114d0,11650,116c0,11730,118e0,11950,11c50,11d50,11da0,16a60,16ac0,16b50,1d7ce,1d7d8,1d7e2,1d7ec,1d7f6,1e140,1e2f0,1e950,1fbf0";
const CASEFOLD = "b5:3bc,df:73 73,149:2bc 6e,17f:73,1f0:6a 30c,345:3b9,390:3b9 308 301,3b0:3c5 308 301,3c2:3c3,3d0:3b2,3d1:3b8,3d5:3c6,3d6:3c0,3f0:3ba,3f1:3c1,3f5:3b5,587:565 582,13a0:13a0,13a1:13a1,13a2:13a2,13a3:13a3,13a4:13a4,13a5:13a5,13a6:13a6,13a7:13a7,13a8:13a8,13a9:13a9,13aa:13aa,13ab:13ab,13ac:13ac,13ad:13ad,13ae:13ae,13af:13af,13b0:13b0,13b1:13b1,13b2:13b2,13b3:13b3,13b4:13b4,13b5:13b5,13b6:13b6,13b7:13b7,13b8:13b8,13b9:13b9,13ba:13ba,13bb:13bb,13bc:13bc,13bd:13bd,13be:13be,13bf:13bf,13c0:13c0,13c1:13c1,13c2:13c2,13c3:13c3,13c4:13c4,13c5:13c5,13c6:13c6,13c7:13c7,13c8:13c8,13c9:13c9,13ca:13ca,13cb:13cb,13cc:13cc,13cd:13cd,13ce:13ce,13cf:13cf,13d0:13d0,13d1:13d1,13d2:13d2,13d3:13d3,13d4:13d4,13d5:13d5,13d6:13d6,13d7:13d7,13d8:13d8,13d9:13d9,13da:13da,13db:13db,13dc:13dc,13dd:13dd,13de:13de,13df:13df,13e0:13e0,13e1:13e1,13e2:13e2,13e3:13e3,13e4:13e4,13e5:13e5,13e6:13e6,13e7:13e7,13e8:13e8,13e9:13e9,13ea:13ea,13eb:13eb,13ec:13ec,13ed:13ed,13ee:13ee,13ef:13ef,13f0:13f0,13f1:13f1,13f2:13f2,13f3:13f3,13f4:13f4,13f5:13f5,13f8:13f0,13f9:13f1,13fa:13f2,13fb:13f3,13fc:13f4,13fd:13f5,1c80:432,1c81:434,1c82:43e,1c83:441,1c84:442,1c85:442,1c86:44a,1c87:463,1c88:a64b,1e96:68 331,1e97:74 308,1e98:77 30a,1e99:79 30a,1e9a:61 2be,1e9b:1e61,1e9e:73 73,1f50:3c5 313,1f52:3c5 313 300,1f54:3c5 313 301,1f56:3c5 313 342,1f80:1f00 3b9,1f81:1f01 3b9,1f82:1f02 3b9,1f83:1f03 3b9,1f84:1f04 3b9,1f85:1f05 3b9,1f86:1f06 3b9,1f87:1f07 3b9,1f88:1f00 3b9,1f89:1f01 3b9,1f8a:1f02 3b9,1f8b:1f03 3b9,1f8c:1f04 3b9,1f8d:1f05 3b9,1f8e:1f06 3b9,1f8f:1f07 3b9,1f90:1f20 3b9,1f91:1f21 3b9,1f92:1f22 3b9,1f93:1f23 3b9,1f94:1f24 3b9,1f95:1f25 3b9,1f96:1f26 3b9,1f97:1f27 3b9,1f98:1f20 3b9,1f99:1f21 3b9,1f9a:1f22 3b9,1f9b:1f23 3b9,1f9c:1f24 3b9,1f9d:1f25 3b9,1f9e:1f26 3b9,1f9f:1f27 3b9,1fa0:1f60 3b9,1fa1:1f61 3b9,1fa2:1f62 3b9,1fa3:1f63 3b9,1fa4:1f64 3b9,1fa5:1f65 3b9,1fa6:1f66 3b9,1fa7:1f67 3b9,1fa8:1f60 3b9,1fa9:1f61 3b9,1faa:1f62 3b9,1fab:1f63 3b9,1fac:1f64 3b9,1fad:1f65 3b9,1fae:1f66 3b9,1faf:1f67 3b9,1fb2:1f70 3b9,1fb3:3b1 3b9,1fb4:3ac 3b9,1fb6:3b1 342,1fb7:3b1 342 3b9,1fbc:3b1 3b9,1fbe:3b9,1fc2:1f74 3b9,1fc3:3b7 3b9,1fc4:3ae 3b9,1fc6:3b7 342,1fc7:3b7 342 3b9,1fcc:3b7 3b9,1fd2:3b9 308 300,1fd3:3b9 308 301,1fd6:3b9 342,1fd7:3b9 308 342,1fe2:3c5 308 300,1fe3:3c5 308 301,1fe4:3c1 313,1fe6:3c5 342,1fe7:3c5 308 342,1ff2:1f7c 3b9,1ff3:3c9 3b9,1ff4:3ce 3b9,1ff6:3c9 342,1ff7:3c9 342 3b9,1ffc:3c9 3b9,ab70:13a0,ab71:13a1,ab72:13a2,ab73:13a3,ab74:13a4,ab75:13a5,ab76:13a6,ab77:13a7,ab78:13a8,ab79:13a9,ab7a:13aa,ab7b:13ab,ab7c:13ac,ab7d:13ad,ab7e:13ae,ab7f:13af,ab80:13b0,ab81:13b1,ab82:13b2,ab83:13b3,ab84:13b4,ab85:13b5,ab86:13b6,ab87:13b7,ab88:13b8,ab89:13b9,ab8a:13ba,ab8b:13bb,ab8c:13bc,ab8d:13bd,ab8e:13be,ab8f:13bf,ab90:13c0,ab91:13c1,ab92:13c2,ab93:13c3,ab94:13c4,ab95:13c5,ab96:13c6,ab97:13c7,ab98:13c8,ab99:13c9,ab9a:13ca,ab9b:13cb,ab9c:13cc,ab9d:13cd,ab9e:13ce,ab9f:13cf,aba0:13d0,aba1:13d1,aba2:13d2,aba3:13d3,aba4:13d4,aba5:13d5,aba6:13d6,aba7:13d7,aba8:13d8,aba9:13d9,abaa:13da,abab:13db,abac:13dc,abad:13dd,abae:13de,abaf:13df,abb0:13e0,abb1:13e1,abb2:13e2,abb3:13e3,abb4:13e4,abb5:13e5,abb6:13e6,abb7:13e7,abb8:13e8,abb9:13e9,abba:13ea,abbb:13eb,abbc:13ec,abbd:13ed,abbe:13ee,abbf:13ef,fb00:66 66,fb01:66 69,fb02:66 6c,fb03:66 66 69,fb04:66 66 6c,fb05:73 74,fb06:73 74,fb13:574 576,fb14:574 565,fb15:574 56b,fb16:57e 576,fb17:574 56d";
// END unicode tables

function parseRanges(table) {
  return table.split(",").map((part) => {
    const [low, high] = part.split("-");
    return [parseInt(low, 16), parseInt(high === undefined ? low : high, 16)];
  });
}

function inRanges(ranges, cp) {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[mid][0]) { hi = mid - 1; } else if (cp > ranges[mid][1]) { lo = mid + 1; } else { return true; }
  }
  return false;
}

const COMBINING_RANGES = parseRanges(COMBINING);
const SPACE_RANGES = parseRanges(SPACE);
const DIGIT_RANGES = parseRanges(DIGIT_NOT_DECIMAL);
const ZEROS = DECIMAL_ZEROS.split(",").map((z) => parseInt(z, 16));
const FOLDS = new Map(CASEFOLD.split(",").map((entry) => {
  const [cp, to] = entry.split(":");
  return [String.fromCodePoint(parseInt(cp, 16)), String.fromCodePoint(...to.split(" ").map((x) => parseInt(x, 16)))];
}));
const LETTER = /^\p{L}$/u;
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const DECIMAL = /^\p{Nd}$/u;

const cp = (c) => c.codePointAt(0);
// Each takes one character (a code point), or "" (false), as Python's str methods on one character.
const isSpace = (c) => c !== "" && inRanges(SPACE_RANGES, cp(c));
const isDecimal = (c) => c !== "" && DECIMAL.test(c);
const isDigit = (c) => c !== "" && (DECIMAL.test(c) || inRanges(DIGIT_RANGES, cp(c)));
const isAlpha = (c) => c !== "" && LETTER.test(c);
const isAlnum = (c) => c !== "" && LETTER_OR_NUMBER.test(c);
const isCombining = (c) => inRanges(COMBINING_RANGES, cp(c));
const chars = (text) => Array.from(text);
const length = (text) => chars(text).length;

function decimalValue(c) {
  const code = cp(c);
  let lo = 0;
  let hi = ZEROS.length - 1;
  while (lo < hi) { // the last zero at or before the digit
    const mid = (lo + hi + 1) >> 1;
    if (ZEROS[mid] <= code) { lo = mid; } else { hi = mid - 1; }
  }
  return code - ZEROS[lo];
}

/** Python's str.casefold (full case folding). */
export function casefold(text) {
  let out = "";
  for (const c of text) { out += FOLDS.has(c) ? FOLDS.get(c) : c.toLowerCase(); }
  return out;
}

/** Python's str.strip() with no argument. */
function strip(text) {
  const list = chars(text);
  let start = 0;
  let end = list.length;
  while (start < end && isSpace(list[start])) { start += 1; }
  while (end > start && isSpace(list[end - 1])) { end -= 1; }
  return list.slice(start, end).join("");
}

/** Python's str.split() with no argument. */
function split(text) {
  const out = [];
  let word = "";
  for (const c of text) {
    if (isSpace(c)) {
      if (word) { out.push(word); word = ""; }
    } else {
      word += c;
    }
  }
  if (word) { out.push(word); }
  return out;
}

/** Python's sorted() on strings: by code point (JavaScript's sort compares UTF-16 units). */
function byCodePoint(a, b) {
  const x = chars(a);
  const y = chars(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) { return cp(x[i]) - cp(y[i]); }
  }
  return x.length - y.length;
}

const sorted = (list) => [...list].sort(byCodePoint);

/** An integer from decimal digits of any script (Python's int() on text); NaN for anything else. */
function pyInt(text) {
  const body = strip(text);
  let sign = 1;
  let digits = chars(body);
  if (digits[0] === "-" || digits[0] === "+") {
    sign = digits[0] === "-" ? -1 : 1;
    digits = digits.slice(1);
  }
  if (!digits.length || !digits.every(isDecimal)) { return NaN; }
  return sign * Number(digits.map(decimalValue).join(""));
}

/** Python's float() on the texts the number reader makes; throws for what float() refuses. */
function pyFloat(text) {
  const ascii = chars(text).map((c) => (isDecimal(c) ? String(decimalValue(c)) : c)).join("");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(ascii)) { throw new RangeError("not a float"); }
  return Number(ascii);
}

/** Python's str() of a JSON value as the question's fields hold them. */
function pyStr(value) {
  if (value === null || value === undefined) { return "None"; }
  if (value === true) { return "True"; }
  if (value === false) { return "False"; }
  if (typeof value === "number") { return Number.isInteger(value) ? BigInt(value).toString() : pyRepr(value); }
  if (Array.isArray(value)) { return `[${value.map(pyStrRepr).join(", ")}]`; }
  return String(value);
}

function pyStrRepr(value) {
  return typeof value === "string" ? `'${value}'` : pyStr(value);
}

function pyRepr(number) { // repr of a float with a fraction: shortest digits, Python's layout
  if (!Number.isFinite(number)) { return number > 0 ? "inf" : (number < 0 ? "-inf" : "nan"); }
  const [mantissa, exp] = number.toExponential().split("e");
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(number);
}

const truthy = (value) => !(value === null || value === undefined || value === false || value === 0 || value === ""
  || (Array.isArray(value) && value.length === 0)
  || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0));

const clamp = (value) => Math.max(0, Math.min(1, value));

function thousands(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function capped(text) {
  const n = length(text);
  if (n > MAX_ANSWER_CHARS) {
    throw new AskAgain(`That answer is ${thousands(n)} characters long; at most ${thousands(MAX_ANSWER_CHARS)} are read.`);
  }
  return text;
}

// --- domain/text.py --------------------------------------------------------------------------------

const SOFT = new Set(chars(".,;:!?'\"`´‘’‚‛“”„‟«»‹›()[]{}¿¡…·"));
const DASHES = new Set(chars("-‐‑‒–—―_"));
const TEXT_MINUS = new Set(chars("-‐‑‒–—―\u2212\ufe63\uff0d"));

function foldChars(text, caseSensitive) {
  const list = chars(String(text).normalize("NFKD")).filter((c) => !isCombining(c));
  const out = [];
  const n = list.length;
  list.forEach((c, i) => {
    const before = i ? list[i - 1] : "";
    const after = i + 1 < n ? list[i + 1] : "";
    if ((c === "." || c === ",") && isDigit(before) && isDigit(after)) {
      out.push(c);
    } else if (TEXT_MINUS.has(c) && isDigit(after) && (!before || isSpace(before) || "([$€£¥".includes(before))) {
      out.push("-");
    } else if (DASHES.has(c) || TEXT_MINUS.has(c) || isSpace(c)) {
      out.push(" ");
    } else if (!SOFT.has(c)) {
      out.push(c);
    }
  });
  const folded = out.join("");
  return caseSensitive ? folded : casefold(folded);
}

/** domain.text.fold: case (unless caseSensitive), accents, spacing, dashes and soft punctuation folded. */
export function fold(text, caseSensitive = false) {
  return split(foldChars(text, caseSensitive)).join(" ").replaceAll(" %", "%");
}

/** domain.text.matches */
export function matches(given, expected, caseSensitive = false) {
  const g = fold(given, caseSensitive);
  return Boolean(g) && g === fold(expected, caseSensitive);
}

function wildcardPieces(pattern) {
  const list = chars(pattern);
  const pieces = [];
  let current = [];
  let i = 0;
  while (i < list.length) {
    const c = list[i];
    if (c === "\\" && i + 1 < list.length && list[i + 1] === "*") {
      current.push("*");
      i += 2;
    } else if (c === "*") {
      pieces.push(current.join(""));
      current = [];
      while (i < list.length && list[i] === "*") { i += 1; }
    } else {
      current.push(c);
      i += 1;
    }
  }
  pieces.push(current.join(""));
  return pieces;
}

function hasWildcard(pattern) {
  return wildcardPieces(pattern).length > 1;
}

function foldPiece(piece, caseSensitive, first, last) {
  const folded = chars(foldChars(piece, caseSensitive));
  let core = split(folded.join("")).join(" ");
  if (!first && folded.length && isSpace(folded[0]) && core) { core = ` ${core}`; }
  if (!last && folded.length && isSpace(folded[folded.length - 1]) && core) { core += " "; }
  return core;
}

/** domain.text.wildcard_matches: * is any text, \* a star (Moodle's short answer). */
export function wildcardMatches(given, pattern, caseSensitive = false) {
  const pieces = wildcardPieces(pattern);
  const text = fold(given, caseSensitive);
  if (pieces.length === 1) {
    return Boolean(text) && text === split(foldChars(pieces[0], caseSensitive)).join(" ");
  }
  const folded = pieces.map((p, i) => foldPiece(p, caseSensitive, i === 0, i === pieces.length - 1));
  const head = folded[0];
  const tail = folded[folded.length - 1];
  if (!text.startsWith(head)) { return false; }
  let pos = head.length;
  for (const piece of folded.slice(1, -1)) {
    const found = text.indexOf(piece, pos);
    if (found < 0) { return false; }
    pos = found + piece.length;
  }
  return text.length - pos >= tail.length && text.endsWith(tail);
}

function typoAllowance(expected) {
  const n = length(expected);
  if (n <= 4) { return 0; }
  return n < 12 ? 1 : 2;
}

function editDistance(textA, textB, limit) {
  const a = chars(textA);
  const b = chars(textB);
  if (Math.abs(a.length - b.length) > limit) { return limit + 1; }
  const big = limit + 1;
  const get = (row, j) => (row.has(j) ? row.get(j) : big);
  let prev2 = new Map();
  let prev = new Map();
  for (let j = 0; j <= Math.min(b.length, limit); j += 1) { prev.set(j, j); }
  for (let i = 1; i <= a.length; i += 1) {
    const cur = new Map();
    if (i <= limit) { cur.set(0, i); }
    for (let j = Math.max(1, i - limit); j <= Math.min(b.length, i + limit); j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(get(prev, j) + 1, get(cur, j - 1) + 1, get(prev, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, get(prev2, j - 2) + 1);
      }
      cur.set(j, value);
    }
    if ((cur.size ? Math.min(...cur.values()) : big) > limit) { return big; }
    prev2 = prev;
    prev = cur;
  }
  return Math.min(get(prev, b.length), big);
}

const lettersOnly = (folded) => chars(folded).every((c) => isAlpha(c) || c === " ");

/** domain.text.near_miss: the accepted answer `given` misses by a slip of letters, or "". */
export function nearMiss(given, accepted, caseSensitive = false) {
  const g = fold(given, caseSensitive);
  if (!g || !lettersOnly(g)) { return ""; }
  for (const answer of accepted) {
    const e = fold(answer, caseSensitive);
    const allowance = typoAllowance(e);
    if (allowance && lettersOnly(e) && g !== e && editDistance(g, e, allowance) <= allowance) { return answer; }
  }
  return "";
}

// --- domain/numbers.py -------------------------------------------------------------------------------

const SCALES = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12, bn: 1e9 };
const NUMBER_MINUS = new Set(chars("-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"));
const NUMBER_SPACES = new Set(chars(" \u00a0\u2009\u202f\u2007"));
const TIMES = new Set(chars("x×*·⋅"));
const TOO_LARGE = "That number is too large to read.";

class NumberError extends AskAgain {}

function normal(raw) {
  const text = chars(String(raw).normalize("NFKC")).map((c) => (NUMBER_SPACES.has(c) ? " " : c)).join("");
  return casefold(strip(text));
}

function threeDigitGroup(text, at) {
  const end = at + 3;
  return end <= text.length && text.slice(at, end).every(isDigit) && (end === text.length || !isDigit(text[end]));
}

function groupSoFar(body) {
  let digits = 0;
  for (let k = body.length - 1; k >= 0 && isDigit(body[k]); k -= 1) { digits += 1; }
  return digits >= 1 && digits <= 3 && !body.includes(".") && !body.includes(",");
}

function scan(text) { // text: an array of characters
  const tokens = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    const signed = (NUMBER_MINUS.has(c) || c === "+") && i + 1 < n && isDigit(text[i + 1])
      && (i === 0 || !isAlnum(text[i - 1]));
    if (!(isDigit(c) || signed)) {
      i += 1;
      continue;
    }
    const start = i;
    const body = NUMBER_MINUS.has(c) ? ["-"] : [];
    let spaced = false;
    if (signed) { i += 1; }
    while (i < n) {
      const ch = text[i];
      if (isDigit(ch) || ((ch === "." || ch === ",") && i + 1 < n && isDigit(text[i + 1]))) {
        body.push(ch);
        i += 1;
      } else if (ch === " " && threeDigitGroup(text, i + 1) && (spaced || groupSoFar(body))) {
        spaced = true;
        i += 1;
      } else {
        break;
      }
    }
    if (i + 1 < n && text[i] === "e") {
      let j = i + 1;
      const exp = [];
      if ("+-".includes(text[j]) || NUMBER_MINUS.has(text[j])) {
        exp.push(text[j] !== "+" ? "-" : "+");
        j += 1;
      }
      const digitsStart = j;
      while (j < n && isDigit(text[j]) && j - digitsStart < 4) {
        exp.push(text[j]);
        j += 1;
      }
      if (j > digitsStart && (j === n || !isAlpha(text[j]))) {
        body.push(`e${exp.join("")}`);
        i = j;
      }
    }
    tokens.push([start, i, body.join("")]);
  }
  return tokens;
}

function numberValue(body) {
  const at = body.indexOf("e");
  const mantissa = at < 0 ? body : body.slice(0, at);
  const exponent = at < 0 ? "" : body.slice(at + 1);
  const sign = mantissa.startsWith("-") ? -1 : 1;
  let digits = mantissa.replace(/^-+/, "");
  const dots = digits.split(".").length - 1;
  const commas = digits.split(",").length - 1;
  if (dots && commas) {
    const decimal = digits.lastIndexOf(".") > digits.lastIndexOf(",") ? "." : ",";
    const thousandsMark = decimal === "." ? "," : ".";
    digits = digits.replaceAll(thousandsMark, "").replaceAll(decimal, ".");
  } else if (commas) {
    const comma = digits.indexOf(",");
    const whole = digits.slice(0, comma);
    const fraction = digits.slice(comma + 1);
    if (commas === 1 && (whole.replace(/^0+|0+$/g, "") === "" || length(fraction) !== 3)) {
      digits = digits.replaceAll(",", ".");
    } else {
      digits = digits.replaceAll(",", "");
    }
  } else if (dots > 1) {
    digits = digits.replaceAll(".", "");
  }
  let value = sign * pyFloat(digits);
  if (exponent) { value *= 10 ** pyInt(exponent); }
  return value;
}

function finite(value) {
  if (!Number.isFinite(value)) { throw new NumberError(TOO_LARGE); }
  return value;
}

/** domain.numbers.read_number: the one number in `raw` (throws AskAgain when none, or more than one). */
export function readNumber(raw, unit = null) {
  const text = chars(normal(raw));
  const tokens = scan(text);
  if (!tokens.length) { throw new NumberError("Enter a number, for example 1949 or 2.5."); }
  const slice = (s, e) => text.slice(s, e).join("");
  if (tokens.length === 3) {
    const [[, e1, b1], [s2, e2, b2], [s3, , b3]] = tokens;
    const between = strip(slice(e1, s2));
    const caret = strip(slice(e2, s3));
    if (b2 === "10" && TIMES.has(between) && (["^", "**", ""].includes(caret) || NUMBER_MINUS.has(caret))) {
      let exponent;
      let mantissa;
      try {
        exponent = Math.trunc(pyFloat(b3)) * (NUMBER_MINUS.has(caret) ? -1 : 1);
        mantissa = numberValue(b1);
      } catch {
        throw new NumberError(TOO_LARGE);
      }
      const power = 10 ** exponent;
      if (!Number.isFinite(power)) { throw new NumberError(TOO_LARGE); }
      return finite(mantissa * power);
    }
  }
  if (tokens.length > 1) {
    const shown = tokens.map(([s, e]) => slice(s, e)).join(", ");
    throw new NumberError(`Enter one number: that answer holds ${tokens.length} (${shown}).`);
  }
  const [[, end, body]] = tokens;
  let value;
  try {
    value = numberValue(body);
  } catch {
    throw new NumberError(TOO_LARGE);
  }
  const unitWords = new Set(split(normal(unit || "").replaceAll("-", " ")));
  const following = split(slice(end, text.length));
  if (following.length) {
    const word = following[0].replace(/^[.,;:!?)]+|[.,;:!?)]+$/g, "");
    if (Object.hasOwn(SCALES, word) && !unitWords.has(word)) { value *= SCALES[word]; }
  }
  return finite(value);
}

/** domain.numbers.format_number: 1949 not 1949.0; up to 15 significant digits ("%.15g"). */
export function formatNumber(value) {
  const number = Number(value);
  if (Number.isInteger(number) && Math.abs(number) < 1e15) { return String(number === 0 ? 0 : number); }
  if (!Number.isFinite(number)) { return number > 0 ? "inf" : (number < 0 ? "-inf" : "nan"); }
  const [mantissa, exp] = number.toExponential(14).split("e");
  const exponent = Number(exp);
  const trim = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exponent < -4 || exponent >= 15) {
    return `${trim(mantissa)}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return trim(number.toFixed(14 - exponent));
}

function closeEnough(given, answer, tolerance) {
  const slack = 1e-9 * Math.max(Math.abs(given), Math.abs(answer));
  return Math.abs(given - answer) <= Number(tolerance) + slack;
}

// --- the question types (domain/questions/) ------------------------------------------------------

function outcome(score, expected, feedback = "", extra = {}) {
  return {
    score, correct: score >= 0.999, expected, feedback, self_rated: false, near_miss: "", read_as: "", ...extra,
  };
}

function getter(fields) {
  if (typeof fields === "function") { return fields; }
  if (fields && typeof fields.getAll === "function") { return (name) => fields.getAll(name).map(String); }
  return (name) => {
    const values = fields && Object.hasOwn(fields, name) ? fields[name] : [];
    return (Array.isArray(values) ? values : [values]).map(String);
  };
}

function firstStripped(getlist) {
  const values = getlist("answer");
  return values.length ? capped(strip(values[0])) : "";
}

const isScalar = (value) => typeof value === "string" || typeof value === "number";

function isEmpty(response) {
  if (response === null || response === undefined) { return true; }
  if (typeof response === "string") { return !strip(response); }
  if (Array.isArray(response)) { return response.every(isEmpty); }
  if (typeof response === "object") { return isEmpty(Object.hasOwn(response, "text") ? response.text : null); }
  return false;
}

function choiceFeedback(q, keys) {
  const notes = (q.feedback && typeof q.feedback === "object") ? q.feedback : {};
  return keys.filter((k) => Object.hasOwn(notes, k) && truthy(notes[k])).map((k) => pyStr(notes[k])).join(" ");
}

function weightsOf(q) {
  const out = new Map();
  for (const [choice, weight] of Object.entries(q.weights || {})) { out.set(choice, Number(weight)); }
  return out;
}

const offered = (q) => new Set(q.choices.map(pyStr));

const flashcard = {
  read: () => null,
  check: () => {},
  expected: (q, card) => pyStr(card === 1 ? q.front : q.back),
  grade(q, response, card) {
    return { ...outcome(1.0, this.expected(q, card)), self_rated: true };
  },
};

const multipleChoice = {
  read: (getlist) => firstStripped(getlist),
  check(q, response) {
    if (isEmpty(response)) { return; }
    if (!isScalar(response) || !offered(q).has(pyStr(response))) { throw new AskAgain(NOT_A_CHOICE); }
  },
  expected: (q) => pyStr(q.answer),
  grade(q, response) {
    const given = pyStr(response);
    const right = given === pyStr(q.answer);
    const weights = weightsOf(q);
    const score = right ? 1.0 : (weights.has(given) ? weights.get(given) : 0.0);
    return outcome(score, this.expected(q), choiceFeedback(q, [given]));
  },
};

const multipleSelect = {
  read: (getlist) => sorted([...new Set(getlist("answer").filter((v) => v))]),
  check(q, response) {
    if (isEmpty(response)) { return; }
    if (!Array.isArray(response) || !response.every(isScalar)) { throw new AskAgain(NOT_A_CHOICE); }
    const picked = response.map(pyStr);
    const choices = offered(q);
    if (picked.some((p) => !choices.has(p))) { throw new AskAgain(NOT_A_CHOICE); }
    if (new Set(picked).size !== picked.length) { throw new AskAgain("Each choice can be ticked once."); }
  },
  expected: (q) => q.answers.map(pyStr).join("; "),
  grade(q, response) {
    const picked = new Set((response || []).map(pyStr));
    const right = new Set(q.answers.map(pyStr));
    const weights = weightsOf(q);
    let score;
    if (weights.size) {
      let sum = 0;
      for (const c of picked) { sum += weights.has(c) ? weights.get(c) : 0.0; }
      score = clamp(sum);
    } else {
      const hits = [...picked].filter((c) => right.has(c)).length;
      score = right.size ? clamp((hits - (picked.size - hits)) / right.size) : 0.0;
    }
    return outcome(score, this.expected(q), choiceFeedback(q, sorted(picked)));
  },
};

const trueFalse = {
  read(getlist) {
    const values = getlist("answer");
    const value = values.length ? strip(values[0]).toLowerCase() : "";
    return value === "true" ? true : (value === "false" ? false : null);
  },
  check(q, response) {
    if (response !== null && response !== undefined && typeof response !== "boolean") {
      throw new AskAgain("Answer true or false.");
    }
  },
  expected: (q) => (q.answer ? "True" : "False"),
  grade(q, response) {
    const score = response === q.answer ? 1.0 : 0.0;
    const key = response === null || response === undefined ? "" : String(response);
    return outcome(score, this.expected(q), choiceFeedback(q, [key]));
  },
};

const shortAnswer = {
  read: (getlist) => firstStripped(getlist),
  check: () => {},
  fullCredit(q) {
    const weights = q.weights || {};
    return q.answers.map(pyStr)
      .filter((a) => Number(Object.hasOwn(weights, a) ? weights[a] : 1.0) >= 1 && !hasWildcard(a))
      .map((a) => a.replaceAll("\\*", "*"));
  },
  expected(q) {
    const full = this.fullCredit(q);
    return (full.length ? full : [pyStr(q.answers[0])]).join(" / ");
  },
  grade(q, response) {
    const given = truthy(response) ? pyStr(response) : "";
    const caseSensitive = q.case_sensitive === true;
    const weights = q.weights || {};
    const notes = q.feedback || {};
    for (const answer of q.answers) {
      const pattern = pyStr(answer);
      const hit = pattern.includes("*") ? wildcardMatches(given, pattern, caseSensitive)
        : matches(given, pattern, caseSensitive);
      if (hit) {
        const weight = Object.hasOwn(weights, pattern) ? weights[pattern] : 1.0;
        const note = Object.hasOwn(notes, pattern) ? pyStr(notes[pattern]) : "";
        return outcome(clamp(Number(weight)), this.expected(q), note);
      }
    }
    const near = q.typos === false ? "" : nearMiss(given, this.fullCredit(q), caseSensitive);
    return outcome(0.0, this.expected(q), "", { near_miss: near });
  },
};

function numericValue(response) {
  const value = response !== null && typeof response === "object" && !Array.isArray(response) ? response.value : response;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

const numeric = {
  read(getlist) {
    const raw = firstStripped(getlist);
    if (!raw) { return null; }
    return { text: raw, value: readNumber(raw) };
  },
  check(q, response) {
    if (response !== null && typeof response === "object" && typeof response.text === "string") {
      response.value = readNumber(response.text, q.unit);
    }
  },
  expected(q) {
    let shown = formatNumber(q.answer);
    if (truthy(q.tolerance)) { shown += ` (± ${formatNumber(q.tolerance)})`; }
    return truthy(q.unit) ? `${shown} ${pyStr(q.unit)}` : shown;
  },
  grade(q, response) {
    const value = numericValue(response);
    if (value === null) { return outcome(0.0, this.expected(q), ""); }
    const readAs = formatNumber(value) + (truthy(q.unit) ? ` ${pyStr(q.unit)}` : "");
    const mainNote = typeof q.feedback === "string" ? q.feedback : "";
    const candidates = [[q.answer, q.tolerance ?? 0, 1.0, mainNote]];
    for (const a of q.alternatives || []) {
      candidates.push([a.answer, a.tolerance ?? 0, a.weight ?? 0.0, a.feedback ?? ""]);
    }
    for (const [answer, tolerance, weight, note] of candidates) {
      if (closeEnough(value, Number(answer), Number(tolerance))) {
        return outcome(clamp(Number(weight)), this.expected(q), truthy(note) ? pyStr(note) : "", { read_as: readAs });
      }
    }
    return outcome(0.0, this.expected(q), truthy(q.wrong_feedback) ? pyStr(q.wrong_feedback) : "", { read_as: readAs });
  },
};

// Cloze: Anki's deletions, parsed as domain/questions/cloze.py parses them (a tree, at most 10 open).
const MAX_DEPTH = 10;

function clozeOrdinals(digits) {
  const parts = new Set();
  for (const p of digits.split(",")) {
    if (p && length(p) <= 5 && pyInt(p) <= 65535) { parts.add(pyInt(p)); }
  }
  return parts.size ? [...parts].sort((a, b) => a - b) : null;
}

function deletionText(deletion) {
  return deletion.nodes.map((n) => (typeof n === "string" ? n : deletionText(n))).join("");
}

function parseCloze(source) {
  const stack = [];
  const out = [];
  const addText = (chunk) => {
    if (!chunk) { return; }
    if (stack.length) {
      const top = stack[stack.length - 1];
      let piece = chunk;
      if (!piece.startsWith("image-occlusion:") && piece.includes("::")) {
        const at = piece.indexOf("::");
        top.hint = piece.slice(at + 2);
        piece = piece.slice(0, at);
      }
      top.nodes.push(piece);
    } else {
      out.push(chunk);
    }
  };
  let pos = 0;
  for (const m of source.matchAll(/\{\{c([\p{Nd},]*)::|\}\}/gu)) {
    if (m[1] !== undefined) {
      const ordinals = clozeOrdinals(m[1]);
      if (ordinals === null) { continue; }
      addText(source.slice(pos, m.index));
      pos = m.index + m[0].length;
      if (stack.length < MAX_DEPTH) { stack.push({ ordinals, nodes: [], hint: null }); }
    } else {
      addText(source.slice(pos, m.index));
      pos = m.index + m[0].length;
      if (stack.length) {
        const made = stack.pop();
        (stack.length ? stack[stack.length - 1].nodes : out).push(made);
      } else {
        out.push("}}");
      }
    }
  }
  addText(source.slice(pos));
  return out;
}

function clozeBlanks(source, card) {
  const blanks = [];
  const walk = (nodes) => {
    for (const n of nodes) {
      if (typeof n === "string") { continue; }
      if (n.ordinals.includes(card)) { blanks.push(deletionText(n)); } else { walk(n.nodes); }
    }
  };
  walk(parseCloze(String(source)));
  return blanks;
}

const cloze = {
  read: (getlist) => getlist("answer").slice(0, 100).map((v) => capped(strip(v))),
  check: () => {},
  expected: (q, card) => clozeBlanks(q.text, card).join("; "),
  grade(q, response, card) {
    const blanks = clozeBlanks(q.text, card);
    const given = (response || []).map(pyStr);
    const caseSensitive = q.case_sensitive === true;
    let right = 0;
    const misses = [];
    blanks.forEach((blank, i) => {
      const typed = i < given.length ? given[i] : "";
      if (matches(typed, blank, caseSensitive)) {
        right += 1;
      } else {
        misses.push(q.typos !== false ? nearMiss(typed, [blank], caseSensitive) : "");
      }
    });
    const near = misses.length && misses.every(Boolean) ? misses.join("; ") : "";
    return outcome(blanks.length ? right / blanks.length : 0.0, this.expected(q, card), "", { near_miss: near });
  },
};

const matching = {
  read(getlist) {
    const out = [];
    for (let n = 0; ; n += 1) {
      const values = getlist(`match-${n}`);
      if (!values.length) { return out; }
      out.push(values[0]);
    }
  },
  check(q, response) {
    if (isEmpty(response)) { return; }
    if (!Array.isArray(response) || response.length !== q.pairs.length) {
      throw new AskAgain("Give one match for each item on the left.");
    }
    const choices = new Set([...q.pairs.map((p) => pyStr(p[1])), ...(q.distractors || []).map(pyStr)]);
    for (const pick of response) {
      if (pick !== "" && pick !== null && (typeof pick !== "string" || !choices.has(pick))) {
        throw new AskAgain("That match is not one of the choices: pick one of those shown.");
      }
    }
  },
  expected: (q) => q.pairs.map((p) => `${pyStr(p[0])} → ${pyStr(p[1])}`).join("; "),
  grade(q, response) {
    const given = response || [];
    const right = q.pairs.filter((p, i) => i < given.length && given[i] === pyStr(p[1])).length;
    return outcome(right / q.pairs.length, this.expected(q));
  },
};

const sameItems = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

const ordering = {
  read(getlist) {
    const ordered = getlist("answer").filter((v) => v);
    if (ordered.length) { return ordered; }
    const shown = [];
    for (let k = 0; getlist(`item-${k}`).length; k += 1) {
      shown.push([getlist(`item-${k}`)[0], getlist(`position-${k}`)]);
    }
    const ranks = new Map();
    for (const [item, positions] of shown) {
      const position = positions.length === 1 ? strip(positions[0]) : "";
      const decimal = position !== "" && chars(position).every(isDecimal);
      const rank = decimal && length(position) < 6 ? pyInt(position) : 0;
      if (!(rank >= 1 && rank <= shown.length) || ranks.has(rank)) {
        throw new AskAgain(`Give each item its own position from 1 to ${shown.length}.`);
      }
      ranks.set(rank, item);
    }
    return [...ranks.keys()].sort((a, b) => a - b).map((rank) => ranks.get(rank));
  },
  check(q, response) {
    if (isEmpty(response)) { return; }
    if (!Array.isArray(response) || !sameItems(response.map(pyStr), q.items.map(pyStr))) {
      throw new AskAgain("Place every item of the list once, and only those.");
    }
  },
  expected: (q) => q.items.map(pyStr).join(" → "),
  grade(q, response) {
    const items = q.items.map(pyStr);
    const given = (response || []).map(pyStr);
    if (!sameItems(given, items)) { return outcome(0.0, this.expected(q)); }
    const rank = new Map(given.map((item, n) => [item, n]));
    let pairs = 0;
    let inOrder = 0;
    for (let a = 0; a < items.length; a += 1) {
      for (let b = a + 1; b < items.length; b += 1) {
        pairs += 1;
        if (rank.get(items[a]) < rank.get(items[b])) { inOrder += 1; }
      }
    }
    return outcome(inOrder / pairs, this.expected(q));
  },
};

const REGISTRY = {
  flashcard,
  multiple_choice: multipleChoice,
  multiple_select: multipleSelect,
  true_false: trueFalse,
  short_answer: shortAnswer,
  numeric,
  cloze,
  matching,
  ordering,
};

function typeOf(name) {
  if (!Object.hasOwn(REGISTRY, name)) { throw new Error(`unknown question type ${name}`); }
  return REGISTRY[name];
}

const dataOf = (grading) => (grading && typeof grading.data === "object" && grading.data !== null ? grading.data : grading);

// --- the public functions ----------------------------------------------------------------------------

/** The learner's answer from the form's values (type.read_response); throws AskAgain. */
export function readResponse(type, fields, ordinal = 0) {
  return typeOf(type).read(getter(fields), ordinal);
}

/** services.answers.check_answer: throws AskAgain for an empty answer or one the question does not offer. */
export function checkResponse(type, grading, ordinal, response) {
  if (!TYPES[type].auto_graded) { return; }
  if (isEmpty(response)) { throw new AskAgain(EMPTY_ANSWER); }
  typeOf(type).check(dataOf(grading), response, ordinal);
}

/** An answer form's values read, checked and graded: the outcome with its response, or {error}. */
export function answer(type, grading, ordinal, fields) {
  try {
    const response = readResponse(type, fields, ordinal);
    checkResponse(type, grading, ordinal, response);
    return { response, ...typeOf(type).grade(dataOf(grading), response, ordinal) };
  } catch (error) {
    if (error instanceof AskAgain) { return { error: error.message }; }
    throw error;
  }
}

/** The outcome of a response already read and checked; grade(type, packGrading, fields) is answer(). */
export function grade(type, grading, ordinal, response) {
  if (arguments.length === 3 && typeof ordinal !== "number") {
    return answer(type, grading, Number(grading.ordinal) || 0, ordinal);
  }
  return typeOf(type).grade(dataOf(grading), response, ordinal);
}

/** domain.rating.suggest_rating */
export function suggestRating(result, seconds, typical, guessable = false) {
  if (result.self_rated) { return null; }
  if (result.score < PASS_SCORE) { return AGAIN; }
  if (!(result.score >= 0.999)) { return HARD; }
  if (seconds !== null && seconds !== undefined && !guessable && seconds <= FAST_FACTOR * typical) { return EASY; }
  return GOOD;
}

/** domain.rating.typical_seconds: the recent median shrunk toward the type's prior. */
export function typicalSeconds(recent, prior) {
  if (!recent.length) { return prior; }
  const list = [...recent].sort((a, b) => a - b);
  const mid = list.length >> 1;
  const median = list.length % 2 ? list[mid] : (list[mid - 1] + list[mid]) / 2;
  return (PRIOR_WEIGHT * prior + list.length * median) / (PRIOR_WEIGHT + list.length);
}
