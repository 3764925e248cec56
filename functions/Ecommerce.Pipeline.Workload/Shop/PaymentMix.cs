namespace Ecommerce.Pipeline.Workload.Shop;

/// <summary>The payment methods of a typical shop, as clients spell them (aliases, unknown ones, none at all).</summary>
internal static class PaymentMix
{
    private static readonly (string? Raw, double Weight)[] Payments =
    [
        ("credit_card", 29), ("Credit Card", 5), ("visa", 5), ("mastercard", 3), ("amex", 1), ("CREDIT_CARD", 2),
        ("debit_card", 12), ("debit", 2), ("Debit Card", 1),
        ("paypal", 11), ("PayPal", 4),
        ("apple_pay", 6), ("Apple Pay", 2),
        ("google_pay", 4), ("gpay", 1), ("Google Pay", 1),
        ("bank_transfer", 3), ("sepa", 0.5), ("wire", 0.5),
        ("gift_card", 2.5), ("Gift-Card", 0.5),
        ("cash_on_delivery", 1.2), ("COD", 0.8),
        ("crypto", 0.5), ("btc", 0.3), ("bitcoin", 0.2),
        // Unrecognised by the pipeline: stored as "other".
        ("klarna", 0.8), ("afterpay", 0.4), ("store credit", 0.3),
        // Missing: stored as "unknown".
        (null, 2.5),
    ];

    // Declared after Payments: static initialisers run in text order.
    private static readonly double[] Cdf = Draws.Cumulative(Payments.Select(p => p.Weight));

    /// <summary>A payment method as sent, or <c>null</c> for none (one draw).</summary>
    public static string? Next(Random rng) => Payments[rng.Pick(Cdf)].Raw;
}
