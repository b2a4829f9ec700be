// Quiz pages (templates/study/quiz_*.html).
// The countdown (_quiz_timer.html): the server keeps the time; this only shows it, announces it to
// screen readers at 5 minutes, 1 minute and 0 (not every second), and at 0 submits the page's form
// so a typed answer is saved within the server's grace period.
// The flag: set in the background, so a choice made but not yet saved stays as it is (without
// script the button posts the form and the page comes back flagged).
(function () {
  "use strict";

  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function start(box) {
    var left = parseInt(box.getAttribute("data-seconds-left"), 10);
    if (isNaN(left)) { return; }
    var end = Date.now() + left * 1000;
    var shown = box.querySelector("[data-countdown]");
    var say = box.querySelector("[data-countdown-announce]");
    // Only thresholds still ahead when the page opened are spoken.
    var marks = [[300, "5 minutes left."], [60, "1 minute left."]].filter(function (m) { return left > m[0]; });
    var done = false;

    function tick() {
      var now = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      shown.textContent = format(now);
      box.classList.toggle("is-short", now <= 60);
      while (marks.length && now <= marks[0][0]) { say.textContent = marks.shift()[1]; }
      if (now === 0 && !done) {
        done = true;
        say.textContent = "Time is up. Your quiz is being submitted.";
        var form = document.getElementById(box.getAttribute("data-timeup-form"));
        // A moment after 0 (the seconds left were rounded down), well within the server's grace.
        setTimeout(function () {
          if (form) {
            var flag = form.querySelector("input[name='timeup']");
            if (flag) { flag.value = "1"; }
            form.submit();
          } else {
            window.location.reload();
          }
        }, 1500);
        return;
      }
      setTimeout(tick, 1000 - (Date.now() % 1000) + 10);
    }
    tick();
  }

  function flagging(button) {
    var form = document.getElementById(button.getAttribute("form"));
    if (!form || !window.fetch) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var on = button.value === "flag";
      var body = new FormData();
      body.append("csrf_token", form.querySelector("input[name='csrf_token']").value);
      body.append("position", form.querySelector("input[name='position']").value);
      body.append("go", button.value);
      button.disabled = true;
      fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                          headers: {"X-Requested-With": "fetch"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          button.value = on ? "unflag" : "flag";
          button.setAttribute("aria-pressed", on ? "true" : "false");
          var mark = document.querySelector("[data-flag-mark]");
          if (mark) { mark.hidden = !on; }
          var nav = document.querySelector(".quiz-nav-button.is-current");
          if (nav) {
            nav.classList.toggle("is-flagged", on);
            var label = nav.getAttribute("aria-label").replace(/, flagged$/, "");
            nav.setAttribute("aria-label", on ? label + ", flagged" : label);
            var icon = nav.querySelector(".quiz-nav-flag");
            if (icon) { icon.hidden = !on; }
          }
        })
        .catch(function () { form.requestSubmit(button); })  // the page's own way, without script
        .then(function () { button.disabled = false; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-seconds-left]").forEach(start);
    document.querySelectorAll("button.quiz-flag[form]").forEach(flagging);
  });
})();
