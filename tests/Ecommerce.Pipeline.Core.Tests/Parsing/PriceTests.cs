using Ecommerce.Pipeline.Core.Parsing;
using static Ecommerce.Pipeline.Core.Tests.Parsing.Harness;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

public sealed class PriceTests
{
    [Theory]
    [InlineData("19.99", "19.99", "USD")]
    [InlineData("10.005", "10.01", "USD")]
    [InlineData("10.004999999999999999999999999999999", "10.00", "USD")]
    [InlineData("10.0049", "10.00", "USD")]
    [InlineData("0.005", "0.01", "USD")]
    [InlineData("0.0049", "0.00", "USD")]
    [InlineData("0", "0.00", "USD")]
    [InlineData("-0", "0.00", "USD")]
    [InlineData("-0.00", "0.00", "USD")]
    [InlineData("7", "7.00", "USD")]
    [InlineData("1.2345e2", "123.45", "USD")]
    [InlineData("1E3", "1000.00", "USD")]
    [InlineData("5e-3", "0.01", "USD")]
    [InlineData("1e-400", "0.00", "USD")]
    [InlineData("1000000", "1000000.00", "USD")]
    [InlineData("1000000.00", "1000000.00", "USD")]
    [InlineData("1000000.004", "1000000.00", "USD")]
    [InlineData("\"$1,299.99\"", "1299.99", "USD")]
    [InlineData("\"$ 1,299.99\"", "1299.99", "USD")]
    [InlineData("\"1299.99 USD\"", "1299.99", "USD")]
    [InlineData("\"1299.99 usd\"", "1299.99", "USD")]
    [InlineData("\"EUR 15\"", "15.00", "EUR")]
    [InlineData("\"€15,000.5\"", "15000.50", "EUR")]
    [InlineData("\"15 €\"", "15.00", "EUR")]
    [InlineData("\"£12.50\"", "12.50", "GBP")]
    [InlineData("\"¥1,000\"", "1000.00", "JPY")]
    [InlineData("\"1,234.567\"", "1234.57", "USD")]
    [InlineData("\"  42.1  \"", "42.10", "USD")]
    [InlineData("\"1000000.00\"", "1000000.00", "USD")]
    public void Accepted_forms_round_half_away_from_zero(string json, string expected, string currency)
    {
        var row = Row(With("price", json));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), row.Price);
        Assert.Equal(expected, row.Price.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(currency, row.Currency);
    }

    [Theory]
    [InlineData("1000000.01")]
    [InlineData("1000000.005")]
    [InlineData("1e7")]
    [InlineData("1e100000000000")]
    [InlineData("-0.01")]
    [InlineData("-5")]
    [InlineData("\"-5\"")]
    [InlineData("\"1,29.99\"")]
    [InlineData("\"1,2999\"")]
    [InlineData("\",999\"")]
    [InlineData("\"1,299,\"")]
    [InlineData("\"12.\"")]
    [InlineData("\".5\"")]
    [InlineData("\"1e3\"")]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"abc\"")]
    [InlineData("\"USD15\"")]
    [InlineData("\"15 XYZ\"")]
    [InlineData("\"$15 USD\"")]
    [InlineData("\"1 000\"")]
    [InlineData("true")]
    [InlineData("[19.99]")]
    [InlineData("{\"amount\":1}")]
    public void Invalid_prices_are_rejected_with_their_text(string json)
    {
        var dl = Dead(With("price", json));
        Assert.Equal("invalid_price", dl.ReasonCode);
        Assert.Equal(json.StartsWith('"') ? json[1..^1] : json, dl.Detail);
    }

    [Theory]
    [InlineData("\"$10\"", "\"CAD\"", "CAD")]
    [InlineData("\"10 EUR\"", "\"eur\"", "EUR")]
    [InlineData("\"¥10\"", "\"CNY\"", "CNY")]
    [InlineData("10", "\"jpy\"", "JPY")]
    [InlineData("10", "\" gbp \"", "GBP")]
    [InlineData("10", "null", "USD")]
    [InlineData("10", "\"\"", "USD")]
    public void Currency_field_wins_and_must_agree(string price, string currency, string expected)
    {
        var json = With("price", price).Replace("{", "{\"currency\":" + currency + ",", StringComparison.Ordinal);
        Assert.Equal(expected, Row(json).Currency);
    }

    [Theory]
    [InlineData("\"10 EUR\"", "\"USD\"")]
    [InlineData("\"€10\"", "\"GBP\"")]
    [InlineData("\"$10\"", "\"EUR\"")]
    public void Currency_in_price_contradicting_currency_is_invalid_price(string price, string currency)
    {
        var json = With("price", price).Replace("{", "{\"currency\":" + currency + ",", StringComparison.Ordinal);
        Assert.Equal("invalid_price", Dead(json).ReasonCode);
    }

    [Theory]
    [InlineData("\"US\"")]
    [InlineData("\"USDX\"")]
    [InlineData("\"XYZ\"")]
    [InlineData("\"U$D\"")]
    [InlineData("840")]
    public void Bad_currency_codes_are_invalid_field(string currency)
    {
        var json = With("price", "\"10 EUR\"").Replace("{", "{\"currency\":" + currency + ",", StringComparison.Ordinal);
        var dl = Dead(json);
        Assert.Equal(("invalid_field", "currency"), (dl.ReasonCode, dl.Detail));
    }

    [Fact]
    public void Price_never_goes_through_binary_floating_point()
    {
        // 0.1 + 0.2 style artefacts cannot appear: the digits are used as written.
        Assert.Equal(PriceStatus.Ok, PriceParser.ParseJsonNumber("999999.995", out var p));
        Assert.Equal(1000000.00m, p);
        Assert.Equal(PriceStatus.Ok, PriceParser.ParseJsonNumber("0.285", out p));
        Assert.Equal(0.29m, p);
        Assert.Equal(PriceStatus.OverLimit, PriceParser.ParseJsonNumber("1000000.005", out _));
    }
}
