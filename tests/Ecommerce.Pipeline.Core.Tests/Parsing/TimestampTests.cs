using System.Globalization;
using Ecommerce.Pipeline.Core.Parsing;
using static Ecommerce.Pipeline.Core.Tests.Parsing.Harness;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

public sealed class TimestampTests
{
    private static DateTime Utc(string iso) =>
        DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    [Theory]
    [InlineData("\"2026-11-25T11:59:00Z\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-25t11:59:00z\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-25T13:59:00+02:00\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-25T06:29:00-05:30\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-25T13:59:00+0200\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-25T13:59:00+02\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-26T00:30:00+12:45\"", "2026-11-25T11:45:00.000000Z")]
    [InlineData("\"2026-11-25T11:59:00.1234567Z\"", "2026-11-25T11:59:00.123456Z")]
    [InlineData("\"2026-11-25T11:59:00.123456789+00:00\"", "2026-11-25T11:59:00.123456Z")]
    [InlineData("\"2026-11-25T11:59:00\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-25T11:59\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-25 11:59:00\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"2026-11-25 11:59:00.250\"", "2026-11-25T11:59:00.250000Z")]
    [InlineData("1795607940", "2026-11-25T11:59:00.000000Z")]
    [InlineData("1795607940.5", "2026-11-25T11:59:00.500000Z")]
    [InlineData("1795607940123", "2026-11-25T11:59:00.123000Z")]
    [InlineData("\"1795607940\"", "2026-11-25T11:59:00.000000Z")]
    [InlineData("\"1795607940123\"", "2026-11-25T11:59:00.123000Z")]
    [InlineData("1.79560794e9", "2026-11-25T11:59:00.000000Z")]
    public void Accepted_forms_become_utc_microseconds(string json, string expected)
    {
        var row = Row(With("timestamp", json));
        Assert.Equal(expected, TimestampParser.Format(row.EventTimestamp));
        Assert.Equal(DateTimeKind.Utc, row.EventTimestamp.Kind);
        Assert.Equal(DateOnly.FromDateTime(row.EventTimestamp), row.EventDate);
    }

    [Fact]
    public void Seconds_milliseconds_boundary_is_one_hundred_billion()
    {
        Assert.True(TimestampParser.TryParseNumber("99999999999", out var seconds));
        Assert.Equal(Utc("5138-11-16T09:46:39Z"), seconds);
        Assert.True(TimestampParser.TryParseNumber("100000000000", out var millis));
        Assert.Equal(Utc("1973-03-03T09:46:40Z"), millis);
    }

    [Fact]
    public void Event_date_follows_utc_not_the_local_offset()
    {
        var row = Row(With("timestamp", "\"2026-11-25T01:30:00+03:00\""));
        Assert.Equal(new DateOnly(2026, 11, 24), row.EventDate);
    }

    [Fact]
    public void February_29_exists_only_in_leap_years()
    {
        var leapNow = new DateTimeOffset(2028, 2, 29, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateOnly(2028, 2, 29), Row(With("timestamp", "\"2028-02-29T10:00:00Z\""), leapNow).EventDate);
        Assert.True(TimestampParser.TryParseText("2024-02-29T00:00:00Z", out _));
        Assert.False(TimestampParser.TryParseText("2027-02-29T00:00:00Z", out _));
        Assert.False(TimestampParser.TryParseText("2100-02-29T00:00:00Z", out _));
        Assert.True(TimestampParser.TryParseText("2000-02-29T00:00:00Z", out _));
    }

    [Theory]
    [InlineData("\"2026-11-25\"")]
    [InlineData("\"2026-13-01T00:00:00Z\"")]
    [InlineData("\"2026-11-31T00:00:00Z\"")]
    [InlineData("\"2026-11-25T24:00:00Z\"")]
    [InlineData("\"2026-11-25T11:60:00Z\"")]
    [InlineData("\"2026-11-25T11:59:60Z\"")]
    [InlineData("\"2026-11-25T11:59:00+25:00\"")]
    [InlineData("\"2026-11-25T11:59:00Zjunk\"")]
    [InlineData("\"2026-11-25T11:59:00.Z\"")]
    [InlineData("\"25/11/2026 11:59\"")]
    [InlineData("\"yesterday\"")]
    [InlineData("\"0x6925\"")]
    [InlineData("\"1e9\"")]
    [InlineData("1e30")]
    [InlineData("true")]
    [InlineData("{\"t\":1}")]
    public void Unparseable_timestamps_are_invalid_timestamp_with_their_text(string json)
    {
        var dl = Dead(With("timestamp", json));
        Assert.Equal("invalid_timestamp", dl.ReasonCode);
        Assert.Equal(json.StartsWith('"') ? json[1..^1] : json, dl.Detail);
    }

    [Theory]
    [InlineData("\"2026-11-25T12:05:00Z\"", null)]
    [InlineData("\"2026-11-25T12:05:00.000001Z\"", "timestamp_in_future")]
    [InlineData("\"2026-11-18T12:00:00Z\"", null)]
    [InlineData("\"2026-11-18T11:59:59.999999Z\"", "timestamp_too_old")]
    [InlineData("0", "timestamp_too_old")]
    [InlineData("-1", "timestamp_too_old")]
    [InlineData("99999999999", "timestamp_in_future")]
    [InlineData("100000000000", "timestamp_too_old")]
    public void Window_is_five_minutes_ahead_and_seven_days_back(string json, string? reason)
    {
        var result = Processor().Process([Record(With("timestamp", json))]);
        if (reason is null)
        {
            Assert.Single(result.Rows);
        }
        else
        {
            var dl = Assert.Single(result.DeadLetters);
            Assert.Equal(reason, dl.ReasonCode);
            Assert.EndsWith("Z", dl.Detail, StringComparison.Ordinal);
        }
    }
}
