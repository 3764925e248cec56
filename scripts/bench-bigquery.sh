#!/usr/bin/env bash
# The BigQuery sink's end-to-end throughput through both write APIs, in one run: `pipeline bench --sink bigquery`
# against a stand-in that answers at once, running as its own process, first with the Storage Write API
# (--bigquery-write-api storage, exactly-once by default) and then with insertAll. Each bench measures a raw consumer
# in the same run as its baseline. The stand-in counts the bytes each API received (serialized AppendRowsRequest
# messages; insertAll request bodies) and the rows in them; the summary prints rows/s, p99 and bytes per row.
# Usage: ./scripts/bench-bigquery.sh [--pairs N] [extra `pipeline bench` options, e.g. --messages 100000]
# --pairs N (default 1) alternates the write APIs N times in one invocation, the order reversed every other pair
# (storage, insertall; insertall, storage; …), so that a drift in the machine's load hits both alike; the summary
# gives each run next to the raw consume of the same run, each pair's storage/insertall ratios, and the medians.
# STAND_IN_LATENCY sets the stand-in's answer time per insertAll / AppendRows request: 0 (default, at once), a fixed
# number of milliseconds, or lognormal:MEDIAN_MS[:SIGMA], e.g. STAND_IN_LATENCY=lognormal:40 (σ 0.5).
# BENCH_WRITE_APIS picks the runs (default "storage insertall").
set -euo pipefail
cd "$(dirname "$0")/.."

pairs=1
if [ "${1:-}" = --pairs ]; then
  pairs="${2:?--pairs needs a number}"
  shift 2
fi
case "$pairs" in '' | *[!0-9]* | 0) echo "--pairs must be a positive number, not '$pairs'" >&2; exit 2 ;; esac

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
reversed="$(printf '%s\n' $apis | tac | tr '\n' ' ')"
for pair in $(seq 1 "$pairs"); do
  order="$apis"
  [ $((pair % 2)) -eq 0 ] && order="$reversed"
  for api in $order; do
    extra=()
    [ "$api" = storage ] && extra=(--bigquery-storage-endpoint "$storage")
    run="$work/$pair-$api"
    curl -fsS "$endpoint/stats" >"$run.before"
    echo "== pair $pair: --bigquery-write-api $api, $(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    cut -d' ' -f1 /proc/loadavg >"$run.load"
    dotnet functions/Ecommerce.Pipeline.Cli/bin/Release/net10.0/pipeline.dll bench --sink bigquery \
      --bigquery-project bench --bigquery-dataset bench --bigquery-endpoint "$endpoint" \
      --bigquery-write-api "$api" "${extra[@]}" --json "$run.json" "$@"
    cut -d' ' -f1 /proc/loadavg >>"$run.load"
    curl -fsS "$endpoint/stats" >"$run.after"
  done
done

# Rows/s, (b)/(a) and p99 from each bench's JSON; bytes per row from the stand-in's counts during that run.
python3 - "$work" "$pairs" $apis <<'PY'
import json, re, statistics, sys
work, pairs, apis = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def counts(path, api):
    line = next(l for l in open(path) if l.startswith(("storage:" if api == "storage" else "insertall:")))
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
def run(pair, api):
    base = f"{work}/{pair}-{api}"
    bench = json.load(open(base + ".json"))
    before, after = counts(base + ".before", api), counts(base + ".after", api)
    rows, sent = after["rows"] - before["rows"], after["bytes"] - before["bytes"]
    calls = after.get("appends", after.get("requests", 0)) - before.get("appends", before.get("requests", 0))
    return {"calls": calls, "raw": bench["raw_consume_per_sec"], "tx": bench["pipeline_per_sec"], "ratio": bench["ratio"],
            "p99": {rate: p["p99"] for rate, p in bench["latency_ms"].items()}, "rows": rows,
            "per_row": sent / rows if rows else float("nan"), "load": open(base + ".load").read().split()}
runs = {(p, a): run(p, a) for p in range(1, pairs + 1) for a in apis}
rates = list(next(iter(runs.values()))["p99"])
print("| pair | write API | load avg start → end | (a) raw consume msg/s | (b) pipeline tx/s | (b)/(a) | " +
      " | ".join(f"p99 at {r}/s (ms)" for r in rates) + " | rows sent | appends or requests | rows per call | bytes/row |")
print("|---|---|---|---:|---:|---:|" + "---:|" * len(rates) + "---:|---:|---:|---:|")
for (p, a), r in runs.items():
    print(f"| {p} | {a} | {' → '.join(r['load'])} | {r['raw']:,.0f} | {r['tx']:,.0f} | {r['ratio']:.3f} | " +
          " | ".join(f"{r['p99'][x]:.0f}" for x in rates) + f" | {r['rows']:,} | {r['calls']:,} | {r['rows'] / max(r['calls'], 1):.0f} | {r['per_row']:.1f} |")
med = statistics.median
print()
print("| medians over " + str(pairs) + " pair(s) | (a) raw consume msg/s | (b) pipeline tx/s | (b)/(a) | " +
      " | ".join(f"p99 at {r}/s (ms)" for r in rates) + " | bytes/row |")
print("|---|---:|---:|---:|" + "---:|" * len(rates) + "---:|")
for a in apis:
    rs = [runs[(p, a)] for p in range(1, pairs + 1)]
    print(f"| {a} | {med(r['raw'] for r in rs):,.0f} | {med(r['tx'] for r in rs):,.0f} | {med(r['ratio'] for r in rs):.3f} | " +
          " | ".join(f"{med(r['p99'][x] for r in rs):.0f}" for x in rates) + f" | {med(r['per_row'] for r in rs):.1f} |")
if "storage" in apis and "insertall" in apis:
    print()
    print("| pair | storage/insertall tx/s | storage/insertall (b)/(a) | " +
          " | ".join(f"storage/insertall p99 at {r}/s" for r in rates) + " | storage/insertall bytes/row |")
    print("|---|---:|---:|" + "---:|" * len(rates) + "---:|")
    ratios = []
    for p in range(1, pairs + 1):
        s, i = runs[(p, "storage")], runs[(p, "insertall")]
        row = [s["tx"] / i["tx"], s["ratio"] / i["ratio"], *[s["p99"][x] / i["p99"][x] for x in rates], s["per_row"] / i["per_row"]]
        ratios.append(row)
        print(f"| {p} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    print("| median | " + " | ".join(f"{med(col):.2f}" for col in zip(*ratios)) + " |")
PY
