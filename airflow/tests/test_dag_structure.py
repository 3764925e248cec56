"""The DAG files compile and carry the settings issue 8 asks for, read from their AST (Airflow is not installed)."""

from __future__ import annotations

import ast
import datetime as dt
import py_compile
import re
import tempfile
import unittest
from pathlib import Path

try:  # discovered as a package (`-t .`)
    from .dagfiles import DAGS, REPO, CallValue, DagFile, Unresolved, command_lines, manual_run_context, render, scheduled_run_context
    from .manifests import base_manifests, find, kustomization_namespace
except ImportError:  # discovered from airflow/tests itself
    from manifests import base_manifests, find, kustomization_namespace  # type: ignore[no-redef]
    from dagfiles import DAGS, REPO, CallValue, DagFile, Unresolved, command_lines, manual_run_context, render, scheduled_run_context  # type: ignore[no-redef]

BACKFILL = "ecommerce_backfill.py"
COMPACTION = "ecommerce_compaction.py"
DAG_FILES = (BACKFILL, COMPACTION)

# Deployment names fixed for the whole project (see docs/operations.md and infra/k8s).
NAMESPACE = "pipeline"
SERVICE_ACCOUNT = "pipeline"
CONFIG_MAP = "pipeline-settings"
SECRET = "pipeline-secrets"
IMAGE = re.compile(r"^[a-z0-9-]+-docker\.pkg\.dev/[^/]+/ecommerce/pipeline-cli:[\w][\w.-]*$|^REGION-docker\.pkg\.dev/PROJECT_ID/ecommerce/pipeline-cli:[\w][\w.-]*$")
OPERATOR_MODULE = "airflow.providers.cncf.kubernetes.operators.pod"

# RFC 3339 date-time, what JSON Schema's "date-time" format accepts.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


class DagFilesCompile(unittest.TestCase):
    def test_the_two_dag_files_exist_and_compile(self) -> None:
        present = sorted(p.name for p in DAGS.glob("*.py"))
        self.assertEqual(sorted(DAG_FILES), present, "airflow/dags holds exactly the two DAG files")
        with tempfile.TemporaryDirectory() as scratch:
            for name in DAG_FILES:
                with self.subTest(dag=name):
                    py_compile.compile(str(DAGS / name), cfile=str(Path(scratch) / (name + "c")), doraise=True)


