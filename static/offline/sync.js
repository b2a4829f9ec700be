// Talking to the server for offline study (issue 22; the API: docs/offline.md):
// - syncQueue(): the queued answers, oldest first, to POST /study/offline/sync; those the server
//   acknowledged (applied, duplicate or refused) leave the queue, the rest are kept for the next try;
// - refreshPack(): a new pack from GET /study/offline/pack, once the learner's queue is empty.
// The CSRF token and the signed-in learner come from GET /study/offline/token: the offline page is
// kept by the service worker for anyone, so it carries neither.

const here = document.getElementById("offline-register");
const store = await import(here ? here.dataset.store : "./store.js");

export const PACK_MAX_AGE_MS = 5 * 60 * 1000; // the study page takes a new pack at most this often
const BATCH = 200;
const ACKNOWLEDGED = new Set(["applied", "duplicate", "refused"]);

export class SignedOut extends Error {}

// {csrf_token, user_id} of the signed-in learner; SignedOut when nobody is; a TypeError offline.
export async function session() {
  const response = await fetch("/study/offline/token", {
    headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store", redirect: "manual",
  });
  const type = response.headers.get("Content-Type") || "";
  if (response.status !== 200 || !type.includes("json")) {
    throw new SignedOut("Sign in to sync your answers.");
  }
  return response.json();
}

// Two tabs of the same browser never sync at once (the server would still apply each answer once).
function exclusively(body) {
  if (navigator.locks && navigator.locks.request) {
    return navigator.locks.request("quizapp-offline-sync", body);
  }
  return body();
}

// Sends the signed-in learner's closed answers. Returns {sent, refused: [messages], left}.
export async function syncQueue(who) {
  return exclusively(async () => {
    const me = who || await session();
    const refused = [];
    let sent = 0;
    for (;;) {
      const rows = (await store.queued(me.user_id)).filter((row) => !row.open).slice(0, BATCH);
      if (!rows.length) { break; }
      const response = await fetch("/study/offline/sync", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": me.csrf_token },
        body: JSON.stringify({ answers: rows.map((row) => row.answer) }),
      });
      if (response.status !== 200) {
        throw new Error(`The server did not take the answers (${response.status}); they are kept and sent again later.`);
      }
      const body = await response.json();
      const bySeq = new Map(rows.map((row) => [row.answer.client_id, row.seq]));
      const gone = [];
      for (const result of body.results || []) {
        if (ACKNOWLEDGED.has(result.status) && bySeq.has(result.client_id)) {
          gone.push(bySeq.get(result.client_id));
          if (result.status === "refused" && result.message) { refused.push(result.message); }
        }
      }
      await store.removeQueued(gone);
      sent += gone.length;
      if (gone.length < rows.length) { break; } // some not acknowledged: try again later
    }
    const left = (await store.queued(me.user_id)).length;
    return { sent, refused, left };
  });
}

// A new pack, when the kept one is older than maxAge, is another learner's, or force is set; only
// with nothing of the learner's left to sync (else the queued answers' states would be lost).
// Returns the kept record {user_id, fetched_at, pack} (new or not).
export async function refreshPack({ force = false, maxAge = PACK_MAX_AGE_MS, who = null } = {}) {
  const me = who || await session();
  const kept = await store.getPack();
  const fresh = kept && kept.user_id === me.user_id && Date.now() - Date.parse(kept.fetched_at) < maxAge;
  if (fresh && !force) { return kept; }
  if ((await store.queued(me.user_id)).length) { return kept; }
  const response = await fetch("/study/offline/pack", {
    headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
  });
  if (response.status !== 200) {
    throw new Error(`The cards could not be fetched (${response.status}).`);
  }
  const pack = await response.json();
  const fetchedAt = new Date().toISOString();
  if ((await store.queued(me.user_id)).length) { return kept; } // answered meanwhile, in another tab
  await store.putPack(me.user_id, pack, fetchedAt);
  return { user_id: me.user_id, fetched_at: fetchedAt, pack };
}

// Sync first, then a new pack if due: what the online study page does on every visit.
export async function keepFresh() {
  const me = await session();
  await store.closeAll();
  const result = await syncQueue(me);
  await refreshPack({ who: me, force: result.sent > 0 });
  return result;
}
