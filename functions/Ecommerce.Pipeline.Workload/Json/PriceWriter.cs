using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Workload.Shop;

namespace Ecommerce.Pipeline.Workload.Json;

/// <summary>
/// Writes a product's price in the session's currency and price form (<c>15.00</c>, <c>"$1,299.99"</c>,
/// <c>"1299.99 USD"</c>, <c>"EUR 15"</c>, ...), now and then discounted, with an optional consistent currency field.
/// </summary>
internal sealed class PriceWriter(Random rng, Utf8JsonWriter writer, Catalogue catalogue)
{
    /// <summary>Minor units as a decimal with two places, so JSON numbers read like prices (<c>15.00</c>).</summary>
    public static decimal Amount(long cents) => new((int)(uint)cents, (int)(cents >> 32), 0, false, 2);

    public void Write(in Session session, int product)
    {
        var currency = ShopCurrencies.All[session.Currency];
        var cents = currency.Convert(catalogue.BaseCents(product));
        if (rng.NextDouble() < 0.15)
        {
            // A discount of 10–30 %.
            cents = currency.Round(cents * (70 + rng.Next(21)) / 100);
        }

        var amount = Amount(cents);
        var form = session.PriceForm == PriceForm.Symbol && currency.SymbolUtf8 is null ? PriceForm.CodeBefore : session.PriceForm;
        var w = writer;
        Span<byte> text = stackalloc byte[48];
        switch (form)
        {
            case PriceForm.Number:
                if (rng.NextDouble() < 0.06)
                {
                    w.WriteNumber(FieldNames.Price, (long)decimal.Round(amount, MidpointRounding.AwayFromZero));
                }
                else
                {
                    w.WriteNumber(FieldNames.Price, amount);
                }

                break;

            case PriceForm.NumericString:
            {
                amount.TryFormat(text, out var n, "0.00", CultureInfo.InvariantCulture);
                w.WriteString(FieldNames.Price, text[..n]);
                break;
            }

            case PriceForm.Symbol:
            {
                // "$1,299.99", "€15.00", "£12.50", "¥1,500"
                var symbol = currency.SymbolUtf8!;
                symbol.CopyTo(text);
                amount.TryFormat(text[symbol.Length..], out var n, currency.Whole ? "N0" : "N2", CultureInfo.InvariantCulture);
                w.WriteString(FieldNames.Price, text[..(symbol.Length + n)]);
                break;
            }

            case PriceForm.CodeAfter:
            {
                // "1299.99 USD"
                amount.TryFormat(text, out var n, currency.Whole ? "0" : "0.00", CultureInfo.InvariantCulture);
                text[n++] = (byte)' ';
                currency.CodeUtf8.CopyTo(text[n..]);
                w.WriteString(FieldNames.Price, text[..(n + 3)]);
                break;
            }

            default:
            {
                // "EUR 15", "EUR 15.50"
                currency.CodeUtf8.CopyTo(text);
                text[3] = (byte)' ';
                var whole = cents % 100 == 0 || currency.Whole;
                amount.TryFormat(text[4..], out var n, whole ? "0" : "0.00", CultureInfo.InvariantCulture);
                w.WriteString(FieldNames.Price, text[..(4 + n)]);
                break;
            }
        }

        // An optional currency field, consistent with the price; '¥' is ambiguous (JPY or CNY), so never paired.
        var ambiguousSymbol = form == PriceForm.Symbol && currency.Code == "JPY";
        var withCurrency = form switch
        {
            PriceForm.Number or PriceForm.NumericString => !currency.IsDefault || rng.NextDouble() < 0.3,
            _ => !ambiguousSymbol && rng.NextDouble() < 0.4,
        };
        if (withCurrency)
        {
            w.WriteString(FieldNames.Currency, rng.NextDouble() < 0.1 ? currency.CodeLower : currency.Code);
        }
    }
}
