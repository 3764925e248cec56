using System.Text.RegularExpressions;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The views follow the report's rule: amounts are summed per currency and ranked within it, never across
/// currencies (there is no exchange rate in the dataset; raw yen would outrank everything).
/// </summary>
public sealed partial class ViewCurrencyTests
{
    public static TheoryData<string> SummingViews => [.. SummingViewNames()];

    private static IEnumerable<string> SummingViewNames() =>
        BigQueryViews.All("ds").Where(v => v.Sql.Contains("SUM(price)", StringComparison.Ordinal)).Select(v => v.Name);

    [Theory]
    [MemberData(nameof(SummingViews))]
    public void A_view_that_sums_amounts_groups_by_currency_and_every_window_stays_within_one(string name)
    {
        var sql = BigQueryViews.All("ds").Single(v => v.Name == name).Sql;

        var groupBy = GroupBy().Match(sql);
        Assert.True(groupBy.Success, $"{name} has no GROUP BY");
        Assert.Contains("currency", groupBy.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries));
        Assert.All(Windows().Matches(sql), w => Assert.StartsWith("PARTITION BY currency", w.Groups[1].Value, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("top_products")]
    [InlineData("revenue_by_country")]
    public void Revenue_is_ranked_within_its_currency(string name) =>
        Assert.Contains("RANK() OVER (PARTITION BY currency ORDER BY SUM(price) DESC) AS revenue_rank",
            BigQueryViews.All("ds").Single(v => v.Name == name).Sql, StringComparison.Ordinal);

    [Fact]
    public void The_summing_views_are_the_ones_with_amounts() =>
        Assert.Equal(["sales_per_minute", "top_products", "revenue_by_country", "payment_mix"], SummingViewNames());

    [GeneratedRegex(@"GROUP BY ([^\n]+)")]
    private static partial Regex GroupBy();

    [GeneratedRegex(@"OVER \(([^)]*)\)")]
    private static partial Regex Windows();
}
