// The offline study page (templates/study/offline.html), issue 22.
//
// Shows the cards of the pack kept in IndexedDB (static/offline/store.js) one at a time, with the
// same answer inputs as online (the pack's form_html), grades in the browser (static/offline/grade.js),
// shows the right answer, the explanation and the source passage, and the four rating buttons with
// their intervals (static/offline/schedule.js, ts-fsrs with the learner's parameters). Each answer is
// queued with a client id and the time it was given; the queue goes to the server when online
// (static/offline/sync.js), which re-grades and replays every answer at its time: what is computed
// here only orders this device's session and shows the intervals.

const here = document.getElementById("offline-app-script");
const register = document.getElementById("offline-register");
const store = await import(register.dataset.store);
const sync = await import(register.dataset.sync);

const RATINGS = { 1: "Again", 2: "Hard", 3: "Good", 4: "Easy" };
const DAY_MS = 24 * 60 * 60 * 1000;

const root = document.getElementById("offline-study");
const statusLine = document.getElementById("sync-status");
const connection = document.getElementById("connection");
const countsLine = document.getElementById("offline-counts");

let grader = null; // the grading and scheduling modules, loaded once a pack is there
let scheduler = null;
let kept = null; // {user_id, fetched_at, pack}
let current = null; // the card on screen: {card, state (before the answer), shownAt, started, seq, at}
let syncing = null;

async function modules() {
  if (!grader) {
    [grader, scheduler] = await Promise.all([import(here.dataset.grade), import(here.dataset.schedule)]);
  }
}

// --- small helpers -----------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) { continue; }
    if (name === "text") { node.textContent = value; } else if (name === "html") { node.innerHTML = value; } else {
      node.setAttribute(name, value === true ? "" : value);
    }
  }
  children.flat().forEach((child) => node.append(child));
  return node;
}

function typeset(node) {
  if (typeof window.renderMathInElement === "function") {
    window.renderMathInElement(node, {
      delimiters: [
        { left: "\\[", right: "\\]", display: true }, { left: "\\(", right: "\\)", display: false },
        { left: "[$$]", right: "[/$$]", display: true }, { left: "[$]", right: "[/$]", display: false },
        { left: "[latex]", right: "[/latex]", display: true },
      ],
      ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option", "input"],
      throwOnError: false,
    });
  }
}

