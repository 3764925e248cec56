namespace Ecommerce.Pipeline.Core.Parsing;

/// <summary>
/// Canonical payment methods (docs/contract.md, "Input forms"). Matching ignores case, spaces, <c>_</c> and <c>-</c>.
/// </summary>
public static class PaymentMethods
{
    public const string CreditCard = "credit_card";
    public const string DebitCard = "debit_card";
    public const string PayPal = "paypal";
    public const string ApplePay = "apple_pay";
    public const string GooglePay = "google_pay";
    public const string BankTransfer = "bank_transfer";
    public const string GiftCard = "gift_card";
    public const string CashOnDelivery = "cash_on_delivery";
    public const string Crypto = "crypto";
    public const string Other = "other";
    public const string Unknown = "unknown";

    /// <summary>Every canonical value, including <c>other</c> and <c>unknown</c>.</summary>
    public static IReadOnlyList<string> All { get; } =
        [CreditCard, DebitCard, PayPal, ApplePay, GooglePay, BankTransfer, GiftCard, CashOnDelivery, Crypto, Other, Unknown];

    // Keys are normalised: lower case, without spaces, '_' and '-'.
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["creditcard"] = CreditCard, ["cc"] = CreditCard, ["visa"] = CreditCard, ["mastercard"] = CreditCard,
        ["amex"] = CreditCard, ["credit"] = CreditCard,
        ["debitcard"] = DebitCard, ["debit"] = DebitCard,
        ["paypal"] = PayPal,
        ["applepay"] = ApplePay,
        ["googlepay"] = GooglePay, ["gpay"] = GooglePay,
        ["banktransfer"] = BankTransfer, ["wire"] = BankTransfer, ["ach"] = BankTransfer, ["sepa"] = BankTransfer,
        ["giftcard"] = GiftCard,
        ["cashondelivery"] = CashOnDelivery, ["cod"] = CashOnDelivery, ["cash"] = CashOnDelivery,
        ["crypto"] = Crypto, ["bitcoin"] = Crypto, ["btc"] = Crypto,
    };

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan =
        Known.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Maps raw text to its canonical value: <c>unknown</c> when missing or blank, <c>other</c> when unrecognised.</summary>
    public static string Canonicalize(ReadOnlySpan<char> raw)
    {
        // Longest known key is 14 chars; anything much longer cannot match.
        Span<char> buffer = stackalloc char[32];
        var length = 0;
        var sawContent = false;
        foreach (var c in raw)
        {
            if (c is ' ' or '_' or '-' || char.IsWhiteSpace(c))
            {
                continue;
            }

            sawContent = true;
            if (length == buffer.Length)
            {
                return Other;
            }

            buffer[length++] = char.ToLowerInvariant(c);
        }

        if (!sawContent)
        {
            return raw.IsWhiteSpace() ? Unknown : Other;
        }

        return KnownBySpan.TryGetValue(buffer[..length], out var canonical) ? canonical : Other;
    }
}
