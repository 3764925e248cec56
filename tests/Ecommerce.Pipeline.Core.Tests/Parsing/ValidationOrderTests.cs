using System.Text;
using Ecommerce.Pipeline.Core.Model;
using static Ecommerce.Pipeline.Core.Tests.Parsing.Harness;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

public sealed class ValidationOrderTests
{
    [Fact]
    public void Sixty_four_KiB_is_the_limit()
    {
        static byte[] Padded(int size)
        {
            var head = With("user_id", "\"u\"")[..^1] + ",\"pad\":\"";
            var pad = size - Encoding.UTF8.GetByteCount(head) - 2;
            return Encoding.UTF8.GetBytes(head + new string('x', pad) + "\"}");
        }

        var exact = Padded(64 * 1024);
        Assert.Equal(65536, exact.Length);
        Assert.Single(Processor().Process([Record(exact)]).Rows);

        var over = Padded(64 * 1024 + 1);
        var dl = Dead(over);
        Assert.Equal(("message_too_large", "65537 bytes"), (dl.ReasonCode, dl.Detail));
    }

    [Fact]
    public void Too_large_wins_over_invalid_encoding()
    {
        var value = new byte[70_000];
        Array.Fill(value, (byte)0xFF);
        Assert.Equal("message_too_large", Dead(value).ReasonCode);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}' })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    public void Invalid_utf8_is_invalid_encoding_and_kept_as_base64(byte[] value)
    {
        var dl = Dead(value);
        Assert.Equal("invalid_encoding", dl.ReasonCode);
        Assert.Equal(DeadLetter.EncodingBase64, dl.PayloadEncoding);
        Assert.Equal(value, Convert.FromBase64String(dl.Payload));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"transaction_id\":\"a\",}")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("[1,2")]
    [InlineData("{'transaction_id':'a'}")]
    [InlineData("NaN")]
    [InlineData("{\"price\": 01}")]
    [InlineData("// comment\n{}")]
    public void Unparseable_json_is_malformed_json(string json) =>
        Assert.Equal("malformed_json", Dead(json).ReasonCode);

    [Fact]
    public void Deep_nesting_is_malformed_not_a_crash()
    {
        var deep = "{\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        var dl = Dead(deep);
        Assert.Equal("malformed_json", dl.ReasonCode);
        Assert.Contains("depth", dl.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Nesting_within_the_limit_is_fine()
    {
        var nested = With("user_id", "\"u\"")[..^1] + ",\"extra\":" + new string('[', 60) + new string(']', 60) + "}";
        Assert.Equal("u", Row(nested).UserId);
    }

    [Theory]
    [InlineData("[1,2]", "array")]
    [InlineData("\"text\"", "string")]
    [InlineData("42", "number")]
    [InlineData("true", "boolean")]
    [InlineData("null", "null")]
    public void Json_that_is_not_an_object_says_its_kind(string json, string kind)
    {
        var dl = Dead(json);
        Assert.Equal(("not_an_object", kind), (dl.ReasonCode, dl.Detail));
    }

    [Theory]
    [InlineData("{\"transaction_id\":\"a\",\"transaction_id\":\"b\"}", "transaction_id")]
    [InlineData("{\"price\":1,\"user_id\":\"u\",\"price\":1000}", "price")]
    [InlineData("{\"transaction_id\":\"a\",\"transactionId\":\"a\"}", "transaction_id")]
    public void A_known_field_given_twice_is_malformed(string json, string field)
    {
        var dl = Dead(json);
        Assert.Equal("malformed_json", dl.ReasonCode);
        Assert.Equal($"duplicate field '{field}'", dl.Detail);
    }

    [Fact]
    public void Unknown_fields_are_ignored_even_when_repeated()
    {
        var json = With("user_id", "\"u\"")[..^1] + ",\"note\":1,\"note\":{\"deep\":[1,2,3]},\"Price\":\"x\"}";
        Assert.Equal(19.99m, Row(json).Price);
    }

    [Fact]
    public void A_leading_byte_order_mark_is_tolerated()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(With("user_id", "\"u\""))).ToArray();
        Assert.Single(Processor().Process([Record(bytes)]).Rows);
    }

    [Fact]
    public void Escaped_property_names_are_recognised()
    {
        var json = With("user_id", "\"u\"").Replace("\"price\"", "\"pr\\u0069ce\"", StringComparison.Ordinal);
        Assert.Equal(19.99m, Row(json).Price);
    }

    // The first failing check decides: reason-table order, then field order.
    [Theory]
    [InlineData("{\"user_id\":true,\"price\":-1}", "missing_field", "transaction_id")]
    [InlineData("{\"transaction_id\":true,\"user_id\":\"u\",\"price\":1,\"timestamp\":1}", "missing_field", "product_id")]
    [InlineData("{\"transaction_id\":\"t\",\"user_id\":\"u\",\"product_id\":\"p\",\"price\":\"x\"}", "missing_field", "timestamp")]
    [InlineData("{\"transaction_id\":\"t\",\"user_id\":1.5,\"product_id\":false,\"price\":1,\"timestamp\":1}", "invalid_field", "user_id")]
    [InlineData("{\"transaction_id\":\"t\",\"user_id\":\"u\",\"product_id\":\"p\",\"price\":-1,\"currency\":\"XX\",\"timestamp\":\"bad\"}", "invalid_field", "currency")]
    [InlineData("{\"transaction_id\":\"t\",\"user_id\":\"u\",\"product_id\":\"p\",\"price\":-1,\"timestamp\":\"bad\"}", "invalid_price", "-1")]
    [InlineData("{\"transaction_id\":\"t\",\"user_id\":\"u\",\"product_id\":\"p\",\"price\":1,\"timestamp\":\"bad\"}", "invalid_timestamp", "bad")]
    public void The_first_failure_decides(string json, string reason, string detail)
    {
        var dl = Dead(json);
        Assert.Equal((reason, detail), (dl.ReasonCode, dl.Detail));
    }

    [Fact]
    public void Every_reason_code_is_in_contract_order() =>
        Assert.Equal(
        [
            "message_too_large", "invalid_encoding", "malformed_json", "not_an_object", "missing_field", "invalid_field",
            "invalid_price", "invalid_timestamp", "timestamp_in_future", "timestamp_too_old", "rejected_by_sink", "internal_error",
        ], DeadLetterReasons.All);
}
