using System.Text;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>
/// The analytics views (GoogleSQL), written against Core's schema: every column is looked up through
/// <see cref="PipelineSchema"/>, so a renamed or dropped column fails generation (and the drift test) instead of
/// shipping a broken view. All read the last <see cref="PipelineSchema.RetentionDays"/> days (the tables require a
/// partition filter) through <c>transactions_dedup</c>, which keeps one row per transaction_id because insertId
/// de-duplication is only best effort. Amounts are summed per currency and revenue is ranked within its currency
/// (<c>revenue_rank</c>, partitioned by currency), never across currencies: there is no exchange rate in the dataset.
/// </summary>
public static class BigQueryViews
{
    public const string Dedup = "transactions_dedup";

    public static IReadOnlyList<(string Name, string Sql)> All(string dataset, string transactionsTable = PipelineSchema.TransactionsTable,
        string deadLettersTable = PipelineSchema.DeadLettersTable)
    {
        var t = PipelineSchema.Transactions;
        var d = PipelineSchema.DeadLetters;
        string C(string name) => t[name].Name;
        var id = C("transaction_id");
        var user = C("user_id");
        var product = C("product_id");
        var price = C("price");
        var currency = C("currency");
        var at = C(PipelineSchema.PartitionColumn);
        var payment = C("payment_method");
        var country = C("country_code");
        var continent = C("continent");
        var window = $"INTERVAL {PipelineSchema.RetentionDays} DAY";
        var from = $"`{dataset}.{Dedup}`";
        return
        [
            (Dedup, $"""
                SELECT *
                FROM `{dataset}.{transactionsTable}`
                WHERE {at} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), {window})
                QUALIFY ROW_NUMBER() OVER (PARTITION BY {id} ORDER BY {DedupOrder.OrderBy}) = 1
                """),
            ("sales_per_minute", $"""
                SELECT TIMESTAMP_TRUNC({at}, MINUTE) AS minute, {currency}, COUNT(*) AS transactions, SUM({price}) AS revenue
                FROM {from}
                GROUP BY minute, {currency}
                """),
            ("top_products", $"""
                SELECT {product}, {currency}, COUNT(*) AS transactions, COUNT(DISTINCT {user}) AS buyers, SUM({price}) AS revenue,
                  RANK() OVER (PARTITION BY {currency} ORDER BY SUM({price}) DESC) AS revenue_rank
                FROM {from}
                GROUP BY {product}, {currency}
                """),
            ("revenue_by_country", $"""
                SELECT {continent}, {country}, {currency}, COUNT(*) AS transactions, SUM({price}) AS revenue,
                  RANK() OVER (PARTITION BY {currency} ORDER BY SUM({price}) DESC) AS revenue_rank
                FROM {from}
                GROUP BY {continent}, {country}, {currency}
                """),
            ("payment_mix", $"""
                SELECT {payment}, {currency}, COUNT(*) AS transactions, SUM({price}) AS revenue,
                  SAFE_DIVIDE(COUNT(*), SUM(COUNT(*)) OVER (PARTITION BY {currency})) AS share
                FROM {from}
                GROUP BY {payment}, {currency}
                """),
            ("user_behaviour", $"""
                SELECT {user}, COUNT(*) AS transactions, COUNT(*) > 1 AS repeat_buyer,
                  COUNT(DISTINCT DATE({at})) AS active_days,
                  SAFE_DIVIDE(COUNT(*), COUNT(DISTINCT DATE({at}))) AS basket_size,
                  COUNT(DISTINCT {product}) AS distinct_products,
                  MIN({at}) AS first_seen, MAX({at}) AS last_seen
                FROM {from}
                GROUP BY {user}
                """),
            ("dead_letters_by_reason", $"""
                SELECT DATE({d["failed_at"].Name}) AS day, {d["reason"].Name}, COUNT(*) AS dead_letters
                FROM `{dataset}.{deadLettersTable}`
                WHERE {d["failed_at"].Name} >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), {window})
                GROUP BY day, {d["reason"].Name}
                """),
        ];
    }

    /// <summary>All views as one DDL script (<c>CREATE OR REPLACE VIEW</c>), as checked in under infra/bigquery.</summary>
    public static string ToDdl(string dataset)
    {
        var sql = new StringBuilder();
        foreach (var (name, body) in All(dataset))
        {
            sql.Append("CREATE OR REPLACE VIEW `").Append(dataset).Append('.').Append(name).Append("` AS\n")
                .Append(body.ReplaceLineEndings("\n")).Append(";\n\n");
        }

        return sql.ToString().TrimEnd('\n') + "\n";
    }
}
