using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Workload.Shop;

namespace Ecommerce.Pipeline.Workload.Json;

/// <summary>Writes an instant in one of the timestamp forms the contract accepts, at varying precision and offsets.</summary>
internal sealed class TimestampWriter(Random rng, Utf8JsonWriter writer)
{
    private static readonly TimeSpan[] Offsets =
    [
        TimeSpan.FromHours(-8), TimeSpan.FromHours(-5), TimeSpan.FromHours(-3), TimeSpan.Zero, TimeSpan.FromHours(1),
        TimeSpan.FromHours(2), new(5, 30, 0), TimeSpan.FromHours(8), TimeSpan.FromHours(9), TimeSpan.FromHours(10),
    ];

    public void Write(TimestampForm form, DateTimeOffset at)
    {
        var w = writer;
        Span<byte> text = stackalloc byte[40];
        int n;
        var utc = at.UtcDateTime;
        switch (form)
        {
            case TimestampForm.IsoZulu:
                utc.TryFormat(text, out n, Precision(), CultureInfo.InvariantCulture);
                text[n++] = (byte)'Z';
                w.WriteString(FieldNames.Timestamp, text[..n]);
                break;
            case TimestampForm.IsoOffset:
            {
                var offset = Offsets[rng.Next(Offsets.Length)];
                at.ToOffset(offset).TryFormat(text, out n, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
                w.WriteString(FieldNames.Timestamp, text[..n]);
                break;
            }

            case TimestampForm.IsoNoOffset:
                utc.TryFormat(text, out n, Precision(), CultureInfo.InvariantCulture);
                w.WriteString(FieldNames.Timestamp, text[..n]);
                break;
            case TimestampForm.SpaceSeparated:
                utc.TryFormat(text, out n, rng.NextDouble() < 0.7 ? "yyyy-MM-dd HH:mm:ss.fff" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                w.WriteString(FieldNames.Timestamp, text[..n]);
                break;
            case TimestampForm.EpochSeconds:
                w.WriteNumber(FieldNames.Timestamp, at.ToUnixTimeSeconds());
                break;
            case TimestampForm.EpochMilliseconds:
                w.WriteNumber(FieldNames.Timestamp, at.ToUnixTimeMilliseconds());
                break;
            default:
            {
                var epoch = rng.NextDouble() < 0.5 ? at.ToUnixTimeSeconds() : at.ToUnixTimeMilliseconds();
                epoch.TryFormat(text, out n, default, CultureInfo.InvariantCulture);
                w.WriteString(FieldNames.Timestamp, text[..n]);
                break;
            }
        }
    }

    private string Precision() => rng.NextDouble() switch
    {
        < 0.75 => "yyyy-MM-dd'T'HH:mm:ss.fff",
        < 0.9 => "yyyy-MM-dd'T'HH:mm:ss.ffffff",
        _ => "yyyy-MM-dd'T'HH:mm:ss",
    };
}
