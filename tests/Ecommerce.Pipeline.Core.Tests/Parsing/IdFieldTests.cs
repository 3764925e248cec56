using static Ecommerce.Pipeline.Core.Tests.Parsing.Harness;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

public sealed class IdFieldTests
{
    [Theory]
    [InlineData("\"tx-1\"", "tx-1")]
    [InlineData("\"  tx-1 \\t\"", "tx-1")]
    [InlineData("12345", "12345")]
    [InlineData("-7", "-7")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("\"caf\\u00e9\"", "café")]
    public void Transaction_id_accepts_strings_and_integers(string json, string expected) =>
        Assert.Equal(expected, Row(With("transaction_id", json)).TransactionId);

    [Fact]
    public void CamelCase_aliases_are_accepted()
    {
        var row = Row("""
            {"transactionId":"t9","userId":42,"productId":"p9","price":1,"timestamp":"2026-11-25T11:00:00Z","paymentMethod":"paypal"}
            """);
        Assert.Equal(("t9", "42", "p9", "paypal"), (row.TransactionId, row.UserId, row.ProductId, row.PaymentMethod));
    }

    [Theory]
    [InlineData("transaction_id")]
    [InlineData("user_id")]
    [InlineData("product_id")]
    public void Ids_of_128_characters_pass_and_129_fail(string field)
    {
        var ok = Row(With(field, $"\"{new string('a', 128)}\""));
        Assert.NotNull(ok);
        var dl = Dead(With(field, $"\"{new string('a', 129)}\""));
        Assert.Equal(("invalid_field", field), (dl.ReasonCode, dl.Detail));
    }

    [Fact]
    public void Length_counts_characters_not_bytes() =>
        Assert.Equal(128, Row(With("product_id", $"\"{new string('é', 128)}\"")).ProductId.Length);

    [Theory]
    [InlineData("user_id", "12.5")]
    [InlineData("user_id", "1e3")]
    [InlineData("user_id", "true")]
    [InlineData("user_id", "[1]")]
    [InlineData("user_id", "{\"id\":1}")]
    [InlineData("user_id", "\"ab\\u0001cd\"")]
    [InlineData("product_id", "\"line\\nbreak\"")]
    [InlineData("transaction_id", "\"\\u007f\"")]
    public void Wrong_type_or_control_characters_are_invalid_field(string field, string json)
    {
        var dl = Dead(With(field, json));
        Assert.Equal(("invalid_field", field), (dl.ReasonCode, dl.Detail));
    }

    [Theory]
    [InlineData("transaction_id", null)]
    [InlineData("transaction_id", "null")]
    [InlineData("user_id", "\"\"")]
    [InlineData("product_id", "\"   \"")]
    [InlineData("product_id", "\"\\u00a0\"")]
    public void Absent_null_or_blank_is_missing_field(string field, string? json)
    {
        var dl = Dead(With(field, json));
        Assert.Equal(("missing_field", field), (dl.ReasonCode, dl.Detail));
    }

    [Fact]
    public void Dead_letter_carries_the_transaction_id_when_readable()
    {
        Assert.Equal("tx-1", Dead(With("price", "-1")).TransactionId);
        Assert.Null(Dead(With("transaction_id", "true")).TransactionId);
    }
}
