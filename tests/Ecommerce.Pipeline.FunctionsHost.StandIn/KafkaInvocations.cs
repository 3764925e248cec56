using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.FunctionsHost.StandIn.Protocol;
using Google.Protobuf.WellKnownTypes;

namespace Ecommerce.Pipeline.FunctionsHost.StandIn;

/// <summary>One Kafka record as the extension's listener read it (the value already decoded as UTF-8).</summary>
public sealed record KafkaRecordStub(int Partition, long Offset, string? Value, string Key, DateTimeOffset Timestamp,
    string Topic = Events.Topic);

/// <summary>
/// The <c>InvocationRequest</c> the host sends for one batch of a <c>string[]</c> Kafka trigger with
/// <c>IsBatched</c>, built the way the Kafka extension and the host build it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The trigger value: each <c>KafkaEventData</c> serialised to its JSON (<see cref="Events.Envelope"/>), the
/// <c>string[]</c> sent as <c>collection_string</c> because the worker announced <c>TypedDataCollection</c>.</item>
/// <item>The trigger metadata of a batch, named <c>PartitionArray</c>, <c>OffsetArray</c>, <c>TimestampArray</c>,
/// <c>TopicArray</c>, <c>KeyArray</c>, <c>HeadersArray</c> with the types <c>int[]</c>, <c>long[]</c>,
/// <c>DateTime[]</c>, <c>string[]</c>, <c>object[]</c>, <c>object[]</c>
/// (Azure/azure-functions-kafka-extension@0952ae3, src/Microsoft.Azure.WebJobs.Extensions.Kafka/Trigger/
/// KafkaTriggerBindingStrategy.cs, <c>AddBindingData</c>).</item>
/// <item>How the host turns each into <c>TypedData</c>: <c>string[]</c> → <c>collection_string</c>, <c>long[]</c> →
/// <c>collection_sint64</c>, anything else (here <c>int[]</c>, <c>DateTime[]</c>, <c>object[]</c>) → <c>json</c>
/// written by Newtonsoft (Azure/azure-functions-host@09adf43, src/WebJobs.Script.Grpc/MessageExtensions/
/// GrpcMessageConversionExtensions.cs, <c>ToRpc</c>, <c>ToRpcDefault</c>).</item>
/// <item>A trace context (<c>RpcTraceContext</c>: the host's activity id as W3C <c>traceparent</c>) on every
/// invocation, and a <c>RetryContext</c> when the host runs the function again under its retry policy.</item>
/// </list>
/// </remarks>
public static class KafkaInvocations
{
    public const string TriggerParameter = "events";

    public static InvocationRequest Batch(string functionId, IReadOnlyList<KafkaRecordStub> records, RetryContext? retry = null) =>
        Batch(functionId, records.Select(r => Events.Envelope(r.Partition, r.Offset, r.Value, r.Timestamp, r.Key, r.Topic)).ToList(),
            records, retry);

    /// <summary>A batch whose trigger strings are given as they are (e.g. elements that are not KafkaEventData).</summary>
    public static InvocationRequest Batch(string functionId, IReadOnlyList<string> elements, IReadOnlyList<KafkaRecordStub> records,
        RetryContext? retry = null)
    {
        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = functionId,
            TraceContext = new RpcTraceContext
            {
                TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01",
                TraceState = string.Empty,
            },
            RetryContext = retry,
        };
        invocation.TraceContext.Attributes.Add("ProcessId", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        var value = new CollectionString();
        value.String.AddRange(elements);
        invocation.InputData.Add(new ParameterBinding { Name = TriggerParameter, Data = new TypedData { CollectionString = value } });

        var offsets = new CollectionSInt64();
        offsets.Sint64.AddRange(records.Select(r => r.Offset));
        var topics = new CollectionString();
        topics.String.AddRange(records.Select(r => r.Topic));
        var metadata = invocation.TriggerMetadata;
        metadata.Add("PartitionArray", Json(records.Select(r => r.Partition)));
        metadata.Add("OffsetArray", new TypedData { CollectionSint64 = offsets });
        metadata.Add("TopicArray", new TypedData { CollectionString = topics });
        metadata.Add("TimestampArray", Json(records.Select(r => NewtonsoftDate(r.Timestamp))));
        metadata.Add("KeyArray", Json(records.Select(r => r.Key)));
        metadata.Add("HeadersArray", Json(records.Select(_ => Array.Empty<object>())));
        return invocation;
    }

    /// <summary>The retry context of the host's n-th run of the same batch under the function's retry policy.</summary>
    public static RetryContext Retry(int count, int maxCount, string failure) => new()
    {
        RetryCount = count,
        MaxRetryCount = maxCount,
        Exception = new RpcException { Message = failure },
    };

    private static TypedData Json<T>(IEnumerable<T> values) => new() { Json = JsonSerializer.Serialize(values.ToArray()) };

    // Newtonsoft's default ISO 8601 for a UTC DateTime: trailing zeros of the fraction dropped, then Z.
    private static string NewtonsoftDate(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>A duration as the protocol carries it.</summary>
    public static Duration Seconds(int seconds) => Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds));
}
