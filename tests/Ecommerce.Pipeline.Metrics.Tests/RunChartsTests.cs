using System.Text.RegularExpressions;
using Ecommerce.Pipeline.Metrics.Tests.Support;

namespace Ecommerce.Pipeline.Metrics.Tests;

/// <summary>The run's HTML charts, rendered by a real headless Chromium: the page loads and every chart has data.</summary>
[Trait("Category", "Integration")]
public sealed partial class RunChartsTests
{
    private static RunCharts TwentySeconds()
    {
        var charts = new RunCharts();
        var t0 = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i <= 20; i++)
        {
            charts.Add(new RunSample(t0.AddSeconds(i), i * 800, i * 790, i * 8, 1000 - (i * 40), i == 0 ? null : 40 + i, i == 0 ? null : 120 + (3 * i)));
        }

        return charts;
    }

    [Fact]
    public void The_page_embeds_every_sample_and_encodes_the_title()
    {
        var html = TwentySeconds().ToHtml("run <w.duckdb>");
        Assert.Contains("<title>run &lt;w.duckdb&gt;</title>", html, StringComparison.Ordinal);
        var json = DataJson().Match(html).Groups[1].Value;
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(21, doc.RootElement.GetArrayLength());
        Assert.Equal(16000, doc.RootElement[20].GetProperty("c").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, doc.RootElement[0].GetProperty("p99").ValueKind);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headless_chromium_renders_the_throughput_lag_and_latency_charts_with_data()
    {
        var chromium = ExternalTool.Require("chromium");
        using var dir = new TempDir();
        var page = dir.File("run.html");
        TwentySeconds().WriteHtml(page, "pipeline dev run");

        var (code, dom, stderr) = await ExternalTool.RunAsync(chromium,
            ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + dir.File("profile"), "--dump-dom", new Uri(page).AbsoluteUri],
            TimeSpan.FromSeconds(90));
        Assert.True(code == 0, stderr);

        // The script ran: one polyline per series, with a point per sample (rates: one fewer).
        var lines = Polyline().Matches(dom).ToDictionary(m => m.Groups["series"].Value, m => int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(20, lines["consumed"]);
        Assert.Equal(20, lines["stored"]);
        Assert.Equal(20, lines["dead letters"]);
        Assert.Equal(21, lines["total lag"]);
        Assert.Equal(20, lines["p50"]);
        Assert.Equal(20, lines["p99"]);
        Assert.Contains("21 samples over 20 s: consumed 16000, stored 15800, dead letters 160.", dom, StringComparison.Ordinal);
        Assert.DoesNotContain(">no data<", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headless_chromium_shows_no_data_for_an_empty_run_instead_of_failing()
    {
        var chromium = ExternalTool.Require("chromium");
        using var dir = new TempDir();
        var page = dir.File("empty.html");
        new RunCharts().WriteHtml(page, "empty");
        var (code, dom, stderr) = await ExternalTool.RunAsync(chromium,
            ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + dir.File("profile"), "--dump-dom", new Uri(page).AbsoluteUri],
            TimeSpan.FromSeconds(90));
        Assert.True(code == 0, stderr);
        Assert.Equal(3, Regex.Count(dom, ">no data<"));
        Assert.Contains("No samples.", dom, StringComparison.Ordinal);
    }

    [GeneratedRegex("<script type=\"application/json\" id=\"run-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataJson();

    [GeneratedRegex("<polyline[^>]*data-series=\"(?<series>[^\"]+)\"[^>]*data-points=\"(?<n>\\d+)\"")]
    private static partial Regex Polyline();
}
