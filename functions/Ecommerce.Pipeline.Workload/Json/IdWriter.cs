using System.Globalization;
using System.Text.Json;

namespace Ecommerce.Pipeline.Workload.Json;

/// <summary>Writes the three ids in the forms clients send them: strings, legacy numbers, numeric strings, padding.</summary>
internal sealed class IdWriter(Random rng, Utf8JsonWriter writer, uint seed)
{
    public void WriteTransactionId(JsonEncodedText name, long sequence)
    {
        var form = rng.NextDouble();
        if (form < 0.03)
        {
            // Some legacy clients send numeric ids; the seed keeps them apart between runs.
            writer.WriteNumber(name, unchecked((long)((ulong)seed * 1_000_000_000UL)) + sequence);
            return;
        }

        Span<byte> text = stackalloc byte[48];
        if (form < 0.04)
        {
            // Padding that the processor trims.
            text[0] = (byte)' ';
            var length = 1 + Ids.FormatTransactionId(seed, sequence, text[1..]);
            text[length] = (byte)' ';
            writer.WriteString(name, text[..(length + 1)]);
            return;
        }

        writer.WriteString(name, text[..Ids.FormatTransactionId(seed, sequence, text)]);
    }

    public void WriteUserId(JsonEncodedText name, int user)
    {
        if (Ids.IsNumericUser(user))
        {
            if (rng.NextDouble() < 0.7)
            {
                writer.WriteNumber(name, Ids.NumericUserId(user));
            }
            else
            {
                // The same id as a numeric string: stored identically.
                Span<byte> text = stackalloc byte[16];
                writer.WriteString(name, text[..Ids.FormatUserId(user, text)]);
            }

            return;
        }

        Span<byte> id = stackalloc byte[16];
        writer.WriteString(name, id[..Ids.FormatUserId(user, id)]);
    }

    public void WriteProductId(JsonEncodedText name, int product)
    {
        // Every eighth product comes from a legacy catalogue with numeric SKUs.
        if (product % 8 == 0)
        {
            if (rng.NextDouble() < 0.8)
            {
                writer.WriteNumber(name, 100_000 + product);
            }
            else
            {
                Span<byte> digits = stackalloc byte[12];
                (100_000 + product).TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
                writer.WriteString(name, digits[..n]);
            }

            return;
        }

        Span<byte> text = stackalloc byte[16];
        "SKU-"u8.CopyTo(text);
        product.TryFormat(text[4..], out var written, "D5", CultureInfo.InvariantCulture);
        writer.WriteString(name, text[..(4 + written)]);
    }
}
