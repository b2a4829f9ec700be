// Typesets the math in question text with the vendored KaTeX (templates/_math.html loads it only on
// pages that show questions). Delimiters: MathJax's \( \) and \[ \], as Anki writes them, and Anki's
// own [$] [$$] [latex] for text that was not converted on import. Errors show the source, never break
// the page; text inside form fields and code is left alone.
(function () {
  "use strict";
  if (typeof window.renderMathInElement !== "function") {
    return;
  }
  window.renderMathInElement(document.getElementById("content") || document.body, {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "[$$]", right: "[/$$]", display: true },
      { left: "[$]", right: "[/$]", display: false },
      { left: "[latex]", right: "[/latex]", display: true },
    ],
    ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option", "input"],
    throwOnError: false,
  });
})();
