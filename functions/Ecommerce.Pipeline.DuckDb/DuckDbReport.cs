using System.Globalization;
using System.Text;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>One section of the standard report: a stable name, a title, the SQL and its result.</summary>
public sealed record ReportSection(string Name, string Title, string Sql, QueryResult Result);

/// <summary>Settings of the standard report.</summary>
/// <param name="Minutes">How many minutes "sales per minute" covers, ending at the newest stored event.</param>
/// <param name="TopProducts">How many products the top-product sections list.</param>
public sealed record ReportOptions(int Minutes = 15, int TopProducts = 10);

/// <summary>
/// The standard analytics of <c>pipeline report</c>, as named queries over the warehouse tables. Amounts are never
/// added or compared across currencies: there is no exchange rate in the warehouse, and ranking raw amounts would put
/// yen (about 150 to the dollar) above everything else. Revenue is summed per currency and ranked within its currency
/// (<c>revenue_rank</c>, 1 = the highest); the section titles say so.
/// </summary>
public sealed class DuckDbReport
{
    private const string Transactions = "\"" + PipelineSchema.TransactionsTable + "\"";
    private const string DeadLetters = "\"" + PipelineSchema.DeadLettersTable + "\"";

    private readonly DuckDbQueryRunner _runner;

    public DuckDbReport(DuckDbQueryRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runner = runner;
    }

    /// <summary>
    /// Orders and revenue per UTC minute over the last <paramref name="minutes"/> minutes, ending at the newest
    /// stored <c>event_timestamp</c> (not the wall clock, so a report on a finished run still shows its last minutes).
    /// </summary>
    public static string SalesPerMinuteSql(int minutes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        return $"""
            WITH newest AS (SELECT date_trunc('minute', max(event_timestamp)) AS minute FROM {Transactions})
            SELECT date_trunc('minute', t.event_timestamp) AS minute, count(*) AS orders, sum(t.price) AS revenue, t.currency
            FROM {Transactions} t, newest
            WHERE t.event_timestamp >= newest.minute - INTERVAL {minutes.ToString(CultureInfo.InvariantCulture)} MINUTE + INTERVAL 1 MINUTE
            GROUP BY 1, t.currency
            ORDER BY 1, orders DESC, t.currency
            """;
    }

    /// <summary>The <paramref name="limit"/> products with the highest revenue in each currency.</summary>
    public static string TopProductsByRevenueSql(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return $"""
            SELECT product_id, count(*) AS orders, sum(price) AS revenue, currency,
                   rank() OVER (PARTITION BY currency ORDER BY sum(price) DESC) AS revenue_rank
            FROM {Transactions}
            GROUP BY product_id, currency
            QUALIFY row_number() OVER (PARTITION BY currency ORDER BY sum(price) DESC, count(*) DESC, product_id) <= {limit.ToString(CultureInfo.InvariantCulture)}
            ORDER BY currency, revenue DESC, orders DESC, product_id
            """;
    }

    /// <summary>The <paramref name="limit"/> (product, currency) pairs with the most orders; counts compare across currencies.</summary>
    public static string TopProductsByOrdersSql(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return $"""
            SELECT product_id, count(*) AS orders, sum(price) AS revenue, currency
            FROM {Transactions}
            GROUP BY product_id, currency
            ORDER BY orders DESC, product_id, currency
            LIMIT {limit.ToString(CultureInfo.InvariantCulture)}
            """;
    }

    public static string RevenueByCountrySql { get; } = RevenueBySql("country_code");

    public static string RevenueByContinentSql { get; } = RevenueBySql("continent");

    /// <summary>Orders per payment method and their share of all orders, in percent with 2 places.</summary>
    public static string PaymentMixSql { get; } = $"""
        SELECT payment_method, count(*) AS orders,
               CAST(round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS DECIMAL(5,2)) AS share_pct
        FROM {Transactions}
        GROUP BY payment_method
        ORDER BY orders DESC, payment_method
        """;

    public static string DeadLettersByReasonSql { get; } = $"""
        SELECT reason, count(*) AS dead_letters, max(failed_at) AS last_failed_at
        FROM {DeadLetters}
        GROUP BY reason
        ORDER BY dead_letters DESC, reason
        """;

    public QueryResult SalesPerMinute(int minutes = 15) => _runner.Execute(SalesPerMinuteSql(minutes));

    public QueryResult TopProductsByRevenue(int limit = 10) => _runner.Execute(TopProductsByRevenueSql(limit));

    public QueryResult TopProductsByOrders(int limit = 10) => _runner.Execute(TopProductsByOrdersSql(limit));

    public QueryResult RevenueByCountry() => _runner.Execute(RevenueByCountrySql);

    public QueryResult RevenueByContinent() => _runner.Execute(RevenueByContinentSql);

    public QueryResult PaymentMix() => _runner.Execute(PaymentMixSql);

    public QueryResult DeadLettersByReason() => _runner.Execute(DeadLettersByReasonSql);

    /// <summary>Runs every section, in the order they are printed.</summary>
    public IReadOnlyList<ReportSection> Run(ReportOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ReportOptions();
        (string Name, string Title, string Sql)[] sections =
        [
            ("sales_per_minute", $"Sales per minute (last {options.Minutes} min)", SalesPerMinuteSql(options.Minutes)),
            ("top_products_by_revenue", $"Top {options.TopProducts} products by revenue, ranked within each currency (amounts are not converted)",
                TopProductsByRevenueSql(options.TopProducts)),
            ("top_products_by_orders", $"Top {options.TopProducts} products by orders", TopProductsByOrdersSql(options.TopProducts)),
            ("revenue_by_country", "Revenue by country, ranked within each currency", RevenueByCountrySql),
            ("revenue_by_continent", "Revenue by continent, ranked within each currency", RevenueByContinentSql),
            ("payment_mix", "Payment mix", PaymentMixSql),
            ("dead_letters_by_reason", "Dead letters by reason", DeadLettersByReasonSql),
        ];
        return [.. sections.Select(s => new ReportSection(s.Name, s.Title, s.Sql, _runner.Execute(s.Sql, cancellationToken)))];
    }

    /// <summary>All sections as plain text: a title line, then the section's table.</summary>
    public static string Render(IEnumerable<ReportSection> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var text = new StringBuilder();
        foreach (var section in sections)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append("== ").Append(section.Title).Append(" ==\n").Append(QueryResultFormatter.ToTable(section.Result));
        }

        return text.ToString();
    }

    // A missing value is its own group, shown as NULL, so the totals add up to all transactions.
    private static string RevenueBySql(string column) => $"""
        SELECT {column}, count(*) AS orders, sum(price) AS revenue, currency,
               rank() OVER (PARTITION BY currency ORDER BY sum(price) DESC) AS revenue_rank
        FROM {Transactions}
        GROUP BY {column}, currency
        ORDER BY currency, revenue DESC, {column} NULLS LAST
        """;
}
