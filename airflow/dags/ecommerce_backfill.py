"""
### ecommerce_backfill

Replays a time window of `transactions_stream` from Kafka into the warehouse, after an incident or a sink outage.
Manual only: trigger it with a config (UI: **Trigger DAG w/ config**, or
`airflow dags trigger ecommerce_backfill --conf '{"from": "2026-11-24T10:00:00Z", "to": "2026-11-24T11:00:00Z"}'`).

**Params** (validated by their JSON schema before the run is created):

| param | meaning |
|---|---|
| `from` | start of the window, inclusive: an RFC 3339 instant with `Z` or an offset |
| `to` | end of the window, exclusive; must be after `from` (the CLI refuses the run otherwise) |

**What runs:** one pod with the `pipeline-cli` image in namespace `pipeline`, under the Kubernetes ServiceAccount
`pipeline`, which GKE Workload Identity maps to `ecommerce-pipeline@PROJECT_ID.iam.gserviceaccount.com` (BigQuery
access without keys). The pod runs `pipeline backfill --from FROM --to TO`; the broker list, topic, sink and BigQuery
table come from the ConfigMap `pipeline-settings` and the Kafka credentials from the Secret `pipeline-secrets`
(`env_from`), which the CLI reads as its option defaults. The image is the Airflow Variable `pipeline_cli_image`
(read when the task starts, not when the file is parsed), defaulting to the Artifact Registry path.

**Why it is safe to retry:** the backfill seeks each partition with `OffsetsForTimes(from)`, reads until `to`, and
writes through the same de-duplicating sink as the live processor. It reads under its own group id
`ecommerce-pipeline-backfill` without joining or committing, so the live group's offsets never move. A retry, or a
second run over the same window, adds nothing to DuckDB. On BigQuery, `insertId` de-duplication is best effort
(about a minute), so a replay can leave duplicates there: compaction removes them (compact every day the window
touched, see `docs/operations.md`). `max_active_runs=1`: two replays at once would only double the load on the
brokers and the sink (and the streaming cost on BigQuery).

**Operator choice:** `KubernetesPodOperator` runs the pod through the Airflow deployment's Kubernetes connection
(in-cluster when Airflow runs on the pipeline's GKE cluster). If Airflow runs elsewhere (e.g. Cloud Composer in
another cluster), use `GKEStartPodOperator` from `airflow.providers.google.cloud.operators.kubernetes_engine` with
`project_id`, `location` and `cluster_name` added and the same arguments. Airflow's own identity needs the right to
create pods in namespace `pipeline`.

Works with Airflow 2.7+ and 3.x (`schedule=`, explicit `catchup=False`). See `docs/operations.md`.
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
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}

with DAG(
    dag_id="ecommerce_backfill",
    description="Replay a time window from Kafka into the warehouse (idempotent)",
    doc_md=__doc__,
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=7),
    default_args=DEFAULT_ARGS,
    params={
        "from": Param(
            type="string",
            format="date-time",
            title="From (inclusive)",
            description="Start of the window: an RFC 3339 instant, e.g. 2026-11-24T10:00:00Z",
        ),
        "to": Param(
            type="string",
            format="date-time",
            title="To (exclusive)",
            description="End of the window, after 'from': an RFC 3339 instant, e.g. 2026-11-24T11:00:00Z",
        ),
    },
    tags=["ecommerce", "pipeline", "backfill"],
) as dag:
    KubernetesPodOperator(
        task_id="backfill",
        name="pipeline-backfill",
        namespace="pipeline",
        service_account_name="pipeline",
        image=CLI_IMAGE,
        # The image's entrypoint is `pipeline`, so these are the verb and its options.
        arguments=["backfill", "--from", "{{ params.from }}", "--to", "{{ params.to }}"],
        env_from=[
            k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name="pipeline-settings")),
            k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name="pipeline-secrets")),
        ],
        # One replica's worth: the processor is sized at 1 vCPU for 10,000 transactions/s.
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "1", "memory": "1Gi"},
            limits={"cpu": "2", "memory": "2Gi"},
        ),
        labels={"app.kubernetes.io/name": "pipeline-backfill", "app.kubernetes.io/part-of": "ecommerce-pipeline"},
        # As the processor Deployment: the image's non-root user (1654), default seccomp profile.
        security_context=k8s.V1PodSecurityContext(
            run_as_non_root=True,
            run_as_user=1654,
            run_as_group=1654,
            seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
        ),
        get_logs=True,
        on_finish_action="delete_pod",
        startup_timeout_seconds=600,
        # Longer than the CLI's 60 s graceful stop (it stores the batch in hand before exiting).
        termination_grace_period=90,
        execution_timeout=timedelta(hours=6),
    )