function newId() {
  if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

// Every name of the form to the list of its values, as the server's `fields` takes them.
function formFields(form) {
  const fields = {};
  for (const [name, value] of new FormData(form).entries()) {
    (fields[name] = fields[name] || []).push(String(value));
  }
  return fields;
}

// --- the study day and the queue of cards --------------------------------------------------------

function dayStart(user, now) {
  const start = Date.parse(user.day_start);
  if (Number.isNaN(start)) { return now - (now % DAY_MS); }
  return start + Math.floor((now - start) / DAY_MS) * DAY_MS;
}

// The pack's cards with the states given here offline over them.
function cardsNow(local) {
  return kept.pack.cards.map((card) => {
    const mine = local.get(card.key);
    return mine ? { ...card, state: mine.state, due: mine.state ? mine.state.due : card.due, new: false, local: mine }
      : { ...card, local: null };
  });
}

// What is left today and the next card, as the study page chooses: learning cards due first, then
// reviews due (within the day's review limit), then new cards (within the new-card limit); one
// card of a question a day (its siblings wait, as online).
function plan(now) {
  return store.localCards().then((local) => {
    const user = kept.pack.user;
    const today = dayStart(user, now);
    const packDay = dayStart(user, Date.parse(kept.pack.generated_at));
    let newDone = today === packDay ? user.new_done_today || 0 : 0;
    let reviewsDone = today === packDay ? user.reviews_done_today || 0 : 0;
    const packed = new Map(kept.pack.cards.map((c) => [c.key, c]));
    const answeredToday = new Map(); // question id -> keys of its cards answered today
    for (const mine of local.values()) {
      for (const a of mine.answers || []) {
        if (Date.parse(a.at) >= today) {
          if (!answeredToday.has(mine.question_id)) { answeredToday.set(mine.question_id, new Set()); }
          answeredToday.get(mine.question_id).add(mine.key);
          const wasNew = a.online ? !(packed.get(mine.key) || {}).state : a.was_new;
          if (wasNew) { newDone += 1; } else { reviewsDone += 1; }
        }
      }
    }
    const cards = cardsNow(local).filter((c) => !(c.local && c.local.online));
    // A sibling of a card answered today waits for tomorrow (buried, as online).
    const open = (c) => !answeredToday.has(c.question_id) || answeredToday.get(c.question_id).has(c.key);
    const dueBy = (c) => Date.parse(c.due);
    const learning = cards.filter((c) => c.state && (c.state.state === 1 || c.state.state === 3) && dueBy(c) <= now && open(c));
    const reviews = cards.filter((c) => c.state && c.state.state === 2 && dueBy(c) <= now && open(c));
    const fresh = cards.filter((c) => !c.state && open(c));
    const reviewRoom = Math.max(0, (user.reviews_per_day ?? Infinity) - reviewsDone);
    const newRoom = Math.max(0, Math.min((user.new_per_day ?? Infinity) - newDone, reviewRoom));
    learning.sort((a, b) => dueBy(a) - dueBy(b));
    reviews.sort((a, b) => dueBy(a) - dueBy(b));
    const newLeft = Math.min(fresh.length, newRoom);
    const reviewLeft = Math.min(reviews.length, reviewRoom);
    const next = learning[0] || (reviewLeft ? reviews[0] : null) || (newLeft ? fresh[0] : null);
    const later = cards.filter((c) => c.state && dueBy(c) > now).map(dueBy).sort((a, b) => a - b)[0];
    return { next, counts: { new: newLeft, learning: learning.length, due: reviewLeft }, later, total: cards.length };
  });
}

// --- grading and scheduling (grade.js and schedule.js) -------------------------------------------

// The outcome of the form's values, or {error} when the server would ask again (nothing recorded).
function gradeAnswer(card, fields) {
  return grader.answer(card.type, card.grading, card.ordinal, fields);
}

// The rating the server would suggest (domain/rating.py), against the type's usual time: the
// learner's own recent times are not in the pack. The server suggests again from the same answer
// and time when it replays it (rating null), with the learner's history: that one is kept.
function suggested(card, outcome, seconds) {
  const type = grader.TYPES[card.type] || { quick_seconds: 10, guessable: false };
  return grader.suggestRating(outcome, seconds, type.quick_seconds, type.guessable) ?? 3;
}

// The learner's settings with the card's bank's options (learning and relearning steps, leech threshold), as the
// server schedules it.
function settingsFor(card) {
  const bank = (kept.pack.banks || []).find((b) => b.id === card.bank_id);
  if (!bank) { return kept.pack.user; }
  return { ...kept.pack.user, learning_steps: bank.learning_steps, relearning_steps: bank.relearning_steps,
    leech_threshold: bank.leech_threshold };
}

function review(card, state, rating, at) {
  return scheduler.review(state, rating, at, settingsFor(card), card);
}

function intervals(card, state, at) {
  return scheduler.intervals(state, at, settingsFor(card), card);
}

// --- the screens --------------------------------------------------------------------------------

function showCounts(counts) {
  countsLine.replaceChildren(
    el("span", { class: "count count-new", title: "New cards left today" }, el("b", { text: String(counts.new) }), " new"),
    el("span", { class: "count count-learning", title: "Cards in learning" }, el("b", { text: String(counts.learning) }), " learning"),
    el("span", { class: "count count-due", title: "Reviews due today" }, el("b", { text: String(counts.due) }), " due"),
  );
}

function ratingButtons(card, state, at, chosen) {
  const shown = intervals(card, state, at);
  return Object.entries(RATINGS).map(([value, name]) => el("button", {
    type: "button", name: "rating", value, "data-key": value,
    class: `button rating rating-${value}${Number(value) === chosen ? " chosen" : ""}`,
    "aria-pressed": chosen == null ? null : String(Number(value) === chosen),
  }, el("span", { text: name }), " ", el("span", { class: "interval", text: shown[value] || "" }), " ", el("kbd", { text: value })));
}

function cardMeta(card) {
  const bank = (kept.pack.banks || []).find((b) => b.id === card.bank_id);
  const parts = [bank && bank.title, card.type_label || card.type, card.state ? null : "new"].filter(Boolean);
  return el("p", { class: "muted card-meta", text: parts.join(" · ") });
}

async function showNext() {
  const now = Date.now();
  const { next, counts, later, total } = await plan(now);
  showCounts(counts);
  current = null;
  if (!next) {
    const when = later ? new Date(later).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : null;
    root.replaceChildren(el("section", { class: "panel", "aria-labelledby": "done-title" },
      el("h2", { id: "done-title", text: "All done for now" }),
      el("p", { text: `${plural(total, "card is", "cards are")} kept on this device.` +
        (when ? ` The next one is due ${when}.` : "") }),
      el("p", {}, el("a", { href: "/study", class: "button primary", text: "Study online" }))));
    return;
  }
  await modules();
  current = { card: next, state: next.state, shownAt: new Date().toISOString(), started: performance.now() };
  root.replaceChildren(next.auto_graded === false ? flashcard(next) : question(next));
  typeset(root);
  const first = root.querySelector("input:not([type=hidden]), select, textarea, #reveal");
  if (first) { first.focus(); }
}

function question(card) {
  const error = el("p", { class: "flash error", role: "alert", id: "answer-error", hidden: true });
  const form = el("form", { class: "answer-form", "aria-labelledby": "prompt", novalidate: true, html: card.form_html });
  form.prepend(error);
  form.append(el("button", { type: "submit", class: "button primary" }, "Check answer ", el("kbd", { text: "Enter" })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    check(form, error).catch(problem);
  });
  return el("article", { class: "panel study-card", "aria-labelledby": "prompt", "data-type": card.type, "data-card": card.key },
    cardMeta(card), form);
}

async function check(form, error) {
  const { card } = current;
  const fields = formFields(form);
  const given = Object.values(fields).flat().some((v) => v.trim() !== "");
  if (!given) {
    error.textContent = "Answer first: type or choose something, then check.";
    error.hidden = false;
    error.focus?.();
    return;
  }
  const outcome = await gradeAnswer(card, fields);
  if (outcome && outcome.error) {
    error.textContent = outcome.error;
    error.hidden = false;
    return;
  }
  const at = new Date();
  const duration = Math.min(86399999, Math.round(performance.now() - current.started));
  const rating = suggested(card, outcome, duration / 1000);
  const answer = {
    client_id: newId(), question_id: card.question_id, ordinal: card.ordinal, fields, rating: null,
    answered_at: at.toISOString(), shown_at: current.shownAt, duration_ms: duration, question_version: card.version,
  };
  const after = review(card, current.state, rating, at);
  current.seq = await store.recordAnswer(kept.user_id, answer, localRecord(card, after, at), true);
  current.at = at;
  feedback(card, outcome, rating);
  await showQueue();
}

// The card's offline record after an answer at `at` (`card` is as it was before the answer, so a
// rating changed on the feedback screen replaces the record rather than adding an answer).
function localRecord(card, state, at) {
  const previous = card.local && !card.local.online ? card.local.answers : [];
  return {
    key: card.key, question_id: card.question_id, user_id: kept.user_id, state,
    answers: [...previous, { at: at.toISOString(), was_new: !card.state }],
  };
}

function verdict(outcome) {
  if (outcome.correct) { return ["is-right", "✓ Right"]; }
  if (outcome.score > 0) { return ["is-partial", `◐ Partly right (${Math.round(outcome.score * 100)}%)`]; }
  return ["is-wrong", "✗ Not quite"];
}

function feedback(card, outcome, rating) {
  const [kind, text] = verdict(outcome);
  const ratings = el("fieldset", { class: "ratings" },
    el("legend", {}, "Rated ", el("strong", { text: RATINGS[rating] }),
      " (suggested from your answer). Another rating? Pick it to go on:"),
    ratingButtons(card, current.state, current.at, rating));
  ratings.addEventListener("click", (event) => {
    const button = event.target.closest("button[name=rating]");
    if (button) { finish(Number(button.value)).catch(problem); }
  });
  const goOn = el("button", { type: "button", class: "button primary", id: "continue", "data-key": "Enter" },
    "Continue ", el("kbd", { text: "Enter" }));
  goOn.addEventListener("click", () => finish(null).catch(problem));
  const article = el("article", { class: `panel study-card feedback ${kind}`, "aria-labelledby": "verdict" },
    cardMeta(card),
    el("div", { role: "status" }, el("h2", { id: "verdict", class: "verdict", tabindex: "-1", text })),
    el("dl", { class: "answer-recap" }, el("dt", { text: "Right answer" }), el("dd", { html: card.expected_html || "" })),
    el("div", { class: "offline-feedback", html: card.feedback_html || "" }),
    el("form", { class: "rate-form" }, ratings),
    el("p", {}, goOn));
  root.replaceChildren(article);
  typeset(article);
  goOn.focus();
}

// The learner leaves the feedback screen: with the suggested rating (null, the server suggests it
// again from the same answer and time) or another one.
async function finish(rating) {
  const { card, seq, at } = current;
  const changes = { open: false };
  let record = null;
  if (rating != null) {
    changes.rating = rating;
    record = localRecord(card, review(card, current.state, rating, at), at);
  }
  await store.updateAnswer(seq, changes, record);
  await showQueue();
  trySync();
  await showNext();
}

function flashcard(card) {
  const back = el("div", { id: "flashcard-back", class: "flashcard-back", hidden: true },
    el("p", { class: "back", html: card.expected_html || "" }), el("div", { html: card.feedback_html || "" }));
  const reveal = el("button", { type: "button", class: "button primary", id: "reveal", "data-reveal": "#flashcard-back" },
    "Show answer ", el("kbd", { text: "Space" }));
  const at = new Date();
  const ratings = el("fieldset", { class: "ratings" }, el("legend", { text: "How well did you remember?" }),
    ratingButtons(card, card.state, at, null));
  const rate = el("form", { class: "rate-form", id: "rate-form", hidden: true }, ratings);
  reveal.addEventListener("click", () => {
    back.hidden = false;
    rate.hidden = false;
    reveal.parentElement.remove();
    const good = rate.querySelector("button[value='3']");
    if (good) { good.focus(); }
  });
  ratings.addEventListener("click", (event) => {
    const button = event.target.closest("button[name=rating]");
    if (button) { rateFlashcard(Number(button.value)).catch(problem); }
  });
  return el("article", { class: "panel study-card", "aria-labelledby": "prompt", "data-type": card.type, "data-card": card.key },
    cardMeta(card), el("h2", { id: "prompt", class: "prompt", html: card.form_html }), back,
    el("p", { class: "reveal-row" }, reveal), rate);
}

async function rateFlashcard(rating) {
  const { card } = current;
  const at = new Date();
  const answer = {
    client_id: newId(), question_id: card.question_id, ordinal: card.ordinal, rating,
    answered_at: at.toISOString(), shown_at: current.shownAt,
    duration_ms: Math.min(86399999, Math.round(performance.now() - current.started)), question_version: card.version,
  };
  await store.recordAnswer(kept.user_id, answer, localRecord(card, review(card, card.state, rating, at), at), false);
  await showQueue();
  trySync();
  await showNext();
}

function problem(error) {
  statusLine.textContent = `Something went wrong: ${error && error.message ? error.message : error}`;
}

// --- connection and sync ------------------------------------------------------------------------

async function showQueue(note) {
  const waiting = kept ? (await store.queued(kept.user_id)).length : (await store.queued()).length;
  statusLine.dataset.waiting = String(waiting);
  if (waiting) {
    statusLine.textContent = `${plural(waiting, "answer", "answers")} waiting to sync.` + (note ? ` ${note}` : "");
  } else {
    statusLine.textContent = note || (statusLine.dataset.synced ? "All answers synced." : "");
  }
}

function showConnection() {
  connection.textContent = navigator.onLine
    ? "Online: answers are sent as you go."
    : "Offline: your answers are kept on this device and sent when you are back online.";
}

function trySync() {
  if (!navigator.onLine || syncing) { return syncing; }
  syncing = (async () => {
    try {
      const result = await sync.syncQueue();
      if (result.sent) { statusLine.dataset.synced = "1"; }
      const note = result.refused.length ? `Not counted: ${result.refused.join(" ")}` : null;
      await showQueue(note);
      // Everything sent and no card on screen: the new pack (with the synced states) and its next card.
      if (result.sent && !result.left && !current && await loadPack(true)) { await showNext(); }
    } catch (error) {
      await showQueue(error instanceof sync.SignedOut ? "Sign in to send them." : null);
    } finally {
      syncing = null;
    }
  })();
  return syncing;
}

// The pack kept on the device; online, a fresh one first when due (force: after answers were synced).
async function loadPack(force = false) {
  if (navigator.onLine) {
    try {
      kept = await sync.refreshPack({ force, maxAge: sync.PACK_MAX_AGE_MS }) || kept;
    } catch (error) {
      // Online and signed out (a shared device after logging out): nobody's cards are shown. The
      // answers waiting stay kept, and go when their learner signs in again.
      if (error instanceof sync.SignedOut) {
        root.replaceChildren(el("section", { class: "panel" }, el("p", {}, el("a", { href: "/login", text: "Sign in" }),
          " and open ", el("a", { href: "/study", text: "Study" }), " once while online: your next cards are then kept on this device.")));
        return false;
      }
    }
  }
  kept = kept || await store.getPack();
  if (!kept) {
    root.replaceChildren(el("section", { class: "panel" }, el("p", {}, "No cards are kept on this device yet. Open ",
      el("a", { href: "/study", text: "Study" }), " once while online to take your next cards with you.")));
    return false;
  }
  return true;
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) { return; }
  const target = event.target;
  const typing = target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
    (target.tagName === "INPUT" && !["radio", "checkbox", "submit", "button"].includes(target.type)));
  if (typing) { return; }
  if (event.key === "Enter" && target && target.form && target.form.classList.contains("answer-form")) {
    event.preventDefault(); // a chosen radio button or checkbox: Enter checks the answer, as online
    target.form.requestSubmit();
  } else if (event.key === " " && document.getElementById("reveal")) {
    event.preventDefault();
    document.getElementById("reveal").click();
  } else if (/^[1-9]$/.test(event.key)) {
    // The rating buttons on the feedback screen; on a question, its choices (as online: static/js/app.js).
    const button = root.querySelector(`.ratings button[data-key='${event.key}']`);
    const choice = root.querySelector(`.answer-form input[data-key='${event.key}']`);
    if (button && !button.closest("[hidden]")) {
      event.preventDefault();
      button.click();
    } else if (choice) {
      event.preventDefault();
      if (choice.type === "checkbox") { choice.checked = !choice.checked; } else { choice.checked = true; }
      choice.focus();
    }
  }
});

window.addEventListener("online", () => { showConnection(); trySync(); });
window.addEventListener("offline", showConnection);

showConnection();
await store.closeAll();
if (await loadPack(false)) {
  await showQueue();
  await showNext();
  document.getElementById("offline-loading")?.remove();
}
trySync();
