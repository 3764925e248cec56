-- A day's partition expires 7 days after that UTC day ends, so today and the 7 days before it
-- are kept: BigQuery counts from the partition boundary, and a DAY partition with a 6-hour expiration
-- expires at 06:00 UTC the following day (cloud.google.com/bigquery/docs/managing-partitioned-tables).
CREATE TABLE IF NOT EXISTS `${PROJECT_ID}.${DATASET_ID}.dead_letters`
(
  reason STRING NOT NULL OPTIONS(description="Reason code (docs/contract.md, Reason codes)."),
  detail STRING OPTIONS(description="What exactly was wrong."),
  transaction_id STRING OPTIONS(description="When it could be read."),
  payload STRING NOT NULL OPTIONS(description="The value as text, or base64; cut to 16 KiB."),
  payload_encoding STRING NOT NULL OPTIONS(description="utf8 or base64."),
  kafka_topic STRING NOT NULL OPTIONS(description="Source topic."),
  kafka_partition INT64 NOT NULL OPTIONS(description="Source partition."),
  kafka_offset INT64 NOT NULL OPTIONS(description="Source offset."),
  failed_at TIMESTAMP NOT NULL OPTIONS(description="When it was rejected, UTC.")
)
PARTITION BY DATE(failed_at)
CLUSTER BY reason, kafka_topic
OPTIONS(partition_expiration_days=7, require_partition_filter=TRUE);
