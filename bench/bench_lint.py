"""Lint benchmark: `flask bank lint`'s checks on synthetic banks of 2,500 to 20,000 questions.

Run: .venv/bin/python bench/bench_lint.py [--sizes 2500,5000,10000,20000] [--cli] [--all-pairs]
The banks mix every question type; prompts draw 8-16 words from a 3,000-word vocabulary with
Zipf-like frequencies (so some words are in thousands of prompts, as "Soviet" is in ours), with
explanations and evidence of 25-45 words. 1 % of questions repeat an earlier prompt exactly and
2 % repeat one with a word changed, 5 % of explanations copy 14 words of their evidence, so every
check has something to find. Printed per size: seconds for lint() in-process (best of 3), the
findings by check, and seconds per 1,000 questions: near-constant means linear time.
--cli also times `flask --app quizapp bank lint FILE` on the 10,000-question YAML file (reading
and parsing included), as a teacher's upload or CI would run it. --all-pairs times the
near-duplicate search without blocking (every question against every earlier one, in rapidfuzz's
C loop) at each size: what the blocking step saves, and whether it misses any pair.
Issue #21's bound: a 10,000-question upload must not take minutes.
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def vocabulary(rng: random.Random, size: int = 3000) -> tuple[list[str], list[float]]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size * 2)})[:size]
    rng.shuffle(words)
    return words, [1 / (rank + 1) for rank in range(len(words))]


def make_bank(n: int, seed: int = 21):
    from quizapp.banks.model import Bank, Question

    rng = random.Random(seed)
    vocab, weights = vocabulary(rng)

    def phrase(lo: int, hi: int) -> str:
        return " ".join(rng.choices(vocab, weights, k=rng.randint(lo, hi)))

    def distinct(k: int, lo: int, hi: int) -> list[str]:  # choices and items may not repeat
        out: list[str] = []
        while len(out) < k:
            candidate = phrase(lo, hi)
            out += [candidate] if candidate not in out else []
        return out

    prompts: list[str] = []
    questions = []
    for i in range(n):
        roll = rng.random()
        if prompts and roll < 0.01:
            prompt = rng.choice(prompts)  # an exact repeat
        elif prompts and roll < 0.03:
            words = rng.choice(prompts).split()
            words[rng.randrange(len(words))] = rng.choice(vocab)  # a near-duplicate
            prompt = " ".join(words)
        else:
            prompt = phrase(8, 16).capitalize() + "?"
        prompts.append(prompt)
        evidence = phrase(25, 40) + "."
        explanation = (" ".join(evidence.split()[:14]) + " " + phrase(10, 20) if rng.random() < 0.05
                       else phrase(25, 45)) + "."
        kind = i % 9
        if kind == 0:
            fields = {"prompt": prompt, "choices": distinct(4, 1, 3)}
            fields["answer"] = fields["choices"][0]
            qtype = "multiple_choice"
        elif kind == 1:
            qtype, fields = "true_false", {"prompt": prompt, "answer": i % 2 == 0}
        elif kind == 2:
            qtype, fields = "short_answer", {"prompt": prompt, "answers": [phrase(1, 4)]}
        elif kind == 3:
            qtype, fields = "numeric", {"prompt": prompt, "answer": 1900 + i % 100}
        elif kind == 4:
            words = prompt.rstrip("?").split()
            words[2] = "{{c1::" + words[2] + "}}"
            qtype, fields = "cloze", {"text": " ".join(words) + "."}
        elif kind == 5:
            qtype, fields = "ordering", {"prompt": prompt, "items": distinct(4, 3, 6)}
        elif kind == 6:
            qtype, fields = "flashcard", {"front": prompt, "back": phrase(4, 10)}
        elif kind == 7:
            pairs = [list(p) for p in zip(distinct(3, 1, 2), distinct(3, 2, 3))]
            qtype, fields = "matching", {"prompt": prompt, "pairs": pairs}
        else:
            fields = {"prompt": prompt, "choices": distinct(5, 1, 3)}
            fields["answers"] = fields["choices"][:2]
            qtype = "multiple_select"
        questions.append(Question(id=f"q{i}", type=qtype, fields=fields, explanation=explanation, source="doc",
                                  evidence=[evidence], line=4 + 12 * i))
    return Bank(id=f"bench-{n}", title="Lint benchmark bank", questions=questions,
                sources={"doc": {"title": "A document", "file": "doc.txt"}})


def all_pairs(bank) -> tuple[float, set[str]]:
    """The near-duplicate search with no blocking: every question scored against all earlier ones.
    Seconds, and the ids of the questions it finds a match for (exact repeats left out, as lint does)."""
    from rapidfuzz import fuzz, process

    from quizapp.banks.lint import NEAR_DUPLICATE, asked

    pairs = [asked(q) for q in bank.questions]
    texts = [" ".join(sorted(text.split())) for text, _ in pairs]
    first: dict[str, int] = {}
    start = time.perf_counter()
    hits = set()
    for n in range(1, len(texts)):
        text, key = pairs[n]
        if not text or first.setdefault(key, n) != n:
            continue
        if process.extractOne(texts[n], texts[:n], scorer=fuzz.ratio, processor=None, score_cutoff=NEAR_DUPLICATE):
            hits.add(bank.questions[n].id)
    return time.perf_counter() - start, hits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2500,5000,10000,20000")
    parser.add_argument("--cli", action="store_true", help="also time the flask command on a 10,000-question file")
    parser.add_argument("--all-pairs", action="store_true", help="also time the unblocked near-duplicate search")
    args = parser.parse_args()
    from quizapp.banks.lint import lint

    print(f"machine: {sys.platform}, python {sys.version.split()[0]}; lint() in-process, best of 3")
    for n in (int(s) for s in args.sizes.split(",")):
        bank = make_bank(n)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            findings = lint([(f"{bank.id}.yaml", bank)])
            times.append(time.perf_counter() - start)
        best = min(times)
        counts = Counter(f.check for f in findings)
        line = f"{n:>6} questions: {best:6.2f} s ({best / n * 1000:.3f} s per 1,000)  " + \
            ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        if args.all_pairs:
            seconds, every = all_pairs(bank)
            blocked = {f.question for f in findings if f.check == "near-duplicate" and "% like" in f.message}
            line += (f"  | unblocked near-duplicate search alone: {seconds:.2f} s; the blocked one found "
                     f"{len(blocked & every)} of its {len(every)} questions")
        print(line, flush=True)
    if args.cli:
        from quizapp.banks.native import dump_yaml

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench-10000.yaml"
            path.write_text(dump_yaml(make_bank(10_000)), encoding="utf-8")
            start = time.perf_counter()
            done = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "quizapp", "bank", "lint",
                                   str(path)], capture_output=True, text=True, cwd=ROOT, timeout=600)
            seconds = time.perf_counter() - start
            print(f"flask --app quizapp bank lint (10,000 questions, {path.stat().st_size / 1e6:.1f} MB YAML, "
                  f"reading, parsing and app start included): {seconds:.2f} s, exit {done.returncode}, "
                  f"{done.stdout.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
