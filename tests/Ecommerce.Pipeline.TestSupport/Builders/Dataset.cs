using System.Globalization;
using System.Text;

namespace Ecommerce.Pipeline.TestSupport;

/// <summary>
/// Messages whose fate the test knows in advance: valid ones with unique ids, and invalid ones of several kinds
/// (most with a readable transaction_id, so their dead letters can be matched one by one).
/// </summary>
public sealed class Dataset
{
    private Dataset(List<(string Key, string Value)> messages, HashSet<string> validIds, Dictionary<string, string> invalidIds,
        int invalidWithoutId)
    {
        Messages = messages;
        ValidIds = validIds;
        InvalidIds = invalidIds;
        InvalidWithoutId = invalidWithoutId;
    }

    public IReadOnlyList<(string Key, string Value)> Messages { get; }
    public HashSet<string> ValidIds { get; }

    /// <summary>transaction_id → expected reason, for invalid messages whose id can be read.</summary>
    public Dictionary<string, string> InvalidIds { get; }

    public int InvalidWithoutId { get; }
    public int InvalidCount => InvalidIds.Count + InvalidWithoutId;

    public static Dataset Create(int count, double invalidRatio, string runId)
    {
        var now = DateTime.UtcNow;
        var messages = new List<(string, string)>(count);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var invalid = new Dictionary<string, string>(StringComparer.Ordinal);
        var invalidWithoutId = 0;
        var everyNth = invalidRatio > 0 ? (int)Math.Round(1 / invalidRatio) : int.MaxValue;
        for (var i = 0; i < count; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{runId}-{i:D7}");
            var user = string.Create(CultureInfo.InvariantCulture, $"user-{i % 997}");
            var ts = now.AddMilliseconds(-i % 60_000).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var price = string.Create(CultureInfo.InvariantCulture, $"{1 + i % 500}.{i % 100:D2}");
            string value;
            if (i % everyNth == everyNth - 1)
            {
                switch ((i / everyNth) % 5)
                {
                    case 0:
                        value = $"{{\"transaction_id\":\"{id}\",\"user_id\":\"{user}\",\"product_id\":\"p-{i % 50}\",\"price\":-{price},\"timestamp\":\"{ts}\"}}";
                        invalid[id] = "invalid_price";
                        break;
                    case 1:
                        value = $"{{\"transaction_id\":\"{id}\",\"product_id\":\"p-{i % 50}\",\"price\":{price},\"timestamp\":\"{ts}\"}}";
                        invalid[id] = "missing_field";
                        break;
                    case 2:
                        value = $"{{\"transaction_id\":\"{id}\",\"user_id\":\"{user}\",\"product_id\":\"p-{i % 50}\",\"price\":{price},\"timestamp\":\"not a time\"}}";
                        invalid[id] = "invalid_timestamp";
                        break;
                    case 3:
                        value = $"{{\"transaction_id\":\"{id}\",\"user_id\":\"{user}\" broken";
                        invalidWithoutId++;
                        break;
                    default:
                        value = $"[\"{id}\"]";
                        invalidWithoutId++;
                        break;
                }
            }
            else
            {
                value = $"{{\"transaction_id\":\"{id}\",\"user_id\":\"{user}\",\"product_id\":\"p-{i % 50}\",\"price\":{price},\"timestamp\":\"{ts}\",\"payment_method\":\"visa\",\"geolocation\":\"Paris, FR\"}}";
                valid.Add(id);
            }

            messages.Add((user, value));
        }

        return new Dataset(messages, valid, invalid, invalidWithoutId);
    }

    /// <summary>JSON lines, as <c>pipeline produce --file</c> reads them.</summary>
    public string WriteJsonLines(string path)
    {
        File.WriteAllText(path, string.Join('\n', Messages.Select(m => m.Value)) + "\n", new UTF8Encoding(false));
        return path;
    }

    /// <summary>key:value lines, as <c>kcat -P -K:</c> reads them.</summary>
    public string WriteKeyedLines(string path)
    {
        File.WriteAllText(path, string.Join('\n', Messages.Select(m => m.Key + ":" + m.Value)) + "\n", new UTF8Encoding(false));
        return path;
    }
}
