using System.Text.Json;
using Ecommerce.Pipeline.Workload.Json;

namespace Ecommerce.Pipeline.Workload.Defects;

/// <summary>Writes one field wrongly: missing, an id of the wrong kind, or a price the contract refuses.</summary>
internal sealed class FieldDefects(Utf8JsonWriter writer, uint seed)
{
    /// <summary>0: absent, 1: null, 2: empty, 3: blank.</summary>
    public void WriteMissing(JsonEncodedText name, int how)
    {
        switch (how)
        {
            case 0:
                return; // absent
            case 1:
                writer.WriteNull(name);
                return;
            case 2:
                writer.WriteString(name, ""u8);
                return;
            default:
                writer.WriteString(name, "   "u8);
                return;
        }
    }

    /// <summary>One of <see cref="Garbage.BadIdKinds"/> wrong ids.</summary>
    public void WriteBadId(JsonEncodedText name, int kind, long sequence)
    {
        switch (kind)
        {
            case 0:
                writer.WriteBoolean(name, true);
                break;
            case 1:
                writer.WriteNumber(name, sequence + 0.5);
                break;
            case 2:
                writer.WritePropertyName(name);
                writer.WriteStartArray();
                writer.WriteNumberValue(sequence);
                writer.WriteEndArray();
                break;
            case 3:
                writer.WritePropertyName(name);
                writer.WriteStartObject();
                writer.WriteNumber("id"u8, sequence);
                writer.WriteEndObject();
                break;
            case 4:
            {
                // Longer than 128 characters.
                Span<byte> text = stackalloc byte[160];
                var length = Ids.FormatTransactionId(seed, sequence, text);
                text[length..].Fill((byte)'x');
                writer.WriteString(name, text);
                break;
            }

            default:
            {
                // A control character inside an otherwise ordinary id.
                Span<byte> text = stackalloc byte[40];
                var length = Ids.FormatTransactionId(seed, sequence, text);
                text[length] = 0x07;
                text[length + 1] = (byte)'z';
                writer.WriteString(name, text[..(length + 2)]);
                break;
            }
        }
    }

    /// <summary>One of <see cref="Garbage.BadPriceKinds"/> invalid prices (some with a contradicting currency field).</summary>
    public void WriteBadPrice(int kind)
    {
        var w = writer;
        switch (kind)
        {
            case 0: w.WriteString(FieldNames.Price, "abc"u8); break;
            case 1: w.WriteString(FieldNames.Price, "12.3.4"u8); break;
            case 2: w.WriteNumber(FieldNames.Price, -12.5m); break;
            case 3: w.WriteString(FieldNames.Price, "-5.00"u8); break;
            case 4: w.WriteNumber(FieldNames.Price, 1_000_000.01m); break;
            case 5: w.WriteString(FieldNames.Price, "$2,500,000.00"u8); break;
            case 6: w.WriteString(FieldNames.Price, "NaN"u8); break;
            case 7: w.WriteString(FieldNames.Price, "Infinity"u8); break;
            case 8:
                w.WritePropertyName(FieldNames.Price);
                w.WriteRawValue("1e400"u8, skipInputValidation: true);
                break;
            case 9:
                // The currency inside the price contradicts the currency field.
                w.WriteString(FieldNames.Price, "EUR 15.00"u8);
                w.WriteString(FieldNames.Currency, "USD"u8);
                break;
            default:
                w.WriteString(FieldNames.Price, "£12.50"u8);
                w.WriteString(FieldNames.Currency, "EUR"u8);
                break;
        }
    }
}
