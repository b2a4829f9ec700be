"""Import benchmark: 10,000 questions from YAML, GIFT and .apkg; seconds and peak memory each.

Run: .venv/bin/python bench/bench_import.py [--questions 10000]
Each import runs in a fresh process (peak RSS is per process). Beside each figure: a baseline
measured in the same run, the bare parse of the same bytes with no validation (PyYAML's safe
loader, libyaml when present, for YAML; splitting the text for GIFT; unzipping the .apkg), so the
ratio shows what our validation and model building cost on this machine, whatever its speed.
Targets (issue "Question banks"): under 3 s and 200 MB each on a 2-core machine.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r'''
import json, resource, sys, time
fmt, path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(path, "rb").read()
start = time.perf_counter()
if mode == "import":
    from quizapp.banks import formats
    result = formats.parse(data, path, fmt)
    assert result.ok, [str(e) for e in result.errors[:3]]
    n = len(result.bank.questions)
else:
    if fmt == "yaml":
        import yaml
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        n = len(yaml.load(data.decode(), Loader=loader)["questions"])
    elif fmt == "gift":
        n = len(data.decode().split("\n\n"))
    else:
        import io, zipfile
        z = zipfile.ZipFile(io.BytesIO(data))
        n = sum(len(z.read(i)) for i in z.namelist())
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "n": n}))
'''


def make_bank(n: int):
    from quizapp.banks.model import Bank, Question

    kinds = [
        ("multiple_choice", lambda i: {"prompt": f"Question {i}: which treaty?", "choices": [f"A{i}", f"B{i}", f"C{i}"],
                                       "answer": f"A{i}"}),
        ("true_false", lambda i: {"prompt": f"Statement {i} is true.", "answer": i % 2 == 0}),
        ("short_answer", lambda i: {"prompt": f"Who led party {i}?", "answers": [f"Leader {i}", f"L{i}"]}),
        ("numeric", lambda i: {"prompt": f"Which year, {i}?", "answer": 1900 + i % 100}),
        ("flashcard", lambda i: {"front": f"Term {i}", "back": f"Definition {i} of the term"}),
        ("cloze", lambda i: {"text": f"In {{{{c1::{1900 + i % 90}}}}} the {{{{c2::treaty {i}}}}} was signed."}),
    ]
    questions = []
    for i in range(n):
        kind, fields = kinds[i % len(kinds)]
        questions.append(Question(id=f"q{i}", type=kind, fields=fields(i), explanation=f"Because of fact {i}.",
                                  tags=["bench", f"t{i % 50}"], difficulty="medium"))
    return Bank(id="bench", title="Benchmark bank", questions=questions)


def run(fmt: str, path: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, fmt, str(path), mode], capture_output=True, text=True,
                         cwd=ROOT, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args()
    from quizapp.banks import formats

    bank = make_bank(args.questions)
    print(f"{args.questions} questions; machine: {sys.platform}, python {sys.version.split()[0]}")
    print(f"{'format':6} {'bytes':>10} {'import s':>9} {'peak MB':>8} {'baseline s':>10} {'baseline MB':>11} "
          f"{'ratio':>6}  target")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("yaml", "gift", "apkg"):
            path = Path(tmp) / f"bench.{fmt}"
            path.write_bytes(formats.dump(bank, fmt))
            base = run(fmt, path, "baseline")
            result = run(fmt, path, "import")
            ok = result["seconds"] < 3 and result["peak_mb"] < 200
            print(f"{fmt:6} {path.stat().st_size:>10} {result['seconds']:>9.2f} {result['peak_mb']:>8.0f} "
                  f"{base['seconds']:>10.2f} {base['peak_mb']:>11.0f} {result['seconds'] / base['seconds']:>6.1f}  "
                  f"{'met' if ok else 'MISSED'} (<3 s, <200 MB)")


if __name__ == "__main__":
    main()
