using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.DuckDb.Tests;

public sealed class ReportTests : IDisposable
{
    private static readonly DateTime T0 = new(2025, 3, 1, 10, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task SeedAsync()
    {
        await using var sink = new DuckDbSink(_dir.Database);
        await sink.WriteRowsAsync(
        [
            Rows.Transaction("1", 100.00m, "DE", "EU", "credit_card", "p-a", T0.AddSeconds(5)),
            Rows.Transaction("2", 50.50m, "DE", "EU", "paypal", "p-b", T0.AddSeconds(50)),
            Rows.Transaction("3", 200.00m, "US", "NA", "credit_card", "p-a", T0.AddMinutes(1)),
            Rows.Transaction("4", 0.01m, "FR", "EU", "credit_card", "p-c", T0.AddMinutes(3).AddSeconds(59)),
            Rows.Transaction("5", 10.00m, null, null, "unknown", "p-b", T0.AddMinutes(3)),
            Rows.Transaction("6", 9.99m, "US", "NA", "paypal", "p-b", T0.AddMinutes(-30)),
        ], CancellationToken.None);
        await sink.WriteDeadLettersAsync(
        [
            Rows.DeadLetter(1, DeadLetterReason.MalformedJson),
            Rows.DeadLetter(2, DeadLetterReason.InvalidPrice),
            Rows.DeadLetter(3, DeadLetterReason.MalformedJson),
        ], CancellationToken.None);
    }

    private static List<(object?, object?, object?)> Triples(QueryResult result) =>
        [.. result.Rows.Select(r => (r[0], r[1], r[2]))];

    [Fact]
    public async Task Revenue_by_country_and_continent()
    {
        await SeedAsync();
        using var runner = DuckDbQueryRunner.Open(_dir.Database);
        var report = new DuckDbReport(runner);

        Assert.Equal(
            [("US", 2L, 209.99m), ("DE", 2L, 150.50m), (null, 1L, 10.00m), ("FR", 1L, 0.01m)],
            Triples(report.RevenueByCountry()));
        Assert.Equal(
            [("NA", 2L, 209.99m), ("EU", 3L, 150.51m), (null, 1L, 10.00m)],
            Triples(report.RevenueByContinent()));
    }

    [Fact]
    public async Task Payment_mix_counts_and_shares()
    {
        await SeedAsync();
        using var runner = DuckDbQueryRunner.Open(_dir.Database);

        var mix = new DuckDbReport(runner).PaymentMix();

        Assert.Equal(["payment_method", "orders", "share_pct"], mix.Columns.Select(c => c.Name));
        Assert.Equal(
            [("credit_card", 3L, 50.00m), ("paypal", 2L, 33.33m), ("unknown", 1L, 16.67m)],
            Triples(mix));
    }

    [Fact]
    public async Task Dead_letters_by_reason()
    {
        await SeedAsync();
        using var runner = DuckDbQueryRunner.Open(_dir.Database);

        var reasons = new DuckDbReport(runner).DeadLettersByReason();

        Assert.Equal([("malformed_json", 2L), ("invalid_price", 1L)], reasons.Rows.Select(r => ((string)r[0]!, (long)r[1]!)));
    }

    [Fact]
    public async Task Sales_per_minute_covers_the_last_minutes_up_to_the_newest_event()
    {
        await SeedAsync();
        using var runner = DuckDbQueryRunner.Open(_dir.Database);

        var perMinute = new DuckDbReport(runner).SalesPerMinute(minutes: 4);

        Assert.Equal(
            [(T0, 2L, 150.50m), (T0.AddMinutes(1), 1L, 200.00m), (T0.AddMinutes(3), 2L, 10.01m)],
            Triples(perMinute).Select(t => ((DateTime)t.Item1!, (long)t.Item2!, (decimal)t.Item3!)));
    }

    [Fact]
    public async Task Top_products_by_revenue_and_by_orders()
    {
        await SeedAsync();
        using var runner = DuckDbQueryRunner.Open(_dir.Database);
        var report = new DuckDbReport(runner);

        Assert.Equal([("p-a", 2L, 300.00m), ("p-b", 3L, 70.49m)], Triples(report.TopProductsByRevenue(2)));
        Assert.Equal([("p-b", 3L, 70.49m), ("p-a", 2L, 300.00m), ("p-c", 1L, 0.01m)], Triples(report.TopProductsByOrders(5)));
    }

    // Raw JPY amounts are about 150 times USD ones: ranked across currencies, every top row would be yen.
    [Fact]
    public async Task Revenue_is_ranked_within_each_currency_never_across_them()
    {
        await using (var sink = new DuckDbSink(_dir.Database))
        {
            await sink.WriteRowsAsync(
            [
                Rows.Transaction("j1", 15_000m, "JP", "AS", product: "p-j1", currency: "JPY"),
                Rows.Transaction("j2", 12_000m, "JP", "AS", product: "p-j2", currency: "JPY"),
                Rows.Transaction("j3", 3_000m, "JP", "AS", product: "p-j3", currency: "JPY"),
                Rows.Transaction("u1", 120.00m, "US", "NA", product: "p-u1", currency: "USD"),
                Rows.Transaction("u2", 80.00m, "US", "NA", product: "p-u2", currency: "USD"),
                Rows.Transaction("u3", 80.00m, "CA", "NA", product: "p-u2", currency: "USD"),
                Rows.Transaction("u4", 5.00m, "US", "NA", product: "p-u3", currency: "USD"),
                Rows.Transaction("e1", 60.00m, "DE", "EU", product: "p-e1", currency: "EUR"),
            ], CancellationToken.None);
        }

        using var runner = DuckDbQueryRunner.OpenSandbox(_dir.Database);
        var report = new DuckDbReport(runner);

        var top = report.TopProductsByRevenue(2);
        Assert.Equal(["product_id", "orders", "revenue", "currency", "revenue_rank"], top.Columns.Select(c => c.Name));
        Assert.Equal(
            [("p-e1", 60.00m, "EUR", 1L), ("p-j1", 15_000m, "JPY", 1L), ("p-j2", 12_000m, "JPY", 2L),
             ("p-u2", 160.00m, "USD", 1L), ("p-u1", 120.00m, "USD", 2L)],
            top.Rows.Select(r => ((string)r[0]!, (decimal)r[2]!, (string)r[3]!, (long)r[4]!)));

        var byCountry = report.RevenueByCountry();
        Assert.Equal(
            [("DE", "EUR", 1L), ("JP", "JPY", 1L), ("US", "USD", 1L), ("CA", "USD", 2L)],
            byCountry.Rows.Select(r => ((string)r[0]!, (string)r[3]!, (long)r[4]!)));

        var titles = report.Run(new ReportOptions(TopProducts: 2)).Select(s => s.Title).ToList();
        Assert.Contains("Top 2 products by revenue, ranked within each currency (amounts are not converted)", titles);
        Assert.Contains("Revenue by country, ranked within each currency", titles);
    }

    [Fact]
    public async Task Run_and_render_print_every_section()
    {
        await SeedAsync();
        using var runner = DuckDbQueryRunner.Open(_dir.Database);

        var sections = new DuckDbReport(runner).Run(new ReportOptions(Minutes: 60, TopProducts: 3));
        var text = DuckDbReport.Render(sections);

        Assert.Equal(
            ["sales_per_minute", "top_products_by_revenue", "top_products_by_orders", "revenue_by_country",
             "revenue_by_continent", "payment_mix", "dead_letters_by_reason"],
            sections.Select(s => s.Name));
        Assert.Equal(4, sections[0].Result.Rows.Count); // 09:30, 10:00, 10:01, 10:03
        Assert.Contains("== Payment mix ==\n", text, StringComparison.Ordinal);
        Assert.Contains("credit_card    |      3 |     50.00", text, StringComparison.Ordinal);
        Assert.Contains("malformed_json |            2 |", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_warehouse_reports_empty_sections()
    {
        await new DuckDbSink(_dir.Database).DisposeAsync();
        using var runner = DuckDbQueryRunner.Open(_dir.Database);

        var sections = new DuckDbReport(runner).Run();

        Assert.All(sections, s => Assert.Empty(s.Result.Rows));
        Assert.Contains("(0 rows)", DuckDbReport.Render(sections), StringComparison.Ordinal);
    }
}
