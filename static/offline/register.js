// Loaded by every page (templates/_pwa_head.html): registers the service worker (static/sw.js,
// served at /sw.js) so the app can be installed and opens offline. On the online study page of a
// signed-in learner it also sends answers given offline and keeps the offline pack fresh
// (static/offline/sync.js). Without this file, or without service workers, nothing changes.
const here = document.getElementById("offline-register");

if ("serviceWorker" in navigator && here && navigator.onLine) { // offline, the one registered stays
  navigator.serviceWorker.register(here.dataset.worker, { scope: "/" }).catch(() => { /* the app works without it */ });
}

if (here && here.dataset.user && location.pathname === "/study" && navigator.onLine && window.indexedDB) {
  import(here.dataset.sync)
    .then((sync) => sync.keepFresh())
    // Offline study is a bonus here: the online page goes on as ever.
    .catch((error) => console.warn("Quizapp: the cards for offline study were not kept:", error));
}

// An answer given on the online study page: that card is left out of offline study until the next
// pack (which has its new state), so it is not asked again on the bus.
if (here && here.dataset.user && location.pathname === "/study" && window.indexedDB) {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form.querySelector("input[name=question_id]");
    const ordinal = form.querySelector("input[name=ordinal]");
    if (!question || !ordinal || !/\/study\/answer$/.test(form.action)) { return; }
    import(here.dataset.store)
      .then((store) => store.markAnsweredOnline(Number(here.dataset.user), `${question.value}:${ordinal.value}`,
        Number(question.value), new Date().toISOString()))
      .catch(() => { /* best effort */ });
  });
}
