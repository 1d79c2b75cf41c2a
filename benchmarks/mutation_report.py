"""Killed / survived mutants per module, from the results mutmut leaves in mutants/ (run by `make mutation`).

A survivor listed in mutation-equivalents.md (by its mutmut name, in backticks, with the reason) counts as
equivalent; every other survivor is printed by name so `.venv/bin/mutmut show NAME` can show its diff.
Exit status 1 when a non-equivalent mutant survived, so the target fails until it is killed or justified.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "mutation-equivalents.md"

# mutmut 3's exit codes (mutmut/__main__.py, status_by_exit_code): 1 and 3 killed, 0 survived, the rest below.
STATUS = {1: "killed", 3: "killed", 0: "survived", None: "not checked", 5: "no tests", 33: "no tests",
          34: "skipped", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
          37: "type check", -11: "segfault", -9: "segfault"}


def equivalents() -> dict[str, str]:
    if not EQUIVALENTS.exists():
        return {}
    found = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        match = re.search(r"`(housing_security\.[\w.]+__mutmut_\d+)`\s*[—:-]?\s*(.*)", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def main() -> int:
    metas = sorted((ROOT / "mutants").glob("**/*.py.meta"))
    if not metas:
        print("no mutmut results in mutants/: run `make mutation` first")
        return 2
    known = equivalents()
    print(f"{'module':42} {'mutants':>7} {'killed':>7} {'timeout':>7} {'equiv.':>7} {'survived':>8} {'other':>6}")
    totals: Counter = Counter()
    alive, stale = [], set(known)
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:
            continue
        module = str(meta.relative_to(ROOT / "mutants"))[:-len(".meta")]
        row: Counter = Counter()
        for name, code in codes.items():
            status = STATUS.get(code, "suspicious")
            stale.discard(name)
            if status == "survived" and name in known:
                status = "equivalent"
            elif status == "survived":
                alive.append(name)
            row[status if status in ("killed", "timeout", "equivalent", "survived") else "other"] += 1
        row["mutants"] = len(codes)
        totals.update(row)
        print(f"{module:42} {row['mutants']:7} {row['killed']:7} {row['timeout']:7} {row['equivalent']:7} "
              f"{row['survived']:8} {row['other']:6}")
    print(f"{'total':42} {totals['mutants']:7} {totals['killed']:7} {totals['timeout']:7} {totals['equivalent']:7} "
          f"{totals['survived']:8} {totals['other']:6}")
    if alive:
        print("\nsurvivors not listed as equivalent (`.venv/bin/mutmut show NAME`):")
        for name in alive:
            print(f"  {name}")
    if stale:
        print(f"\n{len(stale)} names in {EQUIVALENTS.name} are no longer mutants (the code changed): re-check them")
    return 1 if alive else 0


if __name__ == "__main__":
    sys.exit(main())
