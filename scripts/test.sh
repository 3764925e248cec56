#!/usr/bin/env bash
# Runs every test of the project: the .NET solution (unit, property and integration tests).
# Usage: ./scripts/test.sh            (the README's test command; CI runs it through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

dotnet build Functions.sln -c Release -warnaserror 2>&1 | tail -n 3

status=0
dotnet test Functions.sln -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log" | \
  grep -E '^(Passed!|Failed!)|^\s+Failed |Error Message|^\s+(Assert|Expected|Actual)' || true
status=${PIPESTATUS[0]}

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
