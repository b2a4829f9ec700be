// Quizapp's service worker (issue 22), served at /sw.js by quizapp/main/pwa_routes.py, which puts
// three constants before this text: VERSION, OFFLINE_PAGE and SHELL (the offline study page and the
// fingerprinted URLs of the files it needs).
//
// What it does, and only this:
// - keeps the app shell (SHELL) in a cache named after VERSION, and drops older ones;
// - files under /static/: from that cache when kept, else from the network (nothing added);
// - /study and the offline page: the network first; offline, the kept offline study page;
// - /quiz...: the network; offline, a short page saying quizzes need a connection;
// - any other page: the network; offline, a short page pointing to offline study.
// It never keeps a page, an answer, a quiz or any response to a POST: everything but GET passes
// by untouched, and only the shell's files are ever put in the cache. The app works without it.
/* global VERSION, OFFLINE_PAGE, SHELL */
"use strict";

const CACHE = "quizapp-shell-" + VERSION;
const CSS = SHELL.find((url) => url.startsWith("/static/css/app.css")) || "/static/css/app.css";
const ICON = SHELL.find((url) => url.startsWith("/static/favicon.svg")) || "/static/favicon.svg";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload", credentials: "same-origin" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("quizapp-shell-") && k !== CACHE)
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// A small page made here, for a page that cannot be had offline. No script, the site's stylesheet.
// Answered 200: it is a page of the app (as the offline study page is), not a failed request.
function notice(title, text) {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${escapeHtml(title)} · Quizapp</title>
<link rel="stylesheet" href="${escapeHtml(CSS)}"><link rel="icon" href="${escapeHtml(ICON)}" type="image/svg+xml"></head>
<body><header class="site-header"><nav class="site-nav" aria-label="Main"><a class="brand" href="/">Quizapp</a></nav></header>
<main id="content"><section class="panel narrow" aria-labelledby="offline-title">
<h1 id="offline-title">${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>
<p><a class="button primary" href="${escapeHtml(OFFLINE_PAGE)}">Study offline</a></p>
</section></main></body></html>`;
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
      "Cache-Control": "no-store",
    },
  });
}

async function fromShell(request) {
  const cache = await caches.open(CACHE);
  const exact = await cache.match(request);
  if (exact) {
    return exact;
  }
  try {
    return await fetch(request);
  } catch (error) {
    // A module imported by a relative URL (no ?v=): the kept version of the same file.
    const same = await cache.match(request, { ignoreSearch: true });
    if (same) {
      return same;
    }
    throw error;
  }
}

async function studyPage(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    return (await cache.match(OFFLINE_PAGE)) ||
      notice("You are offline", "The offline study page is not on this device yet: open Study once while online.");
  }
}

async function otherPage(request, path) {
  try {
    return await fetch(request);
  } catch (error) {
    if (path === "/quiz" || path.startsWith("/quiz/")) {
      return notice("Quizzes need a connection",
        "You are offline. A quiz is taken online only, so that its answers are never on the device before you give them. " +
        "Your flashcards can be studied offline, and your answers sync when you are back online.");
    }
    return notice("You are offline", "This page needs a connection. Your flashcards can be studied offline.");
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return; // answers, quizzes, sync: straight to the network, never kept
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(fromShell(request));
  } else if (request.mode === "navigate") {
    if (url.pathname === "/study" || url.pathname === OFFLINE_PAGE) {
      event.respondWith(studyPage(request));
    } else {
      event.respondWith(otherPage(request, url.pathname));
    }
  }
  // Anything else (the pack, JSON, media): the network, as without the worker.
});
