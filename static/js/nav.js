// The phone menu (templates/base.html): at 480 px and below the site links fold behind a "Menu"
// button (static/css/app.css, .site-nav.has-menu). Without this script the links stay in one row
// that scrolls sideways, so every page still works.
(function () {
  "use strict";

  function setUp() {
    var nav = document.querySelector(".site-nav");
    var button = nav && nav.querySelector(".menu-toggle");
    var list = button && document.getElementById(button.getAttribute("aria-controls"));
    // A visitor's two links (Log in, Register) fit beside the brand: nothing to fold.
    if (!list || list.children.length <= 3) { return; }

    function open() { return button.getAttribute("aria-expanded") === "true"; }
    function set(expanded) {
      button.setAttribute("aria-expanded", String(expanded));
      nav.classList.toggle("is-open", expanded);
    }

    button.hidden = false;
    nav.classList.add("has-menu");
    set(false);

    button.addEventListener("click", function () { set(!open()); });
    // Esc closes the menu and gives the focus back to its button.
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && open()) {
        event.preventDefault();
        set(false);
        button.focus();
      }
    });
    // Leaving the menu (a click or a Tab elsewhere) closes it.
    nav.addEventListener("focusout", function (event) {
      if (open() && event.relatedTarget && !nav.contains(event.relatedTarget)) { set(false); }
    });
    document.addEventListener("click", function (event) {
      if (open() && !nav.contains(event.target)) { set(false); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
}());
