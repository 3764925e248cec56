using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Moq;

namespace Ecommerce.Pipeline.Functions.Tests;

public sealed class ApplicationInsightsMetricsTests
{
    [Fact]
    public void Batch_size_rows_and_dead_letters_by_reason_reach_application_insights()
    {
        var sent = new List<ITelemetry>();
        var channel = new Mock<ITelemetryChannel>();
        channel.Setup(c => c.Send(It.IsAny<ITelemetry>())).Callback<ITelemetry>(sent.Add);
        using var configuration = new TelemetryConfiguration { TelemetryChannel = channel.Object, ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001" };
        var client = new TelemetryClient(configuration);
        var metrics = new ApplicationInsightsPipelineMetrics(client);

        metrics.BatchConsumed(5);
        metrics.RowsWritten("duckdb", 3);
        metrics.DeadLetters([DeadLetter(DeadLetterReason.MalformedJson, 1), DeadLetter(DeadLetterReason.MalformedJson, 2),
            DeadLetter(DeadLetterReason.MissingField, 3)]);
        client.Flush();

        var byName = sent.OfType<MetricTelemetry>().ToLookup(m => m.Name);
        Assert.Equal(5, Assert.Single(byName["pipeline_batch_size"]).Sum);
        var rows = Assert.Single(byName["pipeline_rows_written"]);
        Assert.Equal(3, rows.Sum);
        Assert.Equal("duckdb", rows.Properties["sink"]);
        Assert.Equal(
            ["malformed_json=2", "missing_field=1"],
            byName["pipeline_dead_letters"].Select(m => $"{m.Properties["reason"]}={m.Sum}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_fan_out_calls_every_target()
    {
        var first = new Mock<IPipelineMetrics>();
        var second = new Mock<IPipelineMetrics>();

        new FanOutPipelineMetrics(first.Object, second.Object).RowsWritten("duckdb", 7);

        first.Verify(m => m.RowsWritten("duckdb", 7), Times.Once);
        second.Verify(m => m.RowsWritten("duckdb", 7), Times.Once);
    }

    private static DeadLetter DeadLetter(DeadLetterReason reason, long offset) => new()
    {
        Reason = reason,
        Payload = "{",
        PayloadEncoding = Core.Model.DeadLetter.EncodingUtf8,
        KafkaTopic = Events.Topic,
        KafkaPartition = 0,
        KafkaOffset = offset,
        FailedAt = DateTime.UtcNow,
    };
}
