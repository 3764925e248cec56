CREATE OR REPLACE VIEW `${PROJECT_ID}.${DATASET_ID}.transactions_dedup` AS
SELECT *
FROM `${PROJECT_ID}.${DATASET_ID}.transactions`
WHERE event_timestamp >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
QUALIFY ROW_NUMBER() OVER (PARTITION BY transaction_id ORDER BY kafka_partition, kafka_offset, ingested_at) = 1;

CREATE OR REPLACE VIEW `${PROJECT_ID}.${DATASET_ID}.sales_per_minute` AS
SELECT TIMESTAMP_TRUNC(event_timestamp, MINUTE) AS minute, currency, COUNT(*) AS transactions, SUM(price) AS revenue
FROM `${PROJECT_ID}.${DATASET_ID}.transactions_dedup`
GROUP BY minute, currency;

CREATE OR REPLACE VIEW `${PROJECT_ID}.${DATASET_ID}.top_products` AS
SELECT product_id, currency, COUNT(*) AS transactions, COUNT(DISTINCT user_id) AS buyers, SUM(price) AS revenue,
  RANK() OVER (PARTITION BY currency ORDER BY SUM(price) DESC) AS revenue_rank
FROM `${PROJECT_ID}.${DATASET_ID}.transactions_dedup`
GROUP BY product_id, currency;

CREATE OR REPLACE VIEW `${PROJECT_ID}.${DATASET_ID}.revenue_by_country` AS
SELECT continent, country_code, currency, COUNT(*) AS transactions, SUM(price) AS revenue,
  RANK() OVER (PARTITION BY currency ORDER BY SUM(price) DESC) AS revenue_rank
FROM `${PROJECT_ID}.${DATASET_ID}.transactions_dedup`
GROUP BY continent, country_code, currency;

CREATE OR REPLACE VIEW `${PROJECT_ID}.${DATASET_ID}.payment_mix` AS
SELECT payment_method, currency, COUNT(*) AS transactions, SUM(price) AS revenue,
  SAFE_DIVIDE(COUNT(*), SUM(COUNT(*)) OVER (PARTITION BY currency)) AS share
FROM `${PROJECT_ID}.${DATASET_ID}.transactions_dedup`
GROUP BY payment_method, currency;

CREATE OR REPLACE VIEW `${PROJECT_ID}.${DATASET_ID}.user_behaviour` AS
SELECT user_id, COUNT(*) AS transactions, COUNT(*) > 1 AS repeat_buyer,
  COUNT(DISTINCT DATE(event_timestamp)) AS active_days,
  SAFE_DIVIDE(COUNT(*), COUNT(DISTINCT DATE(event_timestamp))) AS basket_size,
  COUNT(DISTINCT product_id) AS distinct_products,
  MIN(event_timestamp) AS first_seen, MAX(event_timestamp) AS last_seen
FROM `${PROJECT_ID}.${DATASET_ID}.transactions_dedup`
GROUP BY user_id;

CREATE OR REPLACE VIEW `${PROJECT_ID}.${DATASET_ID}.dead_letters_by_reason` AS
SELECT DATE(failed_at) AS day, reason, COUNT(*) AS dead_letters
FROM `${PROJECT_ID}.${DATASET_ID}.dead_letters`
WHERE failed_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
GROUP BY day, reason;
