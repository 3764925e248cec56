#!/usr/bin/env bash
# The BigQuery sink's end-to-end throughput (issue 5): `pipeline bench --sink bigquery` against a stand-in that
# answers at once, running as its own process. The bench measures a raw consumer in the same run as its baseline.
# Usage: ./scripts/bench-bigquery.sh [extra `pipeline bench` options, e.g. --messages 100000 --json out.json]
# STAND_IN_LATENCY sets the stand-in's answer time per insertAll: 0 (default, at once), a fixed number of
# milliseconds, or lognormal:MEDIAN_MS[:SIGMA], e.g. STAND_IN_LATENCY=lognormal:40 (σ 0.5).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build functions/Ecommerce.Pipeline.Cli -c Release -warnaserror -v q -nologo
dotnet build tests/Ecommerce.Pipeline.Benchmarks -c Release -warnaserror -v q -nologo

out="$(mktemp)"
dotnet tests/Ecommerce.Pipeline.Benchmarks/bin/Release/net10.0/Ecommerce.Pipeline.Benchmarks.dll bigquery-stand-in 0 "${STAND_IN_LATENCY:-0}" >"$out" &
stand_in=$!
trap 'kill -TERM "$stand_in" 2>/dev/null || true; wait "$stand_in" 2>/dev/null || true; tail -n +2 "$out"; rm -f "$out"' EXIT

# The stand-in prints its endpoint first; wait for that line (or its exit).
for _ in $(seq 1 300); do
  endpoint="$(sed -n 's/^endpoint=//p' "$out")"
  [ -n "$endpoint" ] && break
  kill -0 "$stand_in" 2>/dev/null || { echo "stand-in exited"; exit 1; }
  sleep 0.1
done
[ -n "${endpoint:-}" ] || { echo "stand-in gave no endpoint"; exit 1; }
echo "stand-in: $endpoint (latency ${STAND_IN_LATENCY:-0})"

dotnet functions/Ecommerce.Pipeline.Cli/bin/Release/net10.0/pipeline.dll bench --sink bigquery \
  --bigquery-project bench --bigquery-dataset bench --bigquery-endpoint "$endpoint" "$@"
