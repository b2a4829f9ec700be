// Progressive enhancement only: every page works without this file (forms post and redirect).
(function () {
  "use strict";

  function typing(el) {
    return el && (el.tagName === "INPUT" && !["radio", "checkbox", "submit", "button", "hidden"].includes(el.type)
      || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }

  // Time zone on registration: the browser's own.
  function prefillTimezone() {
    var tz = document.querySelector("input[data-detect-timezone]");
    if (tz && (!tz.value || tz.value === "UTC") && window.Intl) {
      try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || tz.value; } catch (e) { /* keep */ }
    }
  }

  // The answer id made here in the browser: a retry or double click of this view resends the same
  // id, which the server applies once. (Without script the id the page came with serves the same.)
  function answerIds() {
    if (!window.crypto || !crypto.randomUUID) { return; }
    document.querySelectorAll("input[name='client_id']").forEach(function (f) { f.value = crypto.randomUUID(); });
  }

  // Answer timing measured in the page (more exact than the server's shown-at stamp).
  function timeAnswers() {
    var started = performance.now();
    document.querySelectorAll("form[data-timed]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var field = form.querySelector("input[name='duration_ms']");
        if (field) { field.value = String(Math.round(performance.now() - started)); }
        form.querySelectorAll("button[type='submit']").forEach(function (b) {
          // Keep the clicked rating's value: disable after the submit has taken it.
          setTimeout(function () { b.disabled = true; }, 0);
        });
      });
    });
  }

  // Flashcards: reveal in place (Space), no round trip.
  function reveal() {
    var link = document.querySelector("[data-reveal]");
    if (!link) { return false; }
    var back = document.querySelector(link.getAttribute("data-reveal"));
    var rate = document.getElementById("rate-form");
    if (back) { back.hidden = false; }
    if (rate) { rate.hidden = false; }
    link.parentElement.remove();
    var good = rate && rate.querySelector("button[value='3']");
    if (good) { good.focus(); }
    return true;
  }

  function clickKey(key) {
    var target = document.querySelector("[data-key='" + key + "']:not([hidden])");
    if (!target || target.closest("[hidden]")) { return false; }
    if (target.tagName === "INPUT") {
      if (target.type === "checkbox") { target.checked = !target.checked; } else { target.checked = true; }
      target.focus();
    } else {
      target.click();
    }
    return true;
  }

  function shortcuts() {
    document.addEventListener("keydown", function (event) {
      // Enter on a closed select (matching, ordering) checks the answer, as in a text box.
      if (event.key === "Enter" && event.target.tagName === "SELECT" && event.target.form &&
          event.target.form.classList.contains("answer-form")) {
        event.preventDefault(); event.target.form.requestSubmit(); return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
      var key = event.key;
      if (key === " " && document.querySelector("[data-reveal]")) { event.preventDefault(); reveal(); return; }
      if (/^[1-9]$/.test(key) || key === "u") {
        if (clickKey(key)) { event.preventDefault(); }
        return;
      }
      if (key === "Enter") {
        var form = document.querySelector("form.answer-form");
        var next = document.getElementById("continue");
        var inButton = event.target.tagName === "BUTTON" || event.target.tagName === "A";
        if (form && !inButton) { event.preventDefault(); form.requestSubmit(); }
        else if (!form && next && event.target === document.body) { event.preventDefault(); next.click(); }
      }
    });
    var link = document.querySelector("[data-reveal]");
    if (link) { link.addEventListener("click", function (e) { if (reveal()) { e.preventDefault(); } }); }
  }

  // Ordering: drag (mouse or touch), or Alt+Up / Alt+Down on the focused item; positions follow.
  function ordering() {
    document.querySelectorAll("[data-ordering]").forEach(function (list) {
      function renumber() {
        list.querySelectorAll("li").forEach(function (li, i) { li.querySelector("select.position").value = String(i + 1); });
      }
      function move(li, delta) {
        if (delta < 0 && li.previousElementSibling) { list.insertBefore(li, li.previousElementSibling); }
        if (delta > 0 && li.nextElementSibling) { list.insertBefore(li.nextElementSibling, li); }
        renumber();
      }
      var dragged = null;
      list.querySelectorAll("li").forEach(function (li) {
        li.addEventListener("dragstart", function () { dragged = li; li.classList.add("dragging"); });
        li.addEventListener("dragend", function () { li.classList.remove("dragging"); dragged = null; renumber(); });
        li.addEventListener("dragover", function (e) {
          e.preventDefault();
          if (!dragged || dragged === li) { return; }
          var box = li.getBoundingClientRect();
          list.insertBefore(dragged, e.clientY < box.top + box.height / 2 ? li : li.nextElementSibling);
        });
        li.addEventListener("keydown", function (e) {
          if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
            e.preventDefault();
            move(li, e.key === "ArrowUp" ? -1 : 1);
            li.querySelector("select.position").focus();
          }
        });
        // Touch: a pointer drag moves the item to where it is released.
        li.addEventListener("pointerdown", function (e) {
          if (e.pointerType !== "touch" || e.target.tagName === "SELECT") { return; }
          dragged = li; li.classList.add("dragging");
        });
      });
      list.addEventListener("pointerup", function (e) {
        if (!dragged || e.pointerType !== "touch") { return; }
        var over = document.elementFromPoint(e.clientX, e.clientY);
        var target = over && over.closest("li");
        if (target && target !== dragged && target.parentElement === list) { list.insertBefore(dragged, target); }
        dragged.classList.remove("dragging"); dragged = null; renumber();
      });
      // A chosen position moves the item there, so the list always reads in answer order.
      list.addEventListener("change", function (e) {
        if (!e.target.matches("select.position")) { return; }
        var li = e.target.closest("li");
        var items = Array.prototype.slice.call(list.children);
        var to = Math.max(0, Math.min(items.length - 1, parseInt(e.target.value, 10) - 1));
        items.splice(items.indexOf(li), 1);
        items.splice(to, 0, li);
        items.forEach(function (item) { list.appendChild(item); });
        renumber();
        e.target.focus();
      });
    });
  }

  function localTimes() {
    document.querySelectorAll("time[data-local-time]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) { return; }
      // The browser's locale picks the 12- or 24-hour clock; the learner's own zone (data-tz) the hour.
      var options = { hour: "numeric", minute: "2-digit" };
      if (t.getAttribute("data-tz")) { options.timeZone = t.getAttribute("data-tz"); }
      try { t.textContent = d.toLocaleTimeString([], options); } catch (e) { /* unknown zone: keep the server's */ }
    });
  }

  // Upload progress: poll the job and move the bar; reload when checking or saving has finished.
  function pollProgress() {
    var box = document.querySelector("[data-poll]");
    if (!box || !window.fetch) { return; }
    var bar = box.querySelector("progress"), text = box.querySelector("[data-progress-text]");
    var initial = box.getAttribute("data-status");
    function tick() {
      fetch(box.getAttribute("data-poll"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.status !== initial || s.stale) { window.location.reload(); return; }
          if (s.total) {
            bar.max = s.total; bar.value = s.done;
            text.textContent = s.done + " of " + s.total + " questions";
          }
          setTimeout(tick, 700);
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    setTimeout(tick, 300);
  }

  // Sortable tables: each column heading becomes a button; rows sort by the cell's data-value.
  function sortableTables() {
    document.querySelectorAll("table[data-sortable]").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      heads.forEach(function (th, col) {
        var help = th.querySelector(".term-help");  // a term's "?" stays beside the button
        if (help) { help.remove(); }
        var button = document.createElement("button");
        button.type = "button"; button.className = "sort"; button.textContent = th.textContent.trim();
        th.textContent = ""; th.appendChild(button);
        if (help) { th.appendChild(help); }
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var numeric = th.getAttribute("data-type") === "number";
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          function key(row) {
            var cell = row.cells[col];
            var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
            if (!numeric) { return raw.toLowerCase(); }
            return raw === "" ? null : parseFloat(raw);
          }
          rows.sort(function (a, b) {
            var x = key(a), y = key(b);
            if (x === y) { return 0; }
            if (x === null) { return 1; }  // no data sorts last either way
            if (y === null) { return -1; }
            return (x < y ? -1 : 1) * (ascending ? 1 : -1);
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  // Copy buttons (the class join link).
  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        if (!navigator.clipboard) { return; }
        navigator.clipboard.writeText(b.getAttribute("data-copy")).then(function () {
          b.textContent = "Copied";
        });
      });
    });
  }

  // Wide calendars open at their right-hand end: the most recent days.
  function scrollToEnd() {
    document.querySelectorAll("[data-scroll-end]").forEach(function (box) { box.scrollLeft = box.scrollWidth; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    prefillTimezone(); answerIds(); timeAnswers(); shortcuts(); ordering(); localTimes(); pollProgress();
    copyButtons(); sortableTables(); scrollToEnd();
  });
})();
