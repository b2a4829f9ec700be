// Keyboard hints only for people using a keyboard, and the "?" list of shortcuts.
// The hints (<kbd>, .kbd-only) are hidden by app.css until <html> has the class "keys": it is set by
// the first key pressed and removed by the first touch; the choice is remembered in this browser.
// "?" opens the dialog #shortcuts where a page has one; Esc closes it and focus goes back.
(function () {
  "use strict";
  var root = document.documentElement, STORE = "quizapp-keys";

  function remember(on) {
    try { localStorage.setItem(STORE, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
  }
  function show(on) { root.classList.toggle("keys", on); }
  try { show(localStorage.getItem(STORE) === "1"); } catch (e) { /* hidden */ }

  function typing(el) {
    return el && (el.tagName === "INPUT" && !["radio", "checkbox", "submit", "button", "hidden"].includes(el.type)
      || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  // Typing into a box after touching it is a phone's on-screen keyboard, not a keyboard in use.
  var touched = false;
  var opener = null;
  function dialog() { return document.getElementById("shortcuts"); }
  function open() {
    var d = dialog();
    if (!d || d.open || typeof d.showModal !== "function") { return false; }
    opener = document.activeElement;
    d.showModal();
    return true;
  }

  // Capture phase: while the list is open, no key reaches the page's own shortcuts behind it.
  window.addEventListener("keydown", function (event) {
    var soft = event.key === "Unidentified" || event.key === "Process" || (touched && typing(event.target));
    if (event.key !== "Tab" && event.key !== "Shift" && !soft && !root.classList.contains("keys")) {
      show(true); remember(true);
    }
    var d = dialog();
    if (d && d.open) {
      if (event.key !== "Escape" && event.key !== "Tab") { event.stopPropagation(); }
      return;
    }
    if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      if (open()) { event.preventDefault(); event.stopPropagation(); }
    }
  }, true);

  window.addEventListener("pointerdown", function (event) {
    touched = event.pointerType === "touch";
    if (touched && root.classList.contains("keys")) { show(false); remember(false); }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    var d = dialog();
    if (!d) { return; }
    d.addEventListener("close", function () {
      if (opener && document.contains(opener) && typeof opener.focus === "function") { opener.focus(); }
      opener = null;
    });
    document.querySelectorAll("[data-shortcuts]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { open(); });
    });
  });
})();
