// Scheduling in the browser, as the server schedules (issue 22: offline study).
//
// The server (quizapp/domain/scheduling.py) runs FSRS-6 through the Python `fsrs` package and adds
// its own rules; this module runs FSRS through ts-fsrs (static/vendor/ts-fsrs/, the
// open-spaced-repetition project's JavaScript implementation) and adds the same rules:
//   - elapsed time is counted in the learner's study days (a day starts at day_start_hour in their
//     time zone), handed to FSRS as that many whole days;
//   - the four buttons are computed at once; each passing interval is at least a day longer than
//     the one before it (Hard < Good < Easy), fuzz included;
//   - fuzz is the server's: one number per card and review count, Python's random.Random seeded
//     with "<fuzz_seed>:<reps>" (ported here: Mersenne Twister seeded through SHA-512), spread over
//     fsrs' fuzz ranges; ts-fsrs' own fuzz (another generator) is off;
//   - a review-state card is due at the start of its study day;
//   - learning and relearning steps are timed as the Python package times them (ts-fsrs rounds the
//     Hard step to whole minutes: 6m where the server gives 5m30s).
// tests/scheduling_corpus.json holds answers at given times with the server's results; the browser
// test (tests/e2e/test_grading_corpus_browser.py) checks this module against every one of them
// (state, step, due and labels equal; stability and difficulty within 1e-6: ts-fsrs rounds them to 8
// decimals at each step). What this module computes orders the offline session and labels the
// buttons; at sync the server replays every answer at its time and its result is the one kept.
//
// Exports (an ES module, no build step):
//   nextStates(state, now, user, seed) -> {1: state, 2: state, 3: state, 4: state}
//   review(state, rating, now, user, card) -> the card's state after `rating` at `now`
//   intervals(state, now, user, card) -> {1: "1m", 2: "6m", 3: "10m", 4: "3d"} (the buttons' labels)
//   schedule(user, state, rating, now, seed) -> review() with the arguments in the other order
//   intervalLabel(ms), dayNumber(moment, user), dayStart(number, user), fuzzFactor(seed, reps)
// `state` is the pack's card state (CardState.to_json: {state, step, stability, difficulty, due,
// last_review, reps, lapses, leech}) or null for a new card; the states returned have the same shape
// (times as ISO-8601 UTC strings). `user` is the pack's user object (desired_retention,
// fsrs_parameters, learning_steps and relearning_steps in seconds, maximum_interval, timezone,
// day_start_hour; learning_steps and leech_threshold as the card's bank's options set them). `card` is the pack's card (its fuzz_seed); `now` a Date, a time in ms or ISO text.

import { fsrs, createEmptyCard, State, generatorParameters } from "../vendor/ts-fsrs/index.mjs";

export const NEW = 0;
export const LEARNING = 1;
export const REVIEW = 2;
export const RELEARNING = 3;
export const LEECH_LAPSES = 8;
const DAY_MS = 86400000;
const DEFAULT_LEARNING_STEPS = [60, 600];
const DEFAULT_RELEARNING_STEPS = [600];
const MAX_INTERVAL_DAYS = 36500;
const FUZZ_RANGES = [
  { start: 2.5, end: 7.0, factor: 0.15 },
  { start: 7.0, end: 20.0, factor: 0.1 },
  { start: 20.0, end: Infinity, factor: 0.05 },
];

// --- Python's round() (halves to even) ------------------------------------------------------------

function pyRound(x) {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) { return floor + 1; }
  if (diff < 0.5) { return floor; }
  return floor % 2 === 0 ? floor : floor + 1;
}

// --- Python's random.Random(text).random() ----------------------------------------------------------

