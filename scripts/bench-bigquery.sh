#!/usr/bin/env bash
# The BigQuery sink's end-to-end throughput through both write APIs, in one run: `pipeline bench --sink bigquery`
# against a stand-in that answers at once, running as its own process, first with the Storage Write API
# (--bigquery-write-api storage, exactly-once by default) and then with insertAll. Each bench measures a raw consumer
# in the same run as its baseline. The stand-in counts the bytes each API received (serialized AppendRowsRequest
# messages; insertAll request bodies) and the rows in them; the summary prints rows/s, p99 and bytes per row.
# Usage: ./scripts/bench-bigquery.sh [extra `pipeline bench` options, e.g. --messages 100000]
# STAND_IN_LATENCY sets the stand-in's answer time per insertAll / AppendRows request: 0 (default, at once), a fixed
# number of milliseconds, or lognormal:MEDIAN_MS[:SIGMA], e.g. STAND_IN_LATENCY=lognormal:40 (σ 0.5).
# BENCH_WRITE_APIS picks the runs (default "storage insertall").
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build functions/Ecommerce.Pipeline.Cli -c Release -warnaserror -v q -nologo
dotnet build tests/Ecommerce.Pipeline.Benchmarks -c Release -warnaserror -v q -nologo

work="$(mktemp -d)"
out="$work/stand-in.out"
dotnet tests/Ecommerce.Pipeline.Benchmarks/bin/Release/net10.0/Ecommerce.Pipeline.Benchmarks.dll bigquery-stand-in 0 "${STAND_IN_LATENCY:-0}" >"$out" &
stand_in=$!
trap 'kill -TERM "$stand_in" 2>/dev/null || true; wait "$stand_in" 2>/dev/null || true; tail -n +3 "$out"; rm -rf "$work"' EXIT

# The stand-in prints its two endpoints first; wait for them (or its exit).
for _ in $(seq 1 300); do
  endpoint="$(sed -n 's/^endpoint=//p' "$out")"
  storage="$(sed -n 's/^storage-endpoint=//p' "$out")"
  [ -n "$endpoint" ] && [ -n "$storage" ] && break
  kill -0 "$stand_in" 2>/dev/null || { echo "stand-in exited"; exit 1; }
  sleep 0.1
done
[ -n "${endpoint:-}" ] && [ -n "${storage:-}" ] || { echo "stand-in gave no endpoints"; exit 1; }
echo "stand-in: $endpoint, storage $storage (latency ${STAND_IN_LATENCY:-0})"

apis="${BENCH_WRITE_APIS:-storage insertall}"
for api in $apis; do
  extra=()
  [ "$api" = storage ] && extra=(--bigquery-storage-endpoint "$storage")
  curl -fsS "$endpoint/stats" >"$work/$api.before"
  echo "== --bigquery-write-api $api"
  dotnet functions/Ecommerce.Pipeline.Cli/bin/Release/net10.0/pipeline.dll bench --sink bigquery \
    --bigquery-project bench --bigquery-dataset bench --bigquery-endpoint "$endpoint" \
    --bigquery-write-api "$api" "${extra[@]}" --json "$work/$api.json" "$@"
  curl -fsS "$endpoint/stats" >"$work/$api.after"
done

# One line per API: rows/s and p99 from the bench's JSON, bytes per row from the stand-in's counts during that run.
python3 - "$work" $apis <<'EOF'
import json, re, sys
work, apis = sys.argv[1], sys.argv[2:]
def counts(path, api):
    line = next(l for l in open(path) if l.startswith(("storage:" if api == "storage" else "insertall:")))
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
print("| write API | (a) raw consume msg/s | (b) pipeline tx/s | (b)/(a) | p99 (ms) per rate | rows sent | bytes/row |")
print("|---|---:|---:|---:|---|---:|---:|")
for api in apis:
    bench = json.load(open(f"{work}/{api}.json"))
    before, after = counts(f"{work}/{api}.before", api), counts(f"{work}/{api}.after", api)
    rows, sent = after["rows"] - before["rows"], after["bytes"] - before["bytes"]
    p99 = ", ".join(f"{rate}/s: {p['p99']:.0f}" for rate, p in bench["latency_ms"].items())
    per_row = f"{sent / rows:.1f}" if rows else "-"
    print(f"| {api} | {bench['raw_consume_per_sec']:,.0f} | {bench['pipeline_per_sec']:,.0f} | {bench['ratio']:.3f} | {p99} | {rows:,} | {per_row} |")
EOF
