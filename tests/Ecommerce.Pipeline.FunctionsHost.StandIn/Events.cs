using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ecommerce.Pipeline.FunctionsHost.StandIn;

/// <summary>Messages and their KafkaEventData envelopes, as the Kafka host extension hands them to a string[] trigger.</summary>
public static class Events
{
    public const string Topic = "transactions_stream";

    /// <summary>A valid transaction (docs/contract.md, "Input forms") stamped at <paramref name="at"/>.</summary>
    public static string Transaction(string id, DateTimeOffset at, string price = "19.99", string user = "user-1") =>
        TransactionJson.Valid(id, at, price, user);

    /// <summary>
    /// The JSON of a <c>KafkaEventData</c>, shaped like Newtonsoft serialises it in the host: PascalCase properties,
    /// the value as a string, the timestamp as ISO 8601, headers with base64 byte values. Shape from
    /// Azure/azure-functions-kafka-extension: src/Microsoft.Azure.WebJobs.Extensions.Kafka/KafkaEventData.cs,
    /// KafkaEventDataHeader.cs, and KafkaEventDataConvertManager.cs (ConvertToString: JsonConvert.SerializeObject
    /// of the event when its value is a string); samples/dotnet-isolated/confluent/KafkaTriggerManyWithHeaders.cs
    /// reads it back with JObject.Parse(kevent)["Value"].
    /// </summary>
    public static string Envelope(int partition, long offset, string? value, DateTimeOffset timestamp, string? key = "user-1",
        string topic = Topic) =>
        new JsonObject
        {
            ["Key"] = key,
            ["Offset"] = offset,
            ["Partition"] = partition,
            ["Topic"] = topic,
            ["Timestamp"] = timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
            ["Value"] = value,
            ["Headers"] = new JsonArray(new JsonObject { ["Key"] = "traceparent", ["Value"] = Convert.ToBase64String("00-x"u8) }),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
