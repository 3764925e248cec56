"""Every command line the DAGs would run is accepted by the real `pipeline` binary (with `--dry-run`).

The command lines come from the DAG files (AST), their templates rendered for a sample run. They run with the
environment a pod gets from the ConfigMap `pipeline-settings`, pointed at local things: the embedded broker
(`pipeline broker`) and a DuckDB file. The binary is built by the .NET build that runs before these tests; a missing
binary fails the tests, it never skips them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import tempfile
import threading
import unittest
from pathlib import Path

try:  # discovered as a package (`-t .`)
    from .dagfiles import REPO, DagFile, command_lines, manual_run_context, scheduled_run_context
    from .manifests import base_manifests, find
except ImportError:  # discovered from airflow/tests itself
    from manifests import base_manifests, find  # type: ignore[no-redef]
    from dagfiles import REPO, DagFile, command_lines, manual_run_context, scheduled_run_context  # type: ignore[no-redef]

BINARY = REPO / "functions" / "Ecommerce.Pipeline.Cli" / "bin" / "Release" / "net10.0" / "pipeline"

# Generous: a 2-core machine shared with builds and other test runs.
START_TIMEOUT_S = 180
COMMAND_TIMEOUT_S = 300

# The contract's settings (docs/contract.md, "Settings"): removed from the inherited environment so only the pod's values count.
CONTRACT_SETTINGS = (
    "KafkaBrokerList", "TransactionsTopic", "DeadLetterTopic", "ConsumerGroup", "Sink", "DuckDbPath",
    "BigQuery__ProjectId", "BigQuery__DatasetId", "BigQuery__TableId", "BigQuery__Endpoint",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class DagCommandLinesRunOnTheRealCli(unittest.TestCase):
    broker: subprocess.Popen[str] | None = None

    @classmethod
    def setUpClass(cls) -> None:
        if not BINARY.is_file() or not os.access(BINARY, os.X_OK):
            raise AssertionError(
                f"the pipeline binary is missing: {BINARY}. Build it first: "
                "dotnet build functions/Ecommerce.Pipeline.Cli -c Release"
            )
        # Class cleanups run even when setUpClass fails half-way.
        cls.scratch = tempfile.TemporaryDirectory(prefix="airflow-dag-tests-")
        cls.addClassCleanup(cls.scratch.cleanup)
        cls.broker_log = open(Path(cls.scratch.name) / "broker.log", "w+", encoding="utf-8")  # noqa: SIM115
        cls.addClassCleanup(cls.broker_log.close)
        cls.broker = subprocess.Popen(
            [str(BINARY), "broker"], stdout=subprocess.PIPE, stderr=cls.broker_log, text=True,
            env=cls._base_env(),
        )
        cls.addClassCleanup(cls._stop_broker)
        cls.bootstrap = cls._read_bootstrap_servers()

    @classmethod
    def _stop_broker(cls) -> None:
        broker = cls.broker
        if broker is None:
            return
        if broker.poll() is None:
            broker.send_signal(signal.SIGTERM)
            try:
                broker.wait(timeout=90)
            except subprocess.TimeoutExpired:
                broker.kill()
                broker.wait()
        if broker.stdout is not None:
            broker.stdout.close()

    @classmethod
    def _read_bootstrap_servers(cls) -> str:
        # The broker's first stdout line is `bootstrap.servers=HOST:PORT,...`; read it off-thread to bound the wait.
        assert cls.broker is not None and cls.broker.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(cls.broker.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT_S)
        line = lines[0].strip() if lines else ""
        if not line.startswith("bootstrap.servers="):
            cls.broker_log.seek(0)
            raise AssertionError(f"`pipeline broker` did not print its address: {line!r}; log: {cls.broker_log.read()}")
        return line.split("=", 1)[1]

    @staticmethod
    def _base_env() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k not in CONTRACT_SETTINGS}

    def pod_env(self, warehouse: Path) -> dict[str, str]:
        """What `env_from` gives the pod: the ConfigMap `pipeline-settings` of infra/k8s, made local.

        The broker becomes the embedded one and the sink DuckDB (GKE's BigQuery needs credentials); every other key
        keeps the manifest's value, so a setting the CLI cannot take makes these tests fail.
        """
        env = self._base_env()
        env.update(find(base_manifests(), "ConfigMap", "pipeline-settings").data)
        env.update({"KafkaBrokerList": self.bootstrap, "Sink": "duckdb", "DuckDbPath": str(warehouse)})
        return env

    def run_cli(self, arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BINARY), *arguments], env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False
        )

    def assert_accepted(self, arguments: list[str], env: dict[str, str]) -> str:
        """Runs the command line with `--dry-run` appended; it must exit 0. Returns stdout."""
        result = self.run_cli([*arguments, "--dry-run"], env)
        self.assertEqual(
            0, result.returncode,
            f"`pipeline {' '.join(arguments)} --dry-run` exited {result.returncode}\n"
            f"stdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}",
        )
        return result.stdout

    def test_the_backfill_command_line_is_accepted(self) -> None:
        env = self.pod_env(Path(self.scratch.name) / "backfill.duckdb")
        # Messages to count: the dry run seeks by timestamp and counts the window per partition.
        produced = self.run_cli(["produce", "--bootstrap-servers", self.bootstrap, "--count", "200"], env)
        self.assertEqual(0, produced.returncode, produced.stderr)
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        cet = dt.timezone(dt.timedelta(hours=1))
        # Both spellings a trigger may send: `Z`, and an offset as a date-time picker writes it (here +01:00).
        windows = {
            "Z": ((now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  (now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")),
            "offset": ((now - dt.timedelta(days=1)).astimezone(cet).isoformat(),
                       (now + dt.timedelta(minutes=10)).astimezone(cet).isoformat()),
        }
        dag_file = DagFile("ecommerce_backfill.py")
        for spelling, (start, end) in windows.items():
            with self.subTest(window=spelling):
                self.assertLess(_utc(start), _utc(end))
                lines = command_lines(dag_file, manual_run_context(now, {"from": start, "to": end}))
                self.assertEqual({"backfill"}, set(lines))
                out = self.assert_accepted(lines["backfill"], env)
                # The CLI read the window the DAG meant, and it holds the 200 messages produced just before.
                plan = re.search(r"^backfill plan: .*from=(\S+) to=(\S+)", out, re.M)
                self.assertIsNotNone(plan, out)
                self.assertEqual((_utc(start), _utc(end)), (_utc(plan.group(1)), _utc(plan.group(2))))  # type: ignore[union-attr]
                summary = re.search(r"^backfill \(dry run\): .*\bin_window=(\d+)", out, re.M)
                self.assertIsNotNone(summary, out)
                self.assertEqual(200, int(summary.group(1)), out)  # type: ignore[union-attr]

    def test_the_compaction_command_lines_are_accepted(self) -> None:
        env = self.pod_env(Path(self.scratch.name) / "compaction.duckdb")
        # A warehouse with today's transactions, stored by the processor with the same settings.
        day_before = dt.datetime.now(dt.timezone.utc).date()
        for step in (["produce", "--count", "100"], ["process", "--until-idle", "3s", "--metrics-port", "0"]):
            done = self.run_cli(step, env)
            self.assertEqual(0, done.returncode, f"pipeline {' '.join(step)}: {done.stderr[-2000:]}")
        today = dt.datetime.now(dt.timezone.utc).replace(hour=2, minute=0, second=0, microsecond=0)
        same_day = today.date() == day_before  # false only if this ran across midnight UTC
        # Tomorrow's 02:00 run compacts today, the day that has rows.
        run_at = today + dt.timedelta(days=1)
        dag_file = DagFile("ecommerce_compaction.py")
        runs = {
            "airflow 2, scheduled": scheduled_run_context(run_at, 2),
            "airflow 3, scheduled": scheduled_run_context(run_at, 3),
            # A manual run naming the day (Airflow 3 without a logical date: no data interval at all).
            "manual, date param": manual_run_context(None, {"date": today.date().isoformat()}),
        }
        for run, ctx in runs.items():
            lines = command_lines(dag_file, ctx)
            self.assertEqual(["compact", "retention_check"], list(lines))
            for task_id in ("compact", "retention_check"):  # the DAG's order
                with self.subTest(run=run, task=task_id):
                    out = self.assert_accepted(lines[task_id], env)
                    if task_id == "compact" and same_day:
                        # The date the DAG renders is the day with the rows: at least the 100 just stored.
                        rows = re.search(r"\brows_before=(\d+)", out)
                        self.assertIsNotNone(rows, out)
                        self.assertGreaterEqual(int(rows.group(1)), 100, out)  # type: ignore[union-attr]

    def test_a_garbled_command_line_is_rejected(self) -> None:
        # The check above can fail: the same CLI refuses command lines the DAGs could drift into.
        env = self.pod_env(Path(self.scratch.name) / "garbled.duckdb")
        garbled = [
            ["backfill", "--form", "2026-11-24T10:00:00Z", "--to", "2026-11-24T11:00:00Z"],  # misspelt option
            ["backfill", "--from", "yesterday", "--to", "2026-11-24T11:00:00Z"],  # not an instant
            ["compact", "--date", "{{ ds }}"],  # a template nobody rendered
            ["retention", "--days", "seven"],
        ]
        for arguments in garbled:
            with self.subTest(arguments=arguments):
                result = self.run_cli([*arguments, "--dry-run"], env)
                self.assertEqual(2, result.returncode, f"usage error expected; stderr: {result.stderr[-2000:]}")
                self.assertTrue(result.stderr.startswith("pipeline: "), result.stderr[-2000:])


if __name__ == "__main__":
    unittest.main()
