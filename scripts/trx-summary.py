#!/usr/bin/env python3
"""Counts the results of every .trx file in a folder (passed and failed from each file's Counters) and prints
each failure (name and message) and each skip (name and reason).
Last line, for scripts/test.sh: "<passed> <failed> <skipped> <files>"."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main(folder: str) -> None:
    passed = failed = skipped = 0
    files = sorted(glob.glob(os.path.join(folder, "**", "*.trx"), recursive=True))
    for path in files:
        root = ET.parse(path).getroot()
        counters = root.find("t:ResultSummary/t:Counters", NS)
        if counters is None:
            failed += 1
            print(f"Failed!  - {os.path.basename(path)}: no counters (the run did not finish)")
            continue
        count = lambda name: int(counters.get(name, "0"))
        passed += count("passed")
        # Errors, timeouts and aborted tests are failures too; tests that never ran (skipped) are not.
        failed += count("failed") + count("error") + count("timeout") + count("aborted")
        # Counters leave skipped tests out (notExecuted stays 0): they are counted by their results below.
        for result in root.iterfind("t:Results/t:UnitTestResult", NS):
            outcome = result.get("outcome")
            name = result.get("testName")
            if outcome in ("Failed", "Error", "Timeout", "Aborted"):
                message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS).strip()
                print(f"  Failed {name}")
                for line in message.splitlines()[:12]:
                    print(f"    {line}")
            elif outcome == "NotExecuted":
                skipped += 1
                reason = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS).strip()
                print(f"  Skipped {name}{': ' + reason if reason else ''}")
    print(passed, failed, skipped, len(files))


if __name__ == "__main__":
    main(sys.argv[1])
