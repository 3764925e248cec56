using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Core.Tests;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("5s", 5_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData(" 10S ", 10_000)]
    public void Contract_forms(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("s")]
    [InlineData("5x")]
    [InlineData("-5s")]
    [InlineData("5 days")]
    [InlineData("1e400h")]
    [InlineData(null)]
    public void Anything_else_is_refused(string? text) => Assert.False(DurationParser.TryParse(text, out _));

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(5_000, "5s")]
    [InlineData(120_000, "2m")]
    [InlineData(3_600_000, "1h")]
    public void Formats_back(double milliseconds, string text) =>
        Assert.Equal(text, DurationParser.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
