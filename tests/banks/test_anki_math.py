"""LaTeX and MathJax from Anki: ``[$]``, ``[$$]`` and ``[latex]`` become MathJax delimiters on import,
HTML inside math goes (as Anki strips it), and the vendored KaTeX typesets what comes out."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from quizapp.banks.anki_math import anki_math_to_mathjax, mathjax_from_anki, strip_html_inside_mathjax
from quizapp.banks.apkg import parse_apkg
from tests.banks.anki_support import Collection, add_note, export

KATEX = Path(__file__).resolve().parents[2] / "static" / "vendor" / "katex"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("math")
    col = Collection(str(root / "c.anki2"))
    try:
        add_note(col, "Basic", "Maths", Front="Solve [$]x^2 = 4[/$] and [$$]\\sum_{i=1}^n i[/$$]",
                 Back="[latex]$x = \\pm 2$[/latex]")
        add_note(col, "Basic", "Maths", Front="Energy?", Back="[latex]\\begin{align}E &= mc^2\\end{align}[/latex]")
        add_note(col, "Basic", "Maths", Front="MathJax as Anki's editor leaves it: \\(a<br>+ <b>b</b>\\)",
                 Back="\\[\\frac{1}{2}\\]")
        add_note(col, "Cloze", "Maths", Text="The root of [$]x^2 = 4[/$] is {{c1::2}}")
        package = export(col, root / "maths.apkg")
    finally:
        col.close()
    result = parse_apkg(package)
    assert result.errors == []
    return {q.fields.get("front") or q.fields.get("text"): q for q in result.bank.questions}


def test_anki_latex_and_mathjax_arrive_as_mathjax(imported):
    solve = imported["Solve \\(x^2 = 4\\) and \\[\\sum_{i=1}^n i\\]"]
    assert solve.fields["back"] == "\\(x = \\pm 2\\)"
    assert imported["Energy?"].fields["back"] == "\\[\\begin{align}E &amp;= mc^2\\end{align}\\]"
    assert "MathJax as Anki's editor leaves it: \\(a+ b\\)" in imported  # tags inside math removed
    assert imported["The root of \\(x^2 = 4\\) is {{c1::2}}"].type == "cloze"


@pytest.mark.parametrize(("anki", "mathjax"), [
    ("[$]x[/$]", "\\(x\\)"),
    ("[$$]x[/$$]", "\\[x\\]"),
    ("[LaTeX]$x$[/LaTeX]", "\\(x\\)"),
    ("[latex]$$x$$[/latex]", "\\[x\\]"),
    ("[latex]\\begin{matrix}a\\end{matrix}[/latex]", "\\[\\begin{matrix}a\\end{matrix}\\]"),
    ("[latex]x^2[/latex]", "\\(x^2\\)"),
    ("a [$]x[/$] b [$]y[/$] c", "a \\(x\\) b \\(y\\) c"),
    ("price [$] and [/$$]", "price [$] and [/$$]"),  # unclosed: left as it is
    ("[$]x[/$] [$]unclosed", "\\(x\\) [$]unclosed"),
])
def test_conversion(anki, mathjax):
    assert anki_math_to_mathjax(anki) == mathjax


def test_tags_inside_mathjax_go_and_entities_stay():
    assert strip_html_inside_mathjax("\\(<span>a</span> &lt; b<br>\\) <b>x</b>") == "\\(a &lt; b\\) <b>x</b>"
    assert strip_html_inside_mathjax("<b>\\(x\\)</b> \\[") == "<b>\\(x\\)</b> \\["


@pytest.mark.parametrize("hostile", [
    "[$]" * 50_000, "[latex]" * 30_000, "\\(" * 100_000, "[$]a[/$$]" * 20_000, "\\(<" * 60_000 + "\\)",
])
def test_hostile_math_is_converted_in_linear_time(hostile):
    start = time.process_time()
    mathjax_from_anki(hostile)
    assert time.process_time() - start < 1.0


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the vendored KaTeX")
def test_the_vendored_katex_typesets_what_the_import_gives(imported):
    """Every formula the import produced, through KaTeX itself (the file the pages load)."""
    formulas = ["x^2 = 4", "\\sum_{i=1}^n i", "x = \\pm 2", "\\begin{align}E &= mc^2\\end{align}", "a+ b",
                "\\frac{1}{2}"]
    script = (f"const katex = require({json.dumps(str(KATEX / 'katex.min.js'))});"
              f"for (const f of {json.dumps(formulas)}) katex.renderToString(f, {{throwOnError: true, displayMode: "
              "f.includes('begin')}); console.log('ok');")
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_the_pages_auto_render_the_delimiters_the_import_writes():
    config = (KATEX.parents[1] / "js" / "math.js").read_text()
    for left, right in (("\\\\(", "\\\\)"), ("\\\\[", "\\\\]"), ("[$]", "[/$]"), ("[$$]", "[/$$]"),
                        ("[latex]", "[/latex]")):
        assert f'left: "{left}", right: "{right}"' in config
    assert (KATEX / "contrib" / "auto-render.min.js").exists() and (KATEX / "katex.min.css").exists()
    assert list((KATEX / "fonts").glob("*.woff2"))