class CommonDagSettings(unittest.TestCase):
    """Settings both DAGs need to behave the same on Airflow 2.7+ and 3.x."""

    def test_schedule_is_given_with_schedule_never_schedule_interval(self) -> None:
        for name in DAG_FILES:
            with self.subTest(dag=name):
                dag_file = DagFile(name)
                self.assertIn("schedule", dag_file.dag().kwargs)
                self.assertNotIn("schedule_interval", dag_file.identifiers())
                self.assertNotIn("schedule_interval", dag_file.source, "not even in a comment or the docs")

    def test_catchup_is_explicitly_false(self) -> None:
        for name in DAG_FILES:
            with self.subTest(dag=name):
                dag = DagFile(name).dag()
                self.assertIn("catchup", dag.kwargs, "Airflow 2 and 3 have different catchup defaults")
                self.assertIs(dag["catchup"], False)

    def test_start_date_is_a_fixed_utc_instant(self) -> None:
        for name in DAG_FILES:
            with self.subTest(dag=name):
                start = DagFile(name).dag()["start_date"]
                self.assertIsInstance(start, dt.datetime, f"a literal, timezone-aware start_date, got {start!r}")
                self.assertEqual(dt.timedelta(0), start.utcoffset())

    def test_doc_md_and_tags(self) -> None:
        for name in DAG_FILES:
            with self.subTest(dag=name):
                dag_file = DagFile(name)
                dag = dag_file.dag()
                doc = dag["doc_md"]
                self.assertIsInstance(doc, str)
                self.assertGreater(len(doc), 400, "doc_md explains the DAG")
                self.assertIn(dag["dag_id"], doc)
                self.assertTrue(dag["tags"] and all(isinstance(t, str) for t in dag["tags"]))
                self.assertEqual(Path(name).stem, dag["dag_id"], "the dag_id is the file name")

    def test_every_task_has_retries_a_retry_delay_and_an_execution_timeout(self) -> None:
        for name in DAG_FILES:
            dag_file = DagFile(name)
            default_args = dag_file.dag()["default_args"]
            self.assertIsInstance(default_args, dict)
            for operator in dag_file.operators():
                with self.subTest(dag=name, task=operator["task_id"]):
                    effective = dag_file.task_arguments(operator, default_args)
                    self.assertIsInstance(effective.get("retries"), int)
                    self.assertGreaterEqual(effective["retries"], 1)
                    self.assertIsInstance(effective.get("retry_delay"), dt.timedelta)
                    self.assertGreaterEqual(effective["retry_delay"], dt.timedelta(minutes=1))
                    timeout = operator.get("execution_timeout")
                    self.assertIsInstance(timeout, dt.timedelta, "each task sets its own execution_timeout")
                    self.assertGreater(timeout, dt.timedelta(0))

    def test_dag_and_param_imports_work_on_airflow_2_and_3(self) -> None:
        # Airflow 3 moved DAG and Param to airflow.sdk; the import must try it and fall back to the Airflow 2 paths.
        for name in DAG_FILES:
            with self.subTest(dag=name):
                dag_file = DagFile(name)
                handlers = [node for node in ast.walk(dag_file.tree) if isinstance(node, ast.Try)]
                sdk_try = [
                    t for t in handlers
                    if any(isinstance(s, ast.ImportFrom) and s.module == "airflow.sdk" for s in t.body)
                ]
                self.assertEqual(1, len(sdk_try), "one try: from airflow.sdk import ...")
                (block,) = sdk_try
                self.assertTrue(
                    any(dotted_type(h) == "ImportError" for h in block.handlers), "falls back on ImportError"
                )
                sdk_names = {a.name for s in block.body if isinstance(s, ast.ImportFrom) for a in s.names}
                fallback = {
                    (s.module, a.name)
                    for h in block.handlers for s in h.body if isinstance(s, ast.ImportFrom) for a in s.names
                }
                self.assertIn("DAG", sdk_names)
                self.assertIn(("airflow", "DAG"), fallback)
                if "Param" in sdk_names:
                    self.assertIn(("airflow.models.param", "Param"), fallback)

    def test_pods_use_the_kubernetes_pod_operator_with_the_deployment_names(self) -> None:
        for name in DAG_FILES:
            dag_file = DagFile(name)
            self.assertIn((OPERATOR_MODULE, "KubernetesPodOperator"), dag_file.imports())
            operators = dag_file.operators()
            self.assertTrue(operators)
            for operator in operators:
                with self.subTest(dag=name, task=operator["task_id"]):
                    self.assertEqual(NAMESPACE, operator["namespace"])
                    self.assertEqual(SERVICE_ACCOUNT, operator["service_account_name"], "Workload Identity KSA")
                    self.assertIs(True, operator["get_logs"])
                    self.assertEqual("delete_pod", operator["on_finish_action"])
                    self.assertNotIn("is_delete_operator_pod", operator.kwargs, "deprecated since provider 7.2")
                    self.assertEqual({CONFIG_MAP}, env_from_names(operator, "config_map_ref"))
                    self.assertEqual({SECRET}, env_from_names(operator, "secret_ref"))
                    resources = operator["container_resources"]
                    self.assertIsInstance(resources, CallValue)
                    self.assertEqual("V1ResourceRequirements", resources.func.rsplit(".", 1)[-1])
                    for kind in ("requests", "limits"):
                        self.assertEqual({"cpu", "memory"}, set(resources[kind]), kind)
                    self.assertNotIn("cmds", operator.kwargs, "the image's entrypoint is `pipeline`")
                    security = operator["security_context"]
                    self.assertIsInstance(security, CallValue)
                    self.assertIs(True, security["run_as_non_root"], "the CLI image runs as user 1654")
                    grace = operator.get("termination_grace_period")
                    self.assertIsInstance(grace, int)
                    self.assertGreater(grace, 60, "longer than the CLI's 60 s graceful stop")

    def test_the_image_comes_from_a_variable_with_the_artifact_registry_default(self) -> None:
        for name in DAG_FILES:
            dag_file = DagFile(name)
            for operator in dag_file.operators():
                with self.subTest(dag=name, task=operator["task_id"]):
                    template = operator["image"]
                    self.assertIsInstance(template, str)
                    self.assertIn("var.value.get('pipeline_cli_image'", template)
                    ctx = manual_run_context(dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc), {})
                    self.assertRegex(render(template, ctx), IMAGE)
                    ctx["var"].value._variables["pipeline_cli_image"] = "europe-west1-docker.pkg.dev/p/ecommerce/pipeline-cli:1.2.3"
                    self.assertEqual("europe-west1-docker.pkg.dev/p/ecommerce/pipeline-cli:1.2.3", render(template, ctx))


