using Ecommerce.Pipeline.Core.Parsing;
using static Ecommerce.Pipeline.Core.Tests.Parsing.Harness;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

public sealed class PaymentMethodTests
{
    [Theory]
    [InlineData("credit_card", "credit_card")]
    [InlineData("Credit Card", "credit_card")]
    [InlineData("CREDIT-CARD", "credit_card")]
    [InlineData("cc", "credit_card")]
    [InlineData("Visa", "credit_card")]
    [InlineData("mastercard", "credit_card")]
    [InlineData("AMEX", "credit_card")]
    [InlineData("debit", "debit_card")]
    [InlineData("debit_card", "debit_card")]
    [InlineData("PayPal", "paypal")]
    [InlineData("apple pay", "apple_pay")]
    [InlineData("Google_Pay", "google_pay")]
    [InlineData("gpay", "google_pay")]
    [InlineData("bank transfer", "bank_transfer")]
    [InlineData("wire", "bank_transfer")]
    [InlineData("ACH", "bank_transfer")]
    [InlineData("sepa", "bank_transfer")]
    [InlineData("gift-card", "gift_card")]
    [InlineData("cash on delivery", "cash_on_delivery")]
    [InlineData("COD", "cash_on_delivery")]
    [InlineData("cash", "cash_on_delivery")]
    [InlineData("crypto", "crypto")]
    [InlineData("Bitcoin", "crypto")]
    [InlineData("btc", "crypto")]
    [InlineData("klarna", "other")]
    [InlineData("store credit voucher of some very long kind", "other")]
    [InlineData("", "unknown")]
    [InlineData("   ", "unknown")]
    public void Canonical_values(string raw, string expected) => Assert.Equal(expected, PaymentMethods.Canonicalize(raw));

    [Fact]
    public void Row_keeps_the_raw_text()
    {
        var row = Row(With("payment_method", "\" Apple Pay \""));
        Assert.Equal(("apple_pay", " Apple Pay "), (row.PaymentMethod, row.PaymentMethodRaw));
    }

    [Fact]
    public void Missing_is_unknown_and_non_strings_are_other()
    {
        var missing = Row(With("payment_method", null));
        Assert.Equal(("unknown", (string?)null), (missing.PaymentMethod, missing.PaymentMethodRaw));
        var numeric = Row(With("payment_method", "4"));
        Assert.Equal(("other", "4"), (numeric.PaymentMethod, numeric.PaymentMethodRaw));
    }
}
