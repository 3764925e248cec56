using System.Diagnostics.CodeAnalysis;

namespace Ecommerce.Pipeline.Core.Parsing;

/// <summary>ISO 4217 currency codes and the symbols the contract accepts inside a price.</summary>
public static class Currencies
{
    public const string Default = "USD";

    // Active ISO 4217 codes (list of 2025), without XXX ("no currency") and XTS ("testing").
    private const string ActiveCodes =
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD " +
        "CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP " +
        "GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW " +
        "KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN " +
        "NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL " +
        "SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES " +
        "VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL";

    // Keyed by the upper-case code; the value is the interned instance, so a parsed code never allocates.
    private static readonly Dictionary<string, string> Codes =
        ActiveCodes.Split(' ').ToDictionary(c => c, c => c, StringComparer.Ordinal);

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> CodesBySpan =
        Codes.GetAlternateLookup<ReadOnlySpan<char>>();

    // '$' and '¥' are shared by several currencies; a symbol is consistent with any of its family.
    private static readonly HashSet<string> DollarCodes =
        ["USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN", "TWD", "ARS", "CLP", "COP", "BSD", "BBD", "BZD", "BMD",
         "BND", "FJD", "GYD", "JMD", "KYD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "CUP", "DOP", "UYU"];

    private static readonly HashSet<string> YenCodes = ["JPY", "CNY"];
    private static readonly HashSet<string> PoundCodes = ["GBP", "EGP", "GIP", "FKP", "SHP"];

    public static IReadOnlyCollection<string> All => Codes.Keys;

    /// <summary>Recognises a three-letter code in any case; returns the canonical upper-case instance.</summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? code)
    {
        code = null;
        if (text.Length != 3)
        {
            return false;
        }

        Span<char> upper = stackalloc char[3];
        for (var i = 0; i < 3; i++)
        {
            var c = text[i];
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }

            upper[i] = char.ToUpperInvariant(c);
        }

        return CodesBySpan.TryGetValue(upper, out code);
    }

    /// <summary>The symbols the contract accepts inside a price, in the order of <see cref="FromSymbol"/>.</summary>
    public const string Symbols = "$€£¥";

    /// <summary>The default code for a symbol the contract accepts: <c>$ € £ ¥</c>.</summary>
    public static string? FromSymbol(char symbol) => symbol switch
    {
        '$' => "USD",
        '€' => "EUR",
        '£' => "GBP",
        '¥' => "JPY",
        _ => null,
    };

    /// <summary>
    /// The symbol that means <paramref name="code"/> on its own (<c>$</c> for USD), or <c>null</c> when no symbol does
    /// (CAD is written <c>$</c> only next to an explicit <c>currency</c> field): the inverse of <see cref="FromSymbol"/>.
    /// </summary>
    public static string? SymbolFor(string code)
    {
        foreach (var symbol in Symbols)
        {
            if (FromSymbol(symbol) == code)
            {
                return symbol.ToString();
            }
        }

        return null;
    }

    /// <summary>Whether a price's currency (from a code or symbol) agrees with the explicit <c>currency</c> field.</summary>
    public static bool Agrees(string fromPrice, bool fromSymbol, string explicitCode)
    {
        if (fromPrice == explicitCode)
        {
            return true;
        }

        if (!fromSymbol)
        {
            return false;
        }

        return fromPrice switch
        {
            "USD" => DollarCodes.Contains(explicitCode),
            "JPY" => YenCodes.Contains(explicitCode),
            "GBP" => PoundCodes.Contains(explicitCode),
            _ => false,
        };
    }
}
