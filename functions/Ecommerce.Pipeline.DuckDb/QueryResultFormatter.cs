using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>Renders a <see cref="QueryResult"/> as CSV, JSON or an aligned text table; invariant culture throughout.</summary>
public static class QueryResultFormatter
{
    public static string Format(QueryResult result, QueryOutputFormat format) => format switch
    {
        QueryOutputFormat.Table => ToTable(result),
        QueryOutputFormat.Csv => ToCsv(result),
        QueryOutputFormat.Json => ToJson(result),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown format."),
    };

    /// <summary>Parses <c>table</c>, <c>csv</c> or <c>json</c>, ignoring case.</summary>
    public static bool TryParseFormat(string? text, out QueryOutputFormat format) =>
        Enum.TryParse(text, ignoreCase: true, out format) && Enum.IsDefined(format) && !int.TryParse(text, out _);

    /// <summary>
    /// A header line, then one line per row, each ended by <c>\n</c>. Fields holding a comma, a quote, CR or LF are
    /// quoted with quotes doubled (RFC 4180); NULL is an empty field.
    /// </summary>
    public static string ToCsv(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        AppendCsvLine(text, result.Columns.Select(c => c.Name));
        foreach (var row in result.Rows)
        {
            AppendCsvLine(text, row.Select(v => v is null ? "" : FormatValue(v)));
        }

        return text.ToString();
    }

    /// <summary>
    /// One JSON array of objects (column name → value), so the whole output is one valid document. Numbers stay
    /// numbers (decimals with their scale, e.g. <c>15.00</c>); timestamps and dates are ISO 8601 strings.
    /// </summary>
    public static string ToJson(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in result.Rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < result.Columns.Count; i++)
                {
                    json.WritePropertyName(result.Columns[i].Name);
                    WriteJsonValue(json, row[i]);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>An aligned plain-text table: header, rule, rows (numbers right-aligned, NULL as <c>NULL</c>), row count.</summary>
    public static string ToTable(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var columns = result.Columns.Count;
        var cells = result.Rows.Select(r => r.Select(v => v is null ? "NULL" : FormatValue(v)).ToArray()).ToList();
        var widths = new int[columns];
        var rightAligned = new bool[columns];
        for (var i = 0; i < columns; i++)
        {
            widths[i] = Math.Max(result.Columns[i].Name.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length));
            rightAligned[i] = result.Rows.Count > 0 && result.Rows.All(r => r[i] is null || IsNumber(r[i]!));
        }

        var text = new StringBuilder();
        AppendTableLine(text, [.. result.Columns.Select(c => c.Name)], widths, rightAligned);
        text.AppendJoin("-+-", widths.Select(w => new string('-', w))).Append('\n');
        foreach (var row in cells)
        {
            AppendTableLine(text, row, widths, rightAligned);
        }

        return text.Append('(').Append(result.Rows.Count.ToString(CultureInfo.InvariantCulture))
            .Append(result.Rows.Count == 1 ? " row)\n" : " rows)\n").ToString();
    }

    /// <summary>
    /// One value as text: decimals as stored (<c>1299.99</c>), doubles in shortest round-trip form, timestamps as
    /// ISO 8601 UTC with up to 6 fraction digits (<c>2024-05-06T07:08:09.123456Z</c>), dates as <c>yyyy-MM-dd</c>.
    /// </summary>
    public static string FormatValue(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            DateTime dateTime => FormatTimestamp(dateTime),
            DateTimeOffset offset => FormatTimestamp(offset.UtcDateTime),
            DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TimeOnly time => time.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
            byte[] bytes => Convert.ToBase64String(bytes),
            IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => FormatValue(k) + ": " + FormatNullable(map[k]))) + "}",
            IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(FormatNullable)) + "]",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    private static string FormatNullable(object? value) => value is null ? "NULL" : FormatValue(value);

    private static string FormatTimestamp(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);
    }

    private static bool IsNumber(object value) => value is sbyte or byte or short or ushort or int or uint or long or ulong
        or float or double or decimal or BigInteger or Int128 or UInt128;

    private static void AppendCsvLine(StringBuilder text, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                text.Append(',');
            }

            first = false;
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                text.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                text.Append(field);
            }
        }

        text.Append('\n');
    }

    private static void AppendTableLine(StringBuilder text, string[] cells, int[] widths, bool[] rightAligned)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                text.Append(" | ");
            }

            text.Append(rightAligned[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
        }

        // No trailing spaces after the last column.
        while (text.Length > 0 && text[^1] == ' ')
        {
            text.Length--;
        }

        text.Append('\n');
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case decimal d:
                json.WriteNumberValue(d);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case long or int or short or sbyte or byte or ushort or uint:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                json.WriteNumberValue(u);
                break;
            case BigInteger or Int128 or UInt128:
                json.WriteRawValue(FormatValue(value));
                break;
            case IDictionary map:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    json.WritePropertyName(FormatValue(entry.Key));
                    WriteJsonValue(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IEnumerable items and not byte[]:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    WriteJsonValue(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(FormatValue(value));
                break;
        }
    }
}
