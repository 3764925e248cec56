using System.Text;
using static Ecommerce.Pipeline.Core.Tests.Parsing.Harness;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

/// <summary>
/// docs/contract.md, "Input forms" (Text in strings): what each kind of string escape or odd byte sequence becomes,
/// a clean row or a dead letter with its reason. The JSON texts are written here with their escapes spelled out
/// (<c>\\u0000</c> in C# is the six characters <c>\u0000</c> in the message).
/// </summary>
public sealed class EscapeTests
{
    [Theory]
    [InlineData("user_id", "\"\\ud800\"", "\\ud800")]
    [InlineData("user_id", "\"u\\uDBFF\"", "\\uDBFF")]
    [InlineData("user_id", "\"\\udc00u\"", "\\udc00")]
    [InlineData("user_id", "\"\\ud800\\u0041\"", "\\ud800")]
    [InlineData("user_id", "\"\\ude00\\ud83d\"", "\\ude00")]
    [InlineData("payment_method", "\"vi\\ud800sa\"", "\\ud800")]
    [InlineData("geolocation", "\"Paris\\udfff, FR\"", "\\udfff")]
    [InlineData("note", "\"ignored field \\ud800\"", "\\ud800")]
    public void A_lone_surrogate_escape_anywhere_is_invalid_encoding_with_where_it_is(string field, string value, string escape)
    {
        var json = With(field, value);
        var dl = Dead(json);
        var at = Encoding.UTF8.GetByteCount(json[..json.IndexOf(escape, StringComparison.Ordinal)]);
        Assert.Equal(("invalid_encoding", $"lone surrogate escape {escape} at byte {at}"), (dl.ReasonCode, dl.Detail));
        Assert.Equal(json, dl.Payload);
        Assert.Equal("utf8", dl.PayloadEncoding);
    }

    [Fact]
    public void A_lone_surrogate_escape_in_a_field_name_is_invalid_encoding() =>
        Assert.Equal("invalid_encoding", Dead("{\"user\\ud800_id\":1," + With("user_id", "\"u\"")[1..]).ReasonCode);

    [Theory]
    [InlineData("\"\\ud83d\\ude00\"", "\U0001F600")]          // a surrogate pair is one character
    [InlineData("\"\\uD83D\\uDE00x\"", "\U0001F600x")]
    [InlineData("\"\\\\ud800\"", "\\ud800")]                   // an escaped backslash, then plain text
    [InlineData("\"\\uffff\\ufffe\\ufdd0\"", "\uffff\ufffe\ufdd0")] // noncharacters are Unicode text
    [InlineData("\"\\u0075\\u0031\"", "u1")]
    [InlineData("\"\\t u1 \\n\"", "u1")]                        // escaped whitespace at the ends is trimmed
    [InlineData("\"\\u00e9\\u4e2d\"", "é中")]
    public void Escapes_that_spell_unicode_text_give_a_clean_row_with_that_text(string value, string expected) =>
        Assert.Equal(expected, Row(With("user_id", value)).UserId);

    [Theory]
    [InlineData("transaction_id", "\"t\\u0000x\"")]
    [InlineData("user_id", "\"\\u0000\"")]
    [InlineData("user_id", "\"u\\u001fx\"")]
    [InlineData("product_id", "\"p\\u007f\"")]
    [InlineData("product_id", "\"p\\u0085q\"")]
    [InlineData("user_id", "\"u\\tx\"")]
    [InlineData("currency", "\"US\\u0000D\"")]
    public void A_control_character_inside_an_id_or_the_currency_is_invalid_field(string field, string value)
    {
        var dl = Dead(With(field, value));
        Assert.Equal(("invalid_field", field), (dl.ReasonCode, dl.Detail));
    }

    [Fact]
    public void Nul_and_controls_in_text_fields_are_kept_exactly_as_sent()
    {
        var row = Row(With("payment_method", "\"vi\\u0000sa\"").Replace("\"Paris, FR\"", "\"Pa\\u0000ris\\u0001, FR\"", StringComparison.Ordinal));
        Assert.Equal(("other", "vi\0sa"), (row.PaymentMethod, row.PaymentMethodRaw));
        Assert.Equal(("Pa\0ris\u0001", "FR", "Pa\0ris\u0001, FR"), (row.City, row.CountryCode, row.GeolocationRaw));
    }

    [Theory]
    [InlineData("price", "\"1\\u00000\"", "invalid_price", "1\u00000")]
    [InlineData("timestamp", "\"2026-11-25T11:59:00Z\\u0000\"", "invalid_timestamp", "2026-11-25T11:59:00Z\0")]
    public void Nul_in_a_rejected_value_is_kept_in_the_detail(string field, string value, string reason, string detail)
    {
        var dl = Dead(With(field, value));
        Assert.Equal((reason, detail), (dl.ReasonCode, dl.Detail));
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0xAF })]             // overlong '/'
    [InlineData(new byte[] { 0xE0, 0x80, 0xAF })]       // overlong '/', three bytes
    [InlineData(new byte[] { 0xF0, 0x80, 0x80, 0xAF })] // overlong '/', four bytes
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]       // a surrogate encoded as UTF-8
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // beyond U+10FFFF
    [InlineData(new byte[] { 0xFF })]
    public void Overlong_or_impossible_utf8_in_a_string_is_invalid_encoding_with_the_bytes_in_base64(byte[] bad)
    {
        var json = Encoding.UTF8.GetBytes(With("user_id", "\"u@\""));
        var at = Array.IndexOf(json, (byte)'@');
        byte[] value = [.. json[..at], .. bad, .. json[(at + 1)..]];
        var dl = Dead(value);
        Assert.Equal(("invalid_encoding", null, "base64"), (dl.ReasonCode, dl.Detail, dl.PayloadEncoding));
        Assert.Equal(value, Convert.FromBase64String(dl.Payload));
    }

    [Fact]
    public void A_raw_nul_byte_inside_a_string_is_malformed_json_and_the_payload_keeps_it()
    {
        var json = With("payment_method", "\"vi\0sa\"");
        var dl = Dead(json);
        Assert.Equal("malformed_json", dl.ReasonCode);
        Assert.Equal(json, dl.Payload);
    }

    // invalid_encoding is checked before malformed_json: a lone high surrogate decides even when what follows is broken.
    [Theory]
    [InlineData("\"\\u12\"", "malformed_json")]
    [InlineData("\"\\x41\"", "malformed_json")]
    [InlineData("\"\\ud800\\u12\"", "invalid_encoding")]
    public void A_broken_escape_is_malformed_json_unless_it_leaves_a_lone_surrogate(string value, string reason) =>
        Assert.Equal(reason, Dead(With("user_id", value)).ReasonCode);
}
