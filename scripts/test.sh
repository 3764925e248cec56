#!/usr/bin/env bash
# Runs every test of the project: the .NET solution (unit, property and integration tests), the Prometheus
# rule tests (promtool) and the Airflow DAG tests (python3 unittest).
# Usage: ./scripts/test.sh            (the README's test command; CI runs it through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if ! dotnet build Functions.sln -c Release -warnaserror >"$log" 2>&1; then
  grep -E ' (error|warning) ' "$log" | sort -u | head -n 50
  echo "Build failed."
  echo "tests: 0 passed, 1 failed"
  exit 1
fi
tail -n 3 "$log"

# The whole log goes to a file; the console gets each assembly's summary and every failure with its message.
set +e
dotnet test Functions.sln -c Release --no-build --logger "console;verbosity=normal" >"$log" 2>&1
status=$?
set -e
grep -E '^\s*(Passed|Failed)!|^\s+Failed [A-Z]|Error Message|^\s+(Assert|Expected|Actual)|Total tests:|^\s+(Passed|Failed): ' "$log" || true
if [ "$status" -ne 0 ]; then
  grep -E 'error|Exception' "$log" | sort -u | head -n 40 || true
fi

passed=$(grep -oE '^\s+Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}' || true)
failed=$(grep -oE '^\s+Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}' || true)
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
  failed=1 # the run failed without a failed test (a crash, a hang): still a failure
fi

# Prometheus rules (infra/monitoring): syntax check, then the promtool unit tests. Each rule file checked and each
# test case of the test files counts as one test; a missing promtool fails (it never skips).
rules_dir=infra/monitoring/prometheus
if command -v promtool >/dev/null; then
  for f in "$rules_dir"/rules/*.yml; do
    if promtool check rules "$f" >"$log" 2>&1; then passed=$((passed + 1)); else cat "$log"; failed=$((failed + 1)); status=1; fi
  done
  for f in "$rules_dir"/tests/*.test.yml; do
    cases=$(grep -cE '^  - name:' "$f")
    if promtool test rules "$f" >"$log" 2>&1; then
      passed=$((passed + cases))
      echo "Passed!  - promtool test rules $f: ${cases} cases"
    else
      cat "$log"; failed=$((failed + 1)); status=1
      echo "Failed!  - promtool test rules $f"
    fi
  done
else
  echo "Failed!  - promtool not found: install Debian's prometheus package (.ci/run does)"
  failed=$((failed + 1)); status=1
fi

# Airflow DAGs (airflow/tests, standard-library unittest): structure checks, and every command line a DAG runs is
# run by the `pipeline` binary built above with --dry-run. Each test counts as one.
if command -v python3 >/dev/null; then
  set +e
  python3 -m unittest discover -s airflow/tests -v >"$log" 2>&1
  py_status=$?
  set -e
  ran=$(grep -oE '^Ran [0-9]+ test' "$log" | awk '{print $2}' || true)
  ran=${ran:-0}
  py_failed=$(grep -oE '(failures|errors)=[0-9]+' "$log" | cut -d= -f2 | awk '{s+=$1} END {print s+0}' || true)
  if [ "$py_status" -ne 0 ]; then
    grep -E '^(FAIL|ERROR):|Error|assert' "$log" | head -n 40 || true
    [ "${py_failed:-0}" -eq 0 ] && py_failed=1
    status=1
    echo "Failed!  - airflow/tests: ${py_failed} of ${ran} failed"
  else
    echo "Passed!  - airflow/tests: ${ran} tests"
  fi
  passed=$((passed + ran - py_failed))
  failed=$((failed + py_failed))
else
  echo "Failed!  - python3 not found: the Airflow DAG tests need it"
  failed=$((failed + 1)); status=1
fi

echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
