// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Prefill the time zone on registration from the browser's own setting.
  document.addEventListener("DOMContentLoaded", function () {
    var tz = document.querySelector("form input[name='timezone']");
    if (tz && (!tz.value || tz.value === "UTC") && window.Intl) {
      try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || tz.value; } catch (e) { /* keep UTC */ }
    }
  });
})();
