// Teachers' upload pages, progressive enhancement only (without script the pages work as they are):
// - the upload form names the bank from the chosen file while the teacher has not typed a name;
// - the "Fix it here" editor keeps its line numbers in step with the text, and a "line N" link of
//   the issue list opens the editor, scrolls to line N, highlights it and puts the caret on it;
// - the question editor sends an image to the bank and puts its Markdown at the caret of the text
//   last edited (the texts then read as Markdown), or inserts one of the bank's images.
(function () {
  "use strict";

  function nameFromFile() {
    var name = document.querySelector("input[data-bank-name]");
    var file = document.querySelector("input[type='file'][name='file']");
    if (!name || !file) { return; }
    var filled = "";
    file.addEventListener("change", function () {
      if (!file.files || !file.files.length || (name.value && name.value !== filled)) { return; }
      var base = file.files[0].name.replace(/\.[^.]+$/, "").replace(/[_]+/g, " ").trim();
      filled = name.value = base;
    });
  }

  function lineCount(text) {
    var n = text.split("\n").length;
    return text.endsWith("\n") ? n - 1 || 1 : n;
  }

  function lineEditor() {
    var box = document.querySelector("[data-line-editor]");
    if (!box) { return; }
    var area = box.querySelector("textarea"), gutter = box.querySelector(".line-numbers");

    function renumber() {
      var want = lineCount(area.value), have = gutter.children.length;
      for (var n = have + 1; n <= want; n++) {
        var li = document.createElement("li");
        li.id = "line-" + n; li.textContent = String(n);
        gutter.appendChild(li);
      }
      while (gutter.children.length > want) { gutter.removeChild(gutter.lastChild); }
      area.rows = want + 1;
    }

    function goTo(line) {
      var details = box.closest("details");
      if (details) { details.open = true; }
      var lines = area.value.split("\n"), start = 0;
      line = Math.max(1, Math.min(line, lines.length));
      for (var i = 0; i < line - 1; i++) { start += lines[i].length + 1; }
      gutter.querySelectorAll(".line-current").forEach(function (li) { li.classList.remove("line-current"); });
      var mark = document.getElementById("line-" + line);
      if (mark) {
        mark.classList.add("line-current");
        mark.scrollIntoView({ block: "center" });
      }
      area.focus({ preventScroll: true });
      area.setSelectionRange(start, start + lines[line - 1].length);
    }

    area.addEventListener("input", renumber);
    document.querySelectorAll("a.line-link[data-line]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        goTo(parseInt(link.getAttribute("data-line"), 10));
        if (window.history && history.replaceState) { history.replaceState(null, "", link.getAttribute("href")); }
      });
    });
    var m = /^#line-(\d+)$/.exec(window.location.hash);
    if (m) { goTo(parseInt(m[1], 10)); }
  }

  // Texts an image may go in (not the evidence quotes, nor the credit lines).
  var IMAGE_TARGETS = ["f_prompt", "f_front", "f_back", "f_text", "explanation"];

  function imageInsert() {
    var qform = document.querySelector("form[data-question-form]");
    var iform = document.querySelector("form[data-image-form]");
    if (!qform || !iform || !window.fetch || !window.FormData) { return; }
    var status = document.getElementById("image-status"), target = null;
    IMAGE_TARGETS.forEach(function (name) {
      var area = qform.querySelector("textarea[name='" + name + "']");
      if (!area) { return; }
      target = target || area;
      area.addEventListener("focus", function () { target = area; });
    });
    if (!target) { return; }

    function insert(text) {
      var start = target.selectionStart, end = target.selectionEnd;
      target.value = target.value.slice(0, start) + text + target.value.slice(end);
      target.focus();
      target.setSelectionRange(start + text.length, start + text.length);
      var fmt = qform.querySelector("select[name='text_format']"), note = "";
      if (fmt && fmt.value === "plain") { fmt.value = "markdown"; note = " The texts are now read as Markdown."; }
      var label = document.querySelector("label[for='" + target.id + "']");
      status.textContent = "Inserted " + text + " into " + (label ? label.textContent.trim() : "the text") + "." + note;
    }

    document.querySelectorAll("[data-insert-image]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { insert(button.getAttribute("data-insert-image")); });
    });
    iform.addEventListener("submit", function (event) {
      event.preventDefault();
      status.textContent = "Sending the image…";
      fetch(iform.action, { method: "POST", body: new FormData(iform), credentials: "same-origin",
                            headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) { status.textContent = res.body.message || "The image was not added."; return; }
          insert(res.body.markdown);
          iform.reset();
        })
        .catch(function () { status.textContent = "The image could not be sent; try again."; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameFromFile();
    lineEditor();
    imageInsert();
  });
}());
