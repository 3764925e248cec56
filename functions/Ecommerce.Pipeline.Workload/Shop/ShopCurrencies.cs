using System.Text;
using Ecommerce.Pipeline.Core.Parsing;

namespace Ecommerce.Pipeline.Workload.Shop;

/// <summary>
/// A currency the shop charges in. Code and symbol come from the contract's list (<see cref="Currencies"/>): the
/// symbol is the one that means this currency on its own inside a price, if any.
/// </summary>
internal sealed class ShopCurrency
{
    private readonly double _perUsd;

    /// <param name="code">An ISO 4217 code the pipeline accepts.</param>
    /// <param name="perUsd">Units of this currency per US dollar.</param>
    /// <param name="whole">Priced in whole units (yen), so amounts are written without decimals.</param>
    public ShopCurrency(string code, double perUsd, bool whole)
    {
        Code = Currencies.TryNormalize(code, out var known)
            ? known
            : throw new ArgumentException($"'{code}' is not an ISO 4217 code the pipeline accepts.", nameof(code));
        _perUsd = perUsd;
        Whole = whole;
        CodeUtf8 = Encoding.UTF8.GetBytes(Code);
        SymbolUtf8 = Currencies.SymbolFor(Code) is { } symbol ? Encoding.UTF8.GetBytes(symbol) : null;
        CodeLower = Code.ToLowerInvariant();
    }

    public string Code { get; }
    public bool Whole { get; }
    public byte[] CodeUtf8 { get; }
    public byte[]? SymbolUtf8 { get; }
    public string CodeLower { get; }
    public bool IsDefault => Code == Currencies.Default;

    /// <summary>Converts US cents to this currency, in hundredths.</summary>
    public long Convert(long usdCents) => Round((long)(usdCents * _perUsd));

    /// <summary>Shop-style prices: x.49 / x.99, or whole tens of yen.</summary>
    public long Round(long hundredths) => Whole
        ? Math.Max(1_000, hundredths / 1_000 * 1_000)
        : Math.Max(49, hundredths / 100 * 100 + (hundredths % 100 < 50 ? 49 : 99));
}

/// <summary>The currencies the shop charges in, and which one a shopper in a country pays.</summary>
internal static class ShopCurrencies
{
    public static readonly ShopCurrency[] All =
    [
        new("USD", 1.0, false),
        new("EUR", 0.92, false),
        new("GBP", 0.79, false),
        new("JPY", 150, true),
        new("CAD", 1.36, false),
        new("AUD", 1.52, false),
    ];

    private static readonly HashSet<string> Euro = ["FR", "DE", "ES", "IT", "NL", "IE", "AT", "PT"];

    /// <summary>Most shops abroad still charge in US dollars; some charge locally. An index into <see cref="All"/>.</summary>
    public static int For(string country, double roll)
    {
        if (roll < 0.55)
        {
            return 0;
        }

        return country switch
        {
            "GB" => 2,
            "JP" => 3,
            "CA" => 4,
            "AU" => 5,
            _ when Euro.Contains(country) => 1,
            _ => 0,
        };
    }
}
