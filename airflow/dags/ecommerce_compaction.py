"""
### ecommerce_compaction

Daily at 02:00 UTC: compacts **yesterday's** partition of the warehouse, then checks the retention window.

1. `compact` runs `pipeline compact --date YESTERDAY`. On BigQuery that is one MERGE query job over that day's
   partition, keeping one row per `transaction_id` (the first by Kafka partition and offset); it removes the
   duplicates that best-effort `insertId` de-duplication and backfills can leave. On DuckDB it verifies one row per
   `transaction_id` and rewrites the day in sorted order. The command refuses (exit 1, with a message) while rows of
   that partition may still be in BigQuery's streaming buffer (DML cannot touch rows streamed in the last ~30–90
   minutes); two hours after midnight that is rare, and the task's retries (30 minutes apart) wait it out.
2. `retention_check` runs `pipeline retention --days 7`: on BigQuery it verifies that both tables expire
   each day's partition 7 days after that UTC day ends (today and the 7 days before are kept) and fails the task
   when they do not (fix it with `pipeline retention --days 7 --apply`); on DuckDB it deletes the days older than
   the window. It runs after `compact` even when compaction failed (`trigger_rule="all_done"`): retention does not
   depend on it, and the run still ends failed.

**Which day is "yesterday".** The date is `macros.ds_add(data_interval_end | ds, -1)`, the day before the run's
data-interval end, which is the same on Airflow 2 and 3. On Airflow 2 a cron schedule uses
`CronDataIntervalTimetable`: the run at 02:00 on day D covers [D-1 02:00, D 02:00), so its logical date (`ds`) is
D-1 and `data_interval_end` is D 02:00. Airflow 3 defaults to `CronTriggerTimetable`
(`[scheduler] create_cron_data_intervals = False`): logical date, `data_interval_start` and `data_interval_end` are
all D 02:00, so `ds` would be D, today, a partition still being written. Both versions give D 02:00 for
`data_interval_end`, hence D-1. The `ds` filter and `macros.ds_add` exist in both versions.

**Another day:** trigger the DAG with `{"date": "2026-11-22"}` (param `date`, `format: date`); it takes precedence
over the computed day. Use it rather than a chosen logical date: the data interval of a manual run depends on the
Airflow version and the trigger path (on Airflow 3 a run without a logical date has none, and the task then fails
rendering its arguments unless `date` is given).

**What runs:** pods with the `pipeline-cli` image in namespace `pipeline`, ServiceAccount `pipeline` (GKE Workload
Identity → `ecommerce-pipeline@PROJECT_ID.iam.gserviceaccount.com`, which needs `roles/bigquery.jobUser` on the
project and `roles/bigquery.dataEditor` on the dataset), settings from the ConfigMap `pipeline-settings` and the
Secret `pipeline-secrets`. Image: Airflow Variable `pipeline_cli_image`, read when the task starts.
`KubernetesPodOperator` needs the cncf.kubernetes provider 7.2+ (`on_finish_action`); with Airflow outside the
cluster, `GKEStartPodOperator` takes the same arguments plus the cluster's `project_id`, `location` and
`cluster_name`.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

try:  # Airflow 3: DAG authoring lives in the Task SDK.
    from airflow.sdk import DAG, Param
except ImportError:  # Airflow 2.7+
    from airflow import DAG
    from airflow.models.param import Param

# Rendered when the task starts, so parsing the file never touches the metadata database.
CLI_IMAGE = (
    "{{ var.value.get('pipeline_cli_image', "
    "'REGION-docker.pkg.dev/PROJECT_ID/ecommerce/pipeline-cli:0.1.0') }}"
)

DEFAULT_ARGS = {
    "owner": "data-platform",
    # A refusal because of the streaming buffer clears within ~90 minutes: retry 30 minutes apart.
    "retries": 3,
    "retry_delay": timedelta(minutes=30),
}

ENV_FROM = [
    k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name="pipeline-settings")),
    k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name="pipeline-secrets")),
]

# The CLI only submits a query job and waits for it: BigQuery does the work.
SMALL_POD = k8s.V1ResourceRequirements(
    requests={"cpu": "100m", "memory": "256Mi"},
    limits={"cpu": "500m", "memory": "512Mi"},
)

# As the processor Deployment: the image's non-root user (1654), default seccomp profile.
NON_ROOT = k8s.V1PodSecurityContext(
    run_as_non_root=True,
    run_as_user=1654,
    run_as_group=1654,
    seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
)

with DAG(
    dag_id="ecommerce_compaction",
    description="Compact yesterday's partition, then check the 7-day retention",
    doc_md=__doc__,
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=4),
    default_args=DEFAULT_ARGS,
    params={
        # Scheduled runs leave it empty (yesterday); a manual run may name the day, e.g. after a backfill.
        "date": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Day to compact (UTC)",
            description="YYYY-MM-DD; empty: the day before the run's data interval end (yesterday)",
        ),
    },
    tags=["ecommerce", "pipeline", "maintenance"],
) as dag:
    compact = KubernetesPodOperator(
        task_id="compact",
        name="pipeline-compact",
        namespace="pipeline",
        service_account_name="pipeline",
        image=CLI_IMAGE,
        # The image's entrypoint is `pipeline`, so these are the verb and its options.
        arguments=["compact", "--date", "{{ params.date or macros.ds_add(data_interval_end | ds, -1) }}"],
        env_from=ENV_FROM,
        container_resources=SMALL_POD,
        labels={"app.kubernetes.io/name": "pipeline-compact", "app.kubernetes.io/part-of": "ecommerce-pipeline"},
        security_context=NON_ROOT,
        get_logs=True,
        on_finish_action="delete_pod",
        startup_timeout_seconds=600,
        termination_grace_period=90,
        execution_timeout=timedelta(hours=1),
    )

    retention = KubernetesPodOperator(
        task_id="retention_check",
        name="pipeline-retention",
        namespace="pipeline",
        service_account_name="pipeline",
        image=CLI_IMAGE,
        arguments=["retention", "--days", "7"],
        env_from=ENV_FROM,
        container_resources=SMALL_POD,
        labels={"app.kubernetes.io/name": "pipeline-retention", "app.kubernetes.io/part-of": "ecommerce-pipeline"},
        security_context=NON_ROOT,
        get_logs=True,
        on_finish_action="delete_pod",
        startup_timeout_seconds=600,
        termination_grace_period=90,
        execution_timeout=timedelta(minutes=15),
        retries=1,
        retry_delay=timedelta(minutes=5),
        trigger_rule="all_done",
    )

    compact >> retention