const MASK64 = (1n << 64n) - 1n;
const K512 = [
  "428a2f98d728ae22", "7137449123ef65cd", "b5c0fbcfec4d3b2f", "e9b5dba58189dbbc", "3956c25bf348b538",
  "59f111f1b605d019", "923f82a4af194f9b", "ab1c5ed5da6d8118", "d807aa98a3030242", "12835b0145706fbe",
  "243185be4ee4b28c", "550c7dc3d5ffb4e2", "72be5d74f27b896f", "80deb1fe3b1696b1", "9bdc06a725c71235",
  "c19bf174cf692694", "e49b69c19ef14ad2", "efbe4786384f25e3", "0fc19dc68b8cd5b5", "240ca1cc77ac9c65",
  "2de92c6f592b0275", "4a7484aa6ea6e483", "5cb0a9dcbd41fbd4", "76f988da831153b5", "983e5152ee66dfab",
  "a831c66d2db43210", "b00327c898fb213f", "bf597fc7beef0ee4", "c6e00bf33da88fc2", "d5a79147930aa725",
  "06ca6351e003826f", "142929670a0e6e70", "27b70a8546d22ffc", "2e1b21385c26c926", "4d2c6dfc5ac42aed",
  "53380d139d95b3df", "650a73548baf63de", "766a0abb3c77b2a8", "81c2c92e47edaee6", "92722c851482353b",
  "a2bfe8a14cf10364", "a81a664bbc423001", "c24b8b70d0f89791", "c76c51a30654be30", "d192e819d6ef5218",
  "d69906245565a910", "f40e35855771202a", "106aa07032bbd1b8", "19a4c116b8d2d0c8", "1e376c085141ab53",
  "2748774cdf8eeb99", "34b0bcb5e19b48a8", "391c0cb3c5c95a63", "4ed8aa4ae3418acb", "5b9cca4f7763e373",
  "682e6ff3d6b2b8a3", "748f82ee5defb2fc", "78a5636f43172f60", "84c87814a1f0ab72", "8cc702081a6439ec",
  "90befffa23631e28", "a4506cebde82bde9", "bef9a3f7b2c67915", "c67178f2e372532b", "ca273eceea26619c",
  "d186b8c721c0c207", "eada7dd6cde0eb1e", "f57d4f7fee6ed178", "06f067aa72176fba", "0a637dc5a2c898a6",
  "113f9804bef90dae", "1b710b35131c471b", "28db77f523047d84", "32caab7b40c72493", "3c9ebe0a15c9bebc",
  "431d67c49c100d4c", "4cc5d4becb3e42b6", "597f299cfc657e2a", "5fcb6fab3ad6faec", "6c44198c4a475817",
].map((h) => BigInt(`0x${h}`));
const H512 = ["6a09e667f3bcc908", "bb67ae8584caa73b", "3c6ef372fe94f82b", "a54ff53a5f1d36f1",
  "510e527fade682d1", "9b05688c2b3e6c1f", "1f83d9abfb41bd6b", "5be0cd19137e2179"].map((h) => BigInt(`0x${h}`));

const rotr = (x, n) => ((x >> n) | (x << (64n - n))) & MASK64;

function sha512(bytes) {
  const length = bytes.length;
  const padded = new Uint8Array(Math.ceil((length + 17) / 128) * 128);
  padded.set(bytes);
  padded[length] = 0x80;
  const bits = BigInt(length) * 8n;
  for (let k = 0; k < 16; k += 1) { padded[padded.length - 1 - k] = Number((bits >> BigInt(8 * k)) & 0xffn); }
  const h = [...H512];
  const w = new Array(80);
  for (let block = 0; block < padded.length; block += 128) {
    for (let t = 0; t < 16; t += 1) {
      let word = 0n;
      for (let b = 0; b < 8; b += 1) { word = (word << 8n) | BigInt(padded[block + t * 8 + b]); }
      w[t] = word;
    }
    for (let t = 16; t < 80; t += 1) {
      const s0 = rotr(w[t - 15], 1n) ^ rotr(w[t - 15], 8n) ^ (w[t - 15] >> 7n);
      const s1 = rotr(w[t - 2], 19n) ^ rotr(w[t - 2], 61n) ^ (w[t - 2] >> 6n);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & MASK64;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 80; t += 1) {
      const s1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
      const ch = (e & f) ^ (~e & MASK64 & g);
      const temp1 = (hh + s1 + ch + K512[t] + w[t]) & MASK64;
      const s0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const temp2 = (s0 + maj) & MASK64;
      hh = g; g = f; f = e; e = (d + temp1) & MASK64; d = c; c = b; b = a; a = (temp1 + temp2) & MASK64;
    }
    [a, b, c, d, e, f, g, hh].forEach((v, k) => { h[k] = (h[k] + v) & MASK64; });
  }
  const out = new Uint8Array(64);
  h.forEach((v, k) => { for (let b = 0; b < 8; b += 1) { out[k * 8 + b] = Number((v >> BigInt(56 - 8 * b)) & 0xffn); } });
  return out;
}

