"""The shared corpora run in Chromium: every grading case (tests/grading_corpus.json) through
static/offline/grade.js and every scheduling step (tests/scheduling_corpus.json) through
static/offline/schedule.js (vendored ts-fsrs), as the offline study page loads them (ES modules from
/static, no build step). tests/domain/test_grading_corpus.py and test_scheduling_corpus.py hold the
same corpora to the server's Python code, so the browser and the server agree case by case.

One page, one evaluate: the device is put in a far time zone (Pacific/Kiritimati, UTC+14) to show
that study days follow the learner's zone from the pack, not the device's.
"""
from __future__ import annotations

import json
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
GRADING = json.loads((TESTS / "grading_corpus.json").read_text(encoding="utf-8"))
SCHEDULING = json.loads((TESTS / "scheduling_corpus.json").read_text(encoding="utf-8"))

RUN = """
async ([grading, scheduling]) => {
  const g = await import("/static/offline/grade.js");
  const s = await import("/static/offline/schedule.js");
  const close = (a, b, rel) => typeof a === "number" && typeof b === "number"
    && Math.abs(a - b) <= Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), 1e-300);
  const same = (got, want) => {
    if (typeof want === "number" || typeof got === "number") { return close(got, want, 1e-12); }
    if (Array.isArray(want)) {
      return Array.isArray(got) && got.length === want.length && want.every((w, i) => same(got[i], w));
    }
    if (want && typeof want === "object") {
      const keys = Object.keys(want);
      return Boolean(got) && typeof got === "object" && !Array.isArray(got)
        && Object.keys(got).length === keys.length && keys.every((k) => same(got[k], want[k]));
    }
    return got === want;
  };
  const gradeCase = (c) => {
    const info = g.TYPES[c.type];
    try {
      const response = "form" in c ? g.readResponse(c.type, c.form, c.ordinal) : structuredClone(c.response);
      g.checkResponse(c.type, c.grading, c.ordinal, response);
      const o = g.grade(c.type, c.grading, c.ordinal, response);
      return { ask_again: null, response, ...o,
        suggested: g.suggestRating(o, null, info.quick_seconds, info.guessable),
        suggested_fast: g.suggestRating(o, grading.fast_seconds, info.quick_seconds, info.guessable) };
    } catch (error) {
      if (error instanceof g.AskAgain) { return { ask_again: error.message }; }
      return { crashed: String(error) };
    }
  };
  const gradeDiffs = (c) => {
    const got = gradeCase(c);
    const diffs = Object.keys(c.expect).filter((k) => !same(got[k], c.expect[k]))
      .map((k) => `${k}: got ${JSON.stringify(got[k])}, want ${JSON.stringify(c.expect[k])}`);
    if (got.crashed) { diffs.push(got.crashed); }
    return diffs;
  };
  const out = { grading: [], ratings: [], scheduling: [], cases: 0, steps: 0, types: g.TYPES };
  for (const c of grading.cases) {
    out.cases += 1;
    const diffs = gradeDiffs(c);
    if (diffs.length) { out.grading.push(`${c.id}: ${diffs.join("; ")}`); }
  }
  // The comparison itself can fail: a case whose expectation is changed is reported.
  const altered = structuredClone(grading.cases.find((c) => c.id === "short_answer/austria-is-wrong-not-typo"));
  altered.expect.score = 1.0;
  out.alteredCaught = gradeDiffs(altered).length === 1;
  // The pack's grading object and the study page's call: grade(type, card.grading, fields).
  out.packCall = g.grade("cloze", { data: { text: "{{c1::Mao}} met {{c1::Stalin}}" }, ordinal: 1 },
    { answer: ["Mao", "Stalni"] });
  out.packRefusal = g.grade("numeric", { data: { answer: 1949 }, ordinal: 0 }, { answer: ["1949-1953"] });
  for (const r of grading.ratings) {
    const got = g.suggestRating({ score: r.score, self_rated: r.self_rated }, r.seconds, r.typical, r.guessable);
    if (got !== r.expect) { out.ratings.push(`${r.id}: got ${got}, want ${r.expect}`); }
  }
  for (const r of grading.typical) {
    if (!close(g.typicalSeconds(r.recent, r.prior), r.expect, 1e-12)) { out.ratings.push(`typical ${r.id}`); }
  }
  const tol = scheduling.tolerance;
  for (const seq of scheduling.sequences) {
    let own = null;
    seq.steps.forEach((step, i) => {
      out.steps += 1;
      const where = `${seq.id} #${i}`;
      const factor = s.fuzzFactor(seq.fuzz_seed, step.before ? step.before.reps : 0);
      if (factor !== step.fuzz_factor) { out.scheduling.push(`${where} fuzz ${factor} != ${step.fuzz_factor}`); }
      const got = s.nextStates(step.before, step.at, seq.user, seq.fuzz_seed);
      const labels = s.intervals(step.before, step.at, seq.user, { fuzz_seed: seq.fuzz_seed });
      for (const r of ["1", "2", "3", "4"]) {
        const a = got[r];
        const b = step.next[r];
        for (const k of ["state", "step", "due", "last_review", "reps", "lapses", "leech"]) {
          if (a[k] !== b[k]) { out.scheduling.push(`${where} rating ${r} ${k}: ${a[k]} != ${b[k]}`); }
        }
        for (const k of ["stability", "difficulty"]) {
          if (!close(a[k], b[k], tol[k])) { out.scheduling.push(`${where} rating ${r} ${k}: ${a[k]} != ${b[k]}`); }
        }
        if (labels[r] !== step.labels[r]) {
          out.scheduling.push(`${where} rating ${r} label ${labels[r]} != ${step.labels[r]}`);
        }
      }
      // The card carried along by this module's own states (as offline study does) stays on the server's days.
      own = s.review(own, step.rating, step.at, seq.user, { fuzz_seed: seq.fuzz_seed });
      const want = step.next[String(step.rating)];
      if (own.due !== want.due || own.state !== want.state || !close(own.stability, want.stability, 1e-5)) {
        out.scheduling.push(`${where} chained: due ${own.due} != ${want.due}`);
      }
    });
  }
  return out;
}
"""


def test_grade_js_and_schedule_js_agree_with_the_server_on_every_corpus_case(browser, server):
    context = browser.new_context(base_url=server, timezone_id="Pacific/Kiritimati")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto("/login")  # any page of the app: the modules load from its origin, under its CSP
        result = page.evaluate(RUN, [GRADING, SCHEDULING])
        assert errors == []
    finally:
        context.close()
    assert result["cases"] == len(GRADING["cases"]) >= 200
    assert result["steps"] == sum(len(s["steps"]) for s in SCHEDULING["sequences"]) >= 60
    assert result["types"] == GRADING["types"]  # each type's prior time and guessability, as the registry's
    assert result["grading"] == []
    assert result["ratings"] == []
    assert result["scheduling"] == []
    assert result["alteredCaught"] is True
    assert result["packCall"]["score"] == 0.5 and result["packCall"]["near_miss"] == "Stalin"
    assert result["packRefusal"] == {"error": "Enter one number: that answer holds 2 (1949, 1953)."}
