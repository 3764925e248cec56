using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka;

namespace Ecommerce.Pipeline.IntegrationTests.Support;

/// <summary>A transaction message with a known Kafka timestamp (equal to its JSON <c>timestamp</c>) and a known fate.</summary>
internal sealed record TimedMessage(string Id, string Key, string Value, DateTimeOffset At, bool Valid, bool IdReadable);

/// <summary>Builds messages at chosen instants and produces them with those Kafka timestamps.</summary>
internal static partial class TimedMessages
{
    public static string Iso(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Now, truncated to whole seconds, so instants derived from it print exactly.</summary>
    public static DateTimeOffset WholeSecondNow() =>
        new(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>
    /// Message <paramref name="index"/> at <paramref name="at"/>. With <paramref name="withInvalid"/>, some are invalid:
    /// index % 20 == 7 a negative price, == 13 no user_id (both dead-lettered with their id), index % 40 == 3 not JSON.
    /// </summary>
    public static TimedMessage Create(string runId, int index, DateTimeOffset at, bool withInvalid)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{runId}-{index:D7}");
        var user = string.Create(CultureInfo.InvariantCulture, $"user-{index % 997}");
        var price = string.Create(CultureInfo.InvariantCulture, $"{1 + index % 500}.{index % 100:D2}");
        var ts = Iso(at);
        if (withInvalid && index % 40 == 3)
        {
            return new TimedMessage(id, user, $"{{\"transaction_id\":\"{id}\",\"user_id\" broken", at, Valid: false, IdReadable: false);
        }

        if (withInvalid && index % 20 == 7)
        {
            return new TimedMessage(id, user,
                $"{{\"transaction_id\":\"{id}\",\"user_id\":\"{user}\",\"product_id\":\"p-{index % 50}\",\"price\":-{price},\"timestamp\":\"{ts}\"}}",
                at, Valid: false, IdReadable: true);
        }

        if (withInvalid && index % 20 == 13)
        {
            return new TimedMessage(id, user,
                $"{{\"transaction_id\":\"{id}\",\"product_id\":\"p-{index % 50}\",\"price\":{price},\"timestamp\":\"{ts}\"}}",
                at, Valid: false, IdReadable: true);
        }

        return new TimedMessage(id, user,
            $"{{\"transaction_id\":\"{id}\",\"user_id\":\"{user}\",\"product_id\":\"p-{index % 50}\",\"price\":{price},\"timestamp\":\"{ts}\",\"payment_method\":\"visa\",\"geolocation\":\"Paris, FR\"}}",
            at, Valid: true, IdReadable: true);
    }

    /// <summary>Produces keyed messages with their Kafka timestamps and waits until every one is acknowledged.</summary>
    public static void Produce(string bootstrapServers, IEnumerable<TimedMessage> messages, string topic = "transactions_stream")
    {
        using var producer = new ProducerBuilder<string, string>(KafkaClientConfig.Producer(bootstrapServers, "backfill-it")).Build();
        Error? failure = null;
        foreach (var m in messages)
        {
            producer.Produce(topic, new Message<string, string>
            {
                Key = m.Key,
                Value = m.Value,
                Timestamp = new Timestamp(m.At.ToUnixTimeMilliseconds(), TimestampType.CreateTime),
            }, r =>
            {
                if (r.Error.IsError)
                {
                    failure ??= r.Error;
                }
            });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromMinutes(2)));
        Assert.True(failure is null, $"delivery failed: {failure}");
    }

    /// <summary>The key=value fields of a summary line such as <c>backfill: read=1 stored=2 …</c>.</summary>
    public static Dictionary<string, string> Fields(string line) =>
        FieldPattern().Matches(line).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    public static long Count(Dictionary<string, string> fields, string name) =>
        long.Parse(fields[name], CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\w+)=(\S+)")]
    private static partial Regex FieldPattern();
}
