// The offline study data in the browser (IndexedDB "quizapp-offline"), issue 22.
//
//   meta   key "pack": {user_id, fetched_at, pack}  the last pack from GET /study/offline/pack
//   cards  keyPath "key": {key, question_id, user_id, state, answers: [{at, was_new}], online}  a
//          card's state after the answers given offline (over the pack's; cleared when a new pack
//          comes); "online": answered on the online study page since the pack was taken
//   queue  keyPath "seq" (autoIncrement): one answer waiting to sync, in the order given:
//          {seq, user_id, open, answer: {client_id, question_id, ordinal, fields, rating, answered_at,
//           shown_at, duration_ms, question_version}}. "open" while its feedback is on screen (the
//          rating may still change); it is not sent until then.
// Nothing here talks to the network (static/offline/sync.js does).

const NAME = "quizapp-offline";
const VERSION = 1;
let opening = null;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
}

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("meta");
        db.createObjectStore("cards", { keyPath: "key" });
        const queue = db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        queue.createIndex("client_id", "answer.client_id", { unique: true });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
    });
  }
  return opening;
}

async function run(stores, mode, body) {
  const db = await open();
  const tx = db.transaction(stores, mode);
  const result = body(tx);
  await done(tx);
  return result instanceof Promise ? await result : result;
}

// The kept pack: {user_id, fetched_at, pack} or undefined.
export async function getPack() {
  return run(["meta"], "readonly", (tx) => promised(tx.objectStore("meta").get("pack")));
}

// A new pack replaces the old one and the offline states made over it (call only with an empty
// queue for that learner: their answers are in the new pack's states once synced).
export async function putPack(userId, pack, fetchedAt) {
  return run(["meta", "cards"], "readwrite", (tx) => {
    tx.objectStore("meta").put({ user_id: userId, fetched_at: fetchedAt, pack }, "pack");
    tx.objectStore("cards").clear();
  });
}

// The offline states of cards, as a Map key -> record.
export async function localCards() {
  const rows = await run(["cards"], "readonly", (tx) => promised(tx.objectStore("cards").getAll()));
  return new Map(rows.map((row) => [row.key, row]));
}

// An answer given: queued, and the card's new state kept, in one transaction (never one without the other).
export async function recordAnswer(userId, answer, card, open = true) {
  return run(["queue", "cards"], "readwrite", (tx) => {
    const seq = promised(tx.objectStore("queue").add({ user_id: userId, open, answer }));
    tx.objectStore("cards").put(card);
    return seq;
  });
}

// The rating changed on the feedback screen (and the card's state with it), and/or the answer closed.
export async function updateAnswer(seq, changes, card) {
  return run(["queue", "cards"], "readwrite", (tx) => {
    const queue = tx.objectStore("queue");
    const got = queue.get(seq);
    got.onsuccess = () => {
      const row = got.result;
      if (!row) { return; } // already synced
      if ("rating" in changes) { row.answer.rating = changes.rating; }
      if ("open" in changes) { row.open = changes.open; }
      queue.put(row);
      if (card) { tx.objectStore("cards").put(card); }
    };
  });
}

// A card answered on the online study page since the pack was taken: left out of offline study
// until a new pack brings its state (its answer is on the server already, nothing is queued).
export async function markAnsweredOnline(userId, key, questionId, at) {
  return run(["cards"], "readwrite", (tx) => {
    tx.objectStore("cards").put({ key, question_id: questionId, user_id: userId, online: true,
      state: null, answers: [{ at, was_new: false, online: true }] });
  });
}

// Every answer still open (a page closed on a feedback screen): closed, so that they are sent.
export async function closeAll() {
  return run(["queue"], "readwrite", (tx) => {
    const cursor = tx.objectStore("queue").openCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) { return; }
      if (c.value.open) { c.update({ ...c.value, open: false }); }
      c.continue();
    };
  });
}

// The queued answers (of one learner, when given), oldest first.
export async function queued(userId) {
  const rows = await run(["queue"], "readonly", (tx) => promised(tx.objectStore("queue").getAll()));
  return userId == null ? rows : rows.filter((row) => row.user_id === userId);
}

// Answers the server acknowledged (applied, duplicate or refused): out of the queue.
export async function removeQueued(seqs) {
  if (!seqs.length) { return; }
  return run(["queue"], "readwrite", (tx) => {
    const queue = tx.objectStore("queue");
    seqs.forEach((seq) => queue.delete(seq));
  });
}