class BackfillDag(unittest.TestCase):
    def setUp(self) -> None:
        self.file = DagFile(BACKFILL)
        self.dag = self.file.dag()

    def test_manual_only_and_one_run_at_a_time(self) -> None:
        self.assertIsNone(self.dag["schedule"])
        self.assertEqual(1, self.dag["max_active_runs"])

    def test_from_and_to_are_required_date_time_params(self) -> None:
        self.assertIn(("airflow.sdk", "Param"), self.file.imports())
        params = self.dag["params"]
        self.assertEqual({"from", "to"}, set(params))
        for key in ("from", "to"):
            with self.subTest(param=key):
                param = params[key]
                self.assertIsInstance(param, CallValue)
                self.assertEqual("Param", param.func)
                self.assertEqual((), param.args, "no default: the trigger must give a value")
                self.assertNotIn("default", param.kwargs)
                self.assertEqual("string", param["type"], "a plain string, so `null` is rejected")
                self.assertEqual("date-time", param["format"])
                self.assertIsInstance(param.get("description"), str)

    def test_one_pod_runs_the_backfill_verb_with_the_params(self) -> None:
        (operator,) = self.file.operators()
        self.assertEqual(
            ["backfill", "--from", "{{ params.from }}", "--to", "{{ params.to }}"], operator["arguments"]
        )
        ctx = manual_run_context(
            dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.timezone.utc),
            {"from": "2026-11-24T10:00:00Z", "to": "2026-11-24T11:00:00+00:00"},
        )
        self.assertEqual(
            {"backfill": ["backfill", "--from", "2026-11-24T10:00:00Z", "--to", "2026-11-24T11:00:00+00:00"]},
            command_lines(self.file, ctx),
        )

    def test_the_pod_gets_room_and_time(self) -> None:
        (operator,) = self.file.operators()
        self.assertGreaterEqual(operator["execution_timeout"], dt.timedelta(hours=1))
        self.assertGreater(self.dag["dagrun_timeout"], operator["execution_timeout"])


class CompactionDag(unittest.TestCase):
    def setUp(self) -> None:
        self.file = DagFile(COMPACTION)
        self.dag = self.file.dag()

    def test_daily_at_two_utc(self) -> None:
        self.assertEqual("0 2 * * *", self.dag["schedule"])
        self.assertEqual(1, self.dag.get("max_active_runs"))

    def test_compact_yesterday_then_check_retention(self) -> None:
        tasks = {op["task_id"]: op for op in self.file.operators()}
        self.assertEqual({"compact", "retention_check"}, set(tasks))
        self.assertEqual(["retention", "--days", "7"], tasks["retention_check"]["arguments"])
        # compact >> retention_check, and nothing else.
        shifts = [
            (ast.unparse(n.left), ast.unparse(n.right))
            for n in ast.walk(self.file.tree)
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.RShift)
        ]
        self.assertEqual([("compact", "retention")], shifts)
        task_of_variable = {
            target.id: {k.arg: k.value for k in statement.value.keywords}["task_id"]
            for block in self.file.tree.body if isinstance(block, ast.With)
            for statement in block.body
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)
            for target in statement.targets if isinstance(target, ast.Name)
        }
        self.assertEqual(
            {"compact": "compact", "retention": "retention_check"},
            {name: ast.literal_eval(node) for name, node in task_of_variable.items()},
        )

    def test_yesterday_is_the_same_day_on_airflow_2_and_3(self) -> None:
        # The run that fires at 02:00 UTC on 25 November compacts 24 November on either version.
        run_at = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.timezone.utc)
        for major in (2, 3):
            with self.subTest(airflow=major):
                lines = command_lines(self.file, scheduled_run_context(run_at, major))
                self.assertEqual(["compact", "--date", "2026-11-24"], lines["compact"])
                self.assertEqual(["retention", "--days", "7"], lines["retention_check"])
        # Across a month and a year boundary.
        lines = command_lines(self.file, scheduled_run_context(dt.datetime(2027, 1, 1, 2, tzinfo=dt.timezone.utc), 3))
        self.assertEqual(["compact", "--date", "2026-12-31"], lines["compact"])

    def test_the_logical_date_alone_would_be_wrong_on_airflow_3(self) -> None:
        # Guards the reasoning above: `{{ ds }}` is yesterday on Airflow 2 but today on Airflow 3.
        run_at = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.timezone.utc)
        self.assertEqual("2026-11-24", render("{{ ds }}", scheduled_run_context(run_at, 2)))
        self.assertEqual("2026-11-25", render("{{ ds }}", scheduled_run_context(run_at, 3)))

    def test_an_optional_date_param_overrides_yesterday(self) -> None:
        param = self.dag["params"]["date"]
        self.assertIsInstance(param, CallValue)
        self.assertEqual((None,), param.args, "default None: scheduled runs compact yesterday")
        self.assertEqual(["null", "string"], param["type"])
        self.assertEqual("date", param["format"])
        run_at = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.timezone.utc)
        for major in (2, 3):
            with self.subTest(airflow=major):
                ctx = scheduled_run_context(run_at, major, params={"date": "2026-11-20"})
                self.assertEqual(["compact", "--date", "2026-11-20"], command_lines(self.file, ctx)["compact"])
        # Airflow 3, manual run without a logical date: no data interval, so only the param can name the day.
        no_interval = manual_run_context(None, {"date": "2026-11-20"})
        self.assertEqual(["compact", "--date", "2026-11-20"], command_lines(self.file, no_interval)["compact"])
        with self.assertRaises(ValueError):
            command_lines(self.file, manual_run_context(None, {}))

    def test_retention_check_runs_after_compaction_even_when_it_fails(self) -> None:
        tasks = {op["task_id"]: op for op in self.file.operators()}
        self.assertEqual("all_done", tasks["retention_check"]["trigger_rule"])
        self.assertNotIn("trigger_rule", tasks["compact"].kwargs)

    def test_retries_outlast_the_streaming_buffer(self) -> None:
        # compact refuses while rows may be in the streaming buffer (up to ~90 minutes): retries must span that.
        default_args = self.dag["default_args"]
        (compact,) = [op for op in self.file.operators() if op["task_id"] == "compact"]
        effective = self.file.task_arguments(compact, default_args)
        self.assertGreaterEqual(effective["retries"] * effective["retry_delay"], dt.timedelta(minutes=90))


