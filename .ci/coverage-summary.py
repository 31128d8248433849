#!/usr/bin/env python3
"""Prints the line and branch coverage of each library assembly from the cobertura reports coverlet wrote.

    python3 .ci/coverage-summary.py artifacts/test-results

Reads every coverage.cobertura.xml under the folder (one per test run), merges them per assembly and source line (a
line counts as covered when any run hit it; a line's branches as the most any run covered), and prints one line per
assembly, then the total. No threshold: the figure is for reading, not a gate. Exits 1 when no report is found.
"""
import glob
import hashlib
import os
import re
import sys
import xml.etree.ElementTree as ET

ASSEMBLIES = ("Reactor", "Reactor.Hosting")


def main() -> int:
    folder = sys.argv[1] if len(sys.argv) > 1 else "artifacts/test-results"
    # The same report may be there twice (the run's copy and the one attached to the TRX): read each content once.
    reports, seen = [], set()
    for path in sorted(glob.glob(os.path.join(folder, "**", "coverage.cobertura.xml"), recursive=True)):
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            reports.append(path)
    if not reports:
        print(f"coverage: no coverage.cobertura.xml under {folder}")
        return 1

    # (assembly, file, line) -> [hit, branches covered, branches]
    lines: dict[tuple[str, str, int], list[int]] = {}
    for report in reports:
        root = ET.parse(report).getroot()
        for package in root.iter("package"):
            name = package.get("name", "")
            if name not in ASSEMBLIES:
                continue
            for cls in package.iter("class"):
                filename = cls.get("filename", "")
                for line in cls.iter("line"):
                    key = (name, filename, int(line.get("number", "0")))
                    entry = lines.setdefault(key, [0, 0, 0])
                    entry[0] = max(entry[0], 1 if int(line.get("hits", "0")) > 0 else 0)
                    match = re.search(r"\((\d+)/(\d+)\)", line.get("condition-coverage", ""))
                    if line.get("branch") == "True" and match:
                        entry[1] = max(entry[1], int(match.group(1)))
                        entry[2] = max(entry[2], int(match.group(2)))

    def summary(keys: list[tuple[str, str, int]]) -> str:
        covered = sum(lines[k][0] for k in keys)
        branches_covered = sum(lines[k][1] for k in keys)
        branches = sum(lines[k][2] for k in keys)
        line_rate = 100.0 * covered / len(keys) if keys else 0.0
        branch_rate = 100.0 * branches_covered / branches if branches else 0.0
        return (f"line {line_rate:5.1f}% ({covered}/{len(keys)}), "
                f"branch {branch_rate:5.1f}% ({branches_covered}/{branches})")

    print(f"coverage of the libraries ({len(reports)} report(s), coverlet):")
    for assembly in ASSEMBLIES:
        keys = [k for k in lines if k[0] == assembly]
        print(f"coverage: {assembly:<16} {summary(keys)}" if keys else f"coverage: {assembly:<16} not in the report")
    print(f"coverage: {'total':<16} {summary(list(lines))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