const N = 624;

function twister(key) {
  const mt = new Uint32Array(N);
  mt[0] = 19650218;
  for (let i = 1; i < N; i += 1) {
    mt[i] = (Math.imul(1812433253, mt[i - 1] ^ (mt[i - 1] >>> 30)) + i) >>> 0;
  }
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, key.length); k; k -= 1) {
    mt[i] = ((mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1664525)) + key[j] + j) >>> 0;
    i += 1;
    j += 1;
    if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
    if (j >= key.length) { j = 0; }
  }
  for (let k = N - 1; k; k -= 1) {
    mt[i] = ((mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1566083941)) - i) >>> 0;
    i += 1;
    if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
  }
  mt[0] = 0x80000000;
  let index = N;
  return () => {
    if (index >= N) {
      for (let k = 0; k < N; k += 1) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + 397) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    let y = mt[index];
    index += 1;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
}

/** Python's random.Random(text).random(): the first number of the generator seeded with `text`. */
export function pythonRandom(text) {
  const bytes = new TextEncoder().encode(text);
  const all = new Uint8Array(bytes.length + 64);
  all.set(bytes);
  all.set(sha512(bytes), bytes.length);
  let number = 0n;
  for (const byte of all) { number = (number << 8n) | BigInt(byte); }
  const key = [];
  while (number > 0n) { key.push(Number(number & 0xffffffffn)); number >>= 32n; }
  if (!key.length) { key.push(0); }
  const next = twister(key);
  const a = next() >>> 5;
  const b = next() >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

/** domain.scheduling.fuzz_factor: one number in [0, 1) per card and review count. */
export function fuzzFactor(seed, reps) {
  return pythonRandom(`${seed}:${reps}`);
}

function fuzzRange(days, maximum) {
  if (days < 2.5) { return [days, days]; }
  let delta = 1.0;
  for (const r of FUZZ_RANGES) { delta += r.factor * Math.max(Math.min(days, r.end) - r.start, 0.0); }
  const low = Math.max(2, pyRound(days - delta));
  const high = Math.min(pyRound(days + delta), maximum);
  return [Math.min(low, high), high];
}

function fuzzedDays(days, factor, minimum, maximum) {
  let [low, high] = fuzzRange(days, maximum);
  low = Math.min(Math.max(low, minimum), maximum);
  high = Math.max(high, low);
  return Math.min(low + Math.floor(factor * (high - low + 1)), high);
}

// --- study days in the learner's time zone ----------------------------------------------------------

const formats = new Map();

function wallClock(ms, timezone) {
  if (!formats.has(timezone)) {
    formats.set(timezone, new Intl.DateTimeFormat("en-US", {
      timeZone: timezone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric",
    }));
  }
  const parts = {};
  for (const { type, value } of formats.get(timezone).formatToParts(new Date(ms))) { parts[type] = Number(value); }
  return parts;
}

function offsetAt(ms, timezone) { // local wall clock minus UTC, in ms
  const p = wallClock(ms, timezone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

const zoneOf = (user) => (user && user.timezone) || "UTC";
const dayStartHour = (user) => (user && Number.isInteger(user.day_start_hour) ? user.day_start_hour : 4);

/** The study day holding `moment` as a day count (the local date the day started on, in days since 1970). */
export function dayNumber(moment, user) {
  const p = wallClock(toMs(moment), zoneOf(user));
  return Date.UTC(p.year, p.month - 1, p.day) / DAY_MS - (p.hour < dayStartHour(user) ? 1 : 0);
}

/** The UTC instant (ms) study day `number` begins: day_start_hour on that local date (as Python's zoneinfo
 * places it with fold=0: the first of a repeated hour, past the jump of a skipped one). */
export function dayStart(number, user) {
  const zone = zoneOf(user);
  const wall = number * DAY_MS + dayStartHour(user) * 3600000;
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  const early = wall - before;
  if (before === after || offsetAt(early, zone) === before || offsetAt(wall - after, zone) !== after) {
    return early;
  }
  return wall - after;
}

// --- the card states ---------------------------------------------------------------------------------

function toMs(value) {
  if (value instanceof Date) { return value.getTime(); }
  if (typeof value === "number") { return value; }
  return Date.parse(value);
}

/** An instant as Python's datetime.isoformat() writes a UTC time (as the server's states hold them). */
function iso(ms) {
  const text = new Date(ms).toISOString();
  const millis = ms % 1000;
  return millis ? `${text.slice(0, 19)}.${text.slice(20, 23)}000+00:00` : `${text.slice(0, 19)}+00:00`;
}

function stepsOf(list, fallback) {
  return Array.isArray(list) ? list.map(Number) : fallback;
}

function parametersOf(user) {
  return {
    retention: Number(user && user.desired_retention) || 0.9,
    w: user && Array.isArray(user.fsrs_parameters) && user.fsrs_parameters.length ? user.fsrs_parameters.map(Number)
      : undefined,
    learning: stepsOf(user && user.learning_steps, DEFAULT_LEARNING_STEPS),
    relearning: stepsOf(user && user.relearning_steps, DEFAULT_RELEARNING_STEPS),
    maximum: Number(user && user.maximum_interval) || MAX_INTERVAL_DAYS,
    leech: Number(user && user.leech_threshold) || LEECH_LAPSES,
  };
}

const schedulers = new Map();

function schedulerFor(settings) {
  const key = JSON.stringify(settings);
  if (!schedulers.has(key)) {
    const minutes = (seconds) => `${Math.max(1, Math.round(seconds / 60))}m`;
    schedulers.set(key, fsrs(generatorParameters({
      request_retention: settings.retention, maximum_interval: settings.maximum, w: settings.w,
      enable_fuzz: false, enable_short_term: true,
      learning_steps: settings.learning.map(minutes), relearning_steps: settings.relearning.map(minutes),
    })));
  }
  return schedulers.get(key);
}

function isNew(state) {
  return !state || state.state === NEW || state.state === undefined || state.state === null;
}

/** The card as ts-fsrs takes it, its last review moved to exactly the elapsed study days before `now`. */
function tsCard(state, now, user) {
  if (isNew(state)) { return createEmptyCard(new Date(now)); }
  const last = state.last_review ? toMs(state.last_review) : null;
  const elapsed = last === null ? 0 : Math.max(0, dayNumber(now, user) - dayNumber(last, user));
  return {
    due: new Date(state.due ? toMs(state.due) : now),
    stability: state.stability,
    difficulty: state.difficulty,
    elapsed_days: elapsed,
    scheduled_days: 0,
    learning_steps: state.step ?? 0,
    reps: state.reps || 0,
    lapses: state.lapses || 0,
    state: state.state,
    last_review: last === null ? undefined : new Date(now - elapsed * DAY_MS),
  };
}

/** The Python package's (re)learning step after `rating` from a card at `step` (seconds). */
function stepSeconds(steps, step, rating) {
  if (rating === 1) { return steps[0]; }
  if (rating === 2) {
    if (step === 0 && steps.length === 1) { return steps[0] * 1.5; }
    if (step === 0 && steps.length >= 2) { return (steps[0] + steps[1]) / 2; }
    return steps[step];
  }
  return steps[step + 1];
}

/** domain.scheduling.next_states: the card after each of the four ratings at `now`. */
export function nextStates(state, now, user, seed = "") {
  const at = toMs(now);
  const settings = parametersOf(user);
  const before = isNew(state) ? { state: NEW, step: null, reps: 0, lapses: 0, leech: false } : state;
  const scheduler = schedulerFor(settings);
  const results = scheduler.repeat(tsCard(state, at, user), new Date(at));
  const factor = fuzzFactor(seed, before.reps || 0);
  const today = dayNumber(at, user);
  const decay = -scheduler.parameters.w[20];
  const curve = 0.9 ** (1 / decay) - 1; // fsrs' FACTOR
  let minimum = 1;
  const out = {};
  for (const rating of [1, 2, 3, 4]) {
    const card = results[rating].card;
    let due;
    let step = null;
    if (card.state === State.Review) {
      const interval = (card.stability / curve) * (settings.retention ** (1 / decay) - 1);
      let days = Math.min(Math.max(pyRound(interval), 1), settings.maximum);
      days = fuzzedDays(days, factor, minimum, settings.maximum);
      minimum = days + 1;
      due = dayStart(today + days, user);
    } else {
      const fromLearning = before.state === NEW || before.state === LEARNING;
      const steps = fromLearning ? settings.learning : settings.relearning;
      const from = before.state === REVIEW ? 0 : (before.step ?? 0);
      step = card.learning_steps;
      due = at + stepSeconds(steps, from, rating) * 1000;
    }
    const lapses = (before.lapses || 0) + (before.state === REVIEW && rating === 1 ? 1 : 0);
    out[rating] = {
      state: card.state, step, stability: card.stability, difficulty: card.difficulty, due: iso(due),
      last_review: iso(at), reps: (before.reps || 0) + 1, lapses,
      leech: Boolean(before.leech) || lapses >= settings.leech,
    };
  }
  return out;
}

/** The card's state after answering with `rating` (1-4) at `now`: what its button showed. */
export function review(state, rating, now, user, card = null) {
  if (![1, 2, 3, 4].includes(Number(rating))) { throw new RangeError("rating must be 1, 2, 3 or 4"); }
  return nextStates(state, now, user, card && card.fuzz_seed ? card.fuzz_seed : "")[Number(rating)];
}

/** review() with the arguments in the order (user, state, rating, now, seed). */
export function schedule(user, state, rating, now, seed = "") {
  return review(state, rating, now, user, { fuzz_seed: seed });
}

/** domain.scheduling.interval_label: 1m, 10m, 3h, 4d, 2.1mo, 1.5y. */
export function intervalLabel(ms) {
  const seconds = Math.max(ms / 1000, 0);
  if (seconds < 3600) { return `${Math.max(1, pyRound(seconds / 60))}m`; }
  if (seconds < 86400) { return `${pyRound(seconds / 3600)}h`; }
  const days = seconds / 86400;
  if (days < 30) { return `${pyRound(days)}d`; }
  if (days < 365) { return `${(days / 30).toFixed(1)}mo`; }
  return `${(days / 365).toFixed(1)}y`;
}

/** The four buttons' labels at `now` (domain.scheduling.preview and interval_of). */
export function intervals(state, now, user, card = null) {
  const at = toMs(now);
  const states = nextStates(state, at, user, card && card.fuzz_seed ? card.fuzz_seed : "");
  const out = {};
  for (const [rating, after] of Object.entries(states)) {
    const ms = after.state === REVIEW ? (dayNumber(after.due, user) - dayNumber(at, user)) * DAY_MS
      : toMs(after.due) - at;
    out[rating] = intervalLabel(ms);
  }
  return out;
}