class DeploymentManifestsAgree(unittest.TestCase):
    """The names the DAG pods use exist in infra/k8s, and the processor Deployment uses the same ones."""

    def setUp(self) -> None:
        self.manifests = base_manifests()

    def test_namespace_service_account_config_map_and_secret_exist(self) -> None:
        self.assertEqual(NAMESPACE, kustomization_namespace())
        find(self.manifests, "Namespace", NAMESPACE)
        account = find(self.manifests, "ServiceAccount", SERVICE_ACCOUNT)
        self.assertEqual(
            "ecommerce-pipeline@PROJECT_ID.iam.gserviceaccount.com",
            account.annotations.get("iam.gke.io/gcp-service-account"),
            "the KSA is bound to the pipeline's Google service account (Workload Identity)",
        )
        settings = find(self.manifests, "ConfigMap", CONFIG_MAP)
        for key in ("KafkaBrokerList", "TransactionsTopic", "Sink", "BigQuery__ProjectId", "BigQuery__DatasetId", "BigQuery__TableId"):
            self.assertIn(key, settings.data, "the settings the CLI falls back on")
        find(self.manifests, "Secret", SECRET)

    def test_the_dag_pods_get_what_the_processor_gets(self) -> None:
        deployment = find(self.manifests, "Deployment", "pipeline-processor")
        self.assertEqual({SERVICE_ACCOUNT}, deployment.service_account_names())
        self.assertEqual({CONFIG_MAP}, deployment.env_from("configMapRef"))
        self.assertEqual({SECRET}, deployment.env_from("secretRef"))


class Rfc3339Samples(unittest.TestCase):
    def test_sample_instants_are_what_the_param_schema_accepts(self) -> None:
        for good in ("2026-11-24T10:00:00Z", "2026-11-24T10:00:00+00:00", "2026-11-24T10:00:00.5-05:00"):
            self.assertRegex(good, RFC3339)
        for bad in ("2026-11-24", "2026-11-24 10:00:00", "2026-11-24T10:00:00", "yesterday"):
            self.assertNotRegex(bad, RFC3339)


def dotted_type(handler: ast.ExceptHandler) -> str:
    return ast.unparse(handler.type) if handler.type is not None else ""


def env_from_names(operator: CallValue, ref: str) -> set[str]:
    names: set[str] = set()
    sources = operator["env_from"]
    if not isinstance(sources, list):
        raise AssertionError(f"env_from must be a literal list, got {sources!r}")
    for source in sources:
        if not isinstance(source, CallValue) or not source.func.endswith("V1EnvFromSource"):
            raise AssertionError(f"env_from entries are V1EnvFromSource(...), got {source!r}")
        target = source.get(ref)
        if isinstance(target, CallValue):
            names.add(target["name"])
        elif target is not None and not isinstance(target, Unresolved):
            raise AssertionError(f"{ref} is a model object, got {target!r}")
    return names


if __name__ == "__main__":
    unittest.main()
