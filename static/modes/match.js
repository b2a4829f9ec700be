// Match (study/match_play.html): pair the tiles; the server times the game and rates the cards from
// each pair's first try, which this script reports when the board is cleared.
(function () {
  "use strict";

  function start() {
    var board = document.querySelector("[data-match-board]");
    if (!board) { return; }
    var form = document.querySelector("[data-match-form]");
    var status = document.querySelector("[data-match-status]");
    var timer = document.querySelector("[data-match-timer]");
    var leftCount = document.querySelector("[data-match-left]");
    var tiles = Array.prototype.slice.call(board.querySelectorAll("button[data-tile]"));
    var pairsLeft = tiles.length / 2;
    var penalty = Number(board.getAttribute("data-penalty")) || 1000;
    var wrong = 0;
    var tried = {};   // pair index -> true once any of its tiles was in an attempt
    var misses = {};  // pair index -> the tile it was first wrongly paired with
    var selected = null;
    var began = performance.now();
    var finished = false;

    function elapsed() { return performance.now() - began + wrong * penalty; }
    var ticking = setInterval(function () {
      if (!finished) { timer.textContent = (elapsed() / 1000).toFixed(1); }
    }, 100);

    function say(text) {
      status.textContent = "";
      setTimeout(function () { status.textContent = text; }, 30);
    }

    function select(tile) {
      if (selected) { selected.setAttribute("aria-pressed", "false"); }
      selected = tile;
      if (tile) { tile.setAttribute("aria-pressed", "true"); }
    }

    function nextFocus(after) {
      var live = tiles.filter(function (t) { return !t.disabled; });
      if (!live.length) { return; }
      var later = live.filter(function (t) { return tiles.indexOf(t) > tiles.indexOf(after); });
      (later[0] || live[0]).focus();
    }

    function finish() {
      finished = true;
      clearInterval(ticking);
      timer.textContent = (elapsed() / 1000).toFixed(1);
      form.querySelector("input[name='wrong']").value = String(wrong);
      Object.keys(misses).forEach(function (pair) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "miss-" + pair;
        field.value = misses[pair];
        form.appendChild(field);
      });
      say("All pairs matched. Saving your time.");
      form.submit();
    }

    function attempt(a, b) {
      var pa = a.getAttribute("data-pair"), pb = b.getAttribute("data-pair");
      select(null);
      if (pa === pb) {
        tried[pa] = true;
        [a, b].forEach(function (t) {
          t.classList.add("is-matched");
          t.setAttribute("aria-pressed", "false");
          t.disabled = true;
        });
        pairsLeft -= 1;
        leftCount.textContent = String(pairsLeft);
        say("Matched: " + a.textContent.trim() + " with " + b.textContent.trim() + ". " + pairsLeft + " left.");
        if (pairsLeft === 0) { finish(); } else { nextFocus(b); }
        return;
      }
      wrong += 1;
      if (!tried[pa]) { misses[pa] = b.getAttribute("data-tile"); tried[pa] = true; }
      if (!tried[pb]) { misses[pb] = a.getAttribute("data-tile"); tried[pb] = true; }
      [a, b].forEach(function (t) {
        t.classList.remove("is-wrong");
        void t.offsetWidth;  // restart the flash
        t.classList.add("is-wrong");
        setTimeout(function () { t.classList.remove("is-wrong"); }, 600);
      });
      say("Not a pair: plus " + penalty / 1000 + " second.");
    }

    board.addEventListener("click", function (event) {
      var tile = event.target.closest("button[data-tile]");
      if (!tile || tile.disabled || finished) { return; }
      if (selected === tile) { select(null); return; }
      if (!selected || selected.getAttribute("data-side") === tile.getAttribute("data-side")) {
        select(tile);
        return;
      }
      attempt(selected, tile);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
