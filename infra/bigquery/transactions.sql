-- A day's partition expires 7 days after that UTC day ends, so today and the 7 days before it
-- are kept: BigQuery counts from the partition boundary, and a DAY partition with a 6-hour expiration
-- expires at 06:00 UTC the following day (cloud.google.com/bigquery/docs/managing-partitioned-tables).
CREATE TABLE IF NOT EXISTS `${PROJECT_ID}.${DATASET_ID}.transactions`
(
  transaction_id STRING NOT NULL OPTIONS(description="Trimmed transaction id; unique."),
  user_id STRING NOT NULL OPTIONS(description="Trimmed user id."),
  product_id STRING NOT NULL OPTIONS(description="Trimmed product id."),
  price NUMERIC(18, 2) NOT NULL OPTIONS(description="Price, 2 places, rounded half away from zero."),
  currency STRING NOT NULL OPTIONS(description="ISO 4217 code, upper case."),
  event_timestamp TIMESTAMP NOT NULL OPTIONS(description="Event time, UTC, microseconds."),
  event_date DATE NOT NULL OPTIONS(description="UTC date of event_timestamp."),
  payment_method STRING NOT NULL OPTIONS(description="Canonical payment method."),
  payment_method_raw STRING OPTIONS(description="Payment method as sent."),
  country_code STRING OPTIONS(description="ISO 3166-1 alpha-2."),
  continent STRING OPTIONS(description="AF AN AS EU NA OC SA."),
  city STRING OPTIONS(description="City as written."),
  latitude FLOAT64 OPTIONS(description="Decimal degrees."),
  longitude FLOAT64 OPTIONS(description="Decimal degrees."),
  geolocation_raw STRING OPTIONS(description="Geolocation as sent."),
  kafka_partition INT64 NOT NULL OPTIONS(description="Source partition."),
  kafka_offset INT64 NOT NULL OPTIONS(description="Source offset."),
  ingested_at TIMESTAMP NOT NULL OPTIONS(description="When the pipeline processed the row, UTC.")
)
PARTITION BY DATE(event_timestamp)
CLUSTER BY country_code, payment_method, product_id
OPTIONS(partition_expiration_days=7, require_partition_filter=TRUE);
