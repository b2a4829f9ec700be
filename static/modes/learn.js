// Learn (study/learn.html): keys 1 to 4 pick the numbered answer, as a click would. The page works
// without this file (the answers are submit buttons).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable)) { return; }
    var button = document.querySelector("button.learn-choice[data-key='" + event.key + "']");
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
