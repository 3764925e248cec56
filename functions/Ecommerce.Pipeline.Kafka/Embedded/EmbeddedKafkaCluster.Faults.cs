using System.Runtime.InteropServices;

namespace Ecommerce.Pipeline.Kafka.Embedded;

/// <summary>
/// Faults on the running cluster, seen by clients as real Kafka-protocol failures (librdkafka's mock cluster API,
/// see <see cref="LibRdKafka.MockFaults"/>). Brokers are numbered 1..<see cref="BrokerCount"/>, as the mock does.
/// </summary>
public sealed unsafe partial class EmbeddedKafkaCluster
{
    /// <summary>Broker <paramref name="broker"/> closes its connections and refuses new ones; its partitions keep it as leader.</summary>
    public void SetBrokerDown(int broker) => Call(f => f.BrokerSetDown(_cluster, Broker(broker)), $"down {broker}");

    public void SetBrokerUp(int broker) => Call(f => f.BrokerSetUp(_cluster, Broker(broker)), $"up {broker}");

    /// <summary>Broker <paramref name="broker"/> answers every request <paramref name="milliseconds"/> late (0 ends it).</summary>
    public void SetBrokerRtt(int broker, int milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(milliseconds);
        Call(f => f.BrokerSetRtt(_cluster, Broker(broker), milliseconds), $"rtt {broker}");
    }

    public void SetPartitionLeader(string topic, int partition, int broker)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        var name = LibRdKafka.Utf8Z(topic);
        Call(f =>
        {
            fixed (byte* t = name)
            {
                return f.PartitionSetLeader(_cluster, t, partition, Broker(broker));
            }
        }, $"leader {topic}/{partition}");
    }

    /// <summary>The coordinator of consumer group <paramref name="group"/> becomes broker <paramref name="broker"/>.</summary>
    public void SetGroupCoordinator(string group, int broker)
    {
        var keyType = LibRdKafka.Utf8Z("group");
        var key = LibRdKafka.Utf8Z(group);
        Call(f =>
        {
            fixed (byte* kt = keyType)
            fixed (byte* k = key)
            {
                return f.CoordinatorSet(_cluster, kt, k, Broker(broker));
            }
        }, $"coordinator {group}");
    }

    /// <summary>The next <c>errors.Count</c> requests of Kafka API <paramref name="apiKey"/>, to any broker, fail with these errors in order.</summary>
    public void PushRequestErrors(short apiKey, IReadOnlyList<int> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var array = errors.ToArray();
        Call(f =>
        {
            fixed (int* e = array)
            {
                f.PushRequestErrorsArray(_cluster, apiKey, (nuint)array.Length, e);
            }

            return 0;
        }, "errors");
    }

    /// <summary>
    /// The next request of Kafka API <paramref name="apiKey"/> to broker <paramref name="broker"/> is answered
    /// <paramref name="rttMilliseconds"/> late with <paramref name="error"/> (0: no error). Taken before the cluster-wide errors.
    /// </summary>
    public void PushBrokerRequestError(int broker, short apiKey, int error, int rttMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rttMilliseconds);
        Call(f => f.BrokerPushRequestErrorRtt(_cluster, Broker(broker), apiKey, 1, error, rttMilliseconds), $"errors on {broker}");
    }

    /// <summary>Metadata answers report <paramref name="error"/> for <paramref name="topic"/> (0 ends it).</summary>
    public void SetTopicError(string topic, int error)
    {
        var name = LibRdKafka.Utf8Z(topic);
        Call(f =>
        {
            fixed (byte* t = name)
            {
                f.TopicSetError(_cluster, t, error);
            }

            return 0;
        }, $"topic error {topic}");
    }

    private int Broker(int broker)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(broker, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(broker, BrokerCount);
        return broker;
    }

    private void Call(Func<LibRdKafka.MockFaults, int> call, string what)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == 0, this);
            var err = call(LibRdKafka.Get().Faults);
            if (err != 0)
            {
                throw new InvalidOperationException($"Mock cluster refused '{what}': {LibRdKafka.ErrorText(err)}");
            }
        }
    }
}

/// <summary>librdkafka's table of error codes and their names (<c>rd_kafka_get_err_descs</c>): Kafka's own names, e.g. <c>NOT_COORDINATOR</c>.</summary>
public static unsafe class KafkaErrorNames
{
    private static readonly Lazy<Dictionary<string, int>> Table = new(Read);

    /// <summary>Every named error: broker errors (Kafka's protocol codes, positive) and librdkafka's local ones (negative, names starting with '_').</summary>
    public static IReadOnlyDictionary<string, int> All => Table.Value;

    public static string? NameOf(int code) => All.FirstOrDefault(kv => kv.Value == code).Key;

    /// <summary>
    /// The code of a name in librdkafka's table or Kafka's current spelling of it: Kafka's protocol table
    /// (https://kafka.apache.org/protocol#protocol_error_codes) says NOT_LEADER_OR_FOLLOWER (renamed by KIP-392) and
    /// UNKNOWN_TOPIC_OR_PARTITION where librdkafka's table keeps NOT_LEADER_FOR_PARTITION and UNKNOWN_TOPIC_OR_PART.
    /// </summary>
    public static int? Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var spelled = KafkaSpellings.TryGetValue(name, out var librdkafka) ? librdkafka : name;
        return All.TryGetValue(spelled, out var code) ? code : null;
    }

    private static readonly Dictionary<string, string> KafkaSpellings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["NOT_LEADER_OR_FOLLOWER"] = "NOT_LEADER_FOR_PARTITION",
        ["UNKNOWN_TOPIC_OR_PARTITION"] = "UNKNOWN_TOPIC_OR_PART",
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct ErrDesc
    {
        public int Code;
        public nint Name;
        public nint Desc;
    }

    private static Dictionary<string, int> Read()
    {
        nint descs;
        nuint count;
        LibRdKafka.Get().GetErrDescs(&descs, &count);
        var table = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var entries = (ErrDesc*)descs;
        for (nuint i = 0; i < count; i++)
        {
            // The table has gaps (entries without a name) between the local and the broker ranges.
            if (entries[i].Name != 0 && Marshal.PtrToStringUTF8(entries[i].Name) is { Length: > 0 } name)
            {
                table.TryAdd(name, entries[i].Code);
            }
        }

        return table;
    }
}
