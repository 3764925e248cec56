#!/usr/bin/env bash
# Runs every test of the project: the .NET solution (unit, property and integration tests), the Prometheus
# rule tests (promtool) and the Airflow DAG tests (python3 unittest).
# Usage: ./scripts/test.sh            (the README's test command; CI runs it through .ci/run)
#        ./scripts/test.sh --fast     only the .NET tests that start no broker, child process or browser (those not
#                                     in Category=Integration); not the promtool rule tests nor the Airflow DAG
#                                     tests, which run external programs (promtool, the built `pipeline`).
# Results are counted from the TRX files the test runs write, not from console text.
set -euo pipefail
cd "$(dirname "$0")/.."

fast=false
case "${1:-}" in
  --fast) fast=true ;;
  "") ;;
  *) echo "usage: $0 [--fast]" >&2; exit 2 ;;
esac
started=$SECONDS

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log="$work/log"

took() {
  local s=$((SECONDS - started))
  echo "time: $((s / 60))m $((s % 60))s"
}

if ! command -v python3 >/dev/null; then
  echo "Failed!  - python3 not found: counting the .NET results (scripts/trx-summary.py) and the Airflow DAG tests need it"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

if ! dotnet build Functions.sln -c Release -warnaserror >"$log" 2>&1; then
  grep -E ' (error|warning) ' "$log" | sort -u | head -n 50
  echo "Build failed."
  took
  echo "tests: 0 passed, 1 failed"
  exit 1
fi
tail -n 3 "$log"

# A test that stops making progress for 5 minutes is a failure with its name (Blame prints it), not a run that
# never ends; no dump is written for it.
filter=()
if $fast; then
  filter=(--filter "Category!=Integration")
fi
set +e
dotnet test Functions.sln -c Release --no-build "${filter[@]}" \
  --logger trx --results-directory "$work/trx" \
  --blame-hang-timeout 5m --blame-hang-dump-type none >"$log" 2>&1
status=$?
set -e
grep -E '^(Passed|Failed)!' "$log" || true
python3 scripts/trx-summary.py "$work/trx" >"$work/summary"
sed '$d' "$work/summary"
read -r passed failed skipped trx_files < <(tail -n 1 "$work/summary")
if [ "$status" -ne 0 ]; then
  # A hang or a crash: the run says which test was running; build or runner errors have no TRX entry.
  grep -E 'inactivity time|test running when|Test Run Aborted|error [A-Z]+[0-9]+|MSB[0-9]+' "$log" | sort -u | head -n 20 || true
  grep -A 2 'test running when' "$log" | tail -n +2 || true
  if [ "$failed" -eq 0 ]; then
    failed=1 # the run failed without a failed test (a crash, a hang): still a failure
  fi
fi
# One TRX file per test assembly that reported; fewer would mean results were lost, not that tests passed.
reported=$(grep -cE '^(Passed|Failed)!' "$log" || true)
if [ "$trx_files" -eq 0 ] || [ "$trx_files" -lt "$reported" ]; then
  echo "Failed!  - ${trx_files} TRX file(s) for ${reported} test assemblies"
  failed=$((failed + 1)); status=1
fi

# Prometheus rules (infra/monitoring): syntax check, then the promtool unit tests. Each rule file checked and each
# test case of the test files counts as one test; a missing promtool fails (it never skips).
rules_dir=infra/monitoring/prometheus
if $fast; then
  : # not in the fast tier
elif command -v promtool >/dev/null; then
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
# run by the `pipeline` binary built above with --dry-run. Each test counts as one. Not in the fast tier.
if ! $fast; then
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
fi

took
summary="tests: ${passed} passed, ${failed} failed"
if [ "$skipped" -gt 0 ]; then
  summary="${summary}, ${skipped} skipped"
fi
echo "$summary"
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then
  status=1
fi
exit "$status"
