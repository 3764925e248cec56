using System.Runtime.InteropServices;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Kafka.Embedded;

/// <summary>
/// An in-process Kafka-protocol cluster: librdkafka's mock cluster, listening on 127.0.0.1 with real TCP, so
/// any Kafka client can use it. Data lives in memory only and is bounded per partition (see
/// <see cref="RetainedBytesPerPartition"/>); topics must be created with <see cref="CreateTopic"/> because the
/// mock does not implement the CreateTopics admin request. See docs/embedded-broker.md for measured limits.
/// </summary>
public sealed unsafe partial class EmbeddedKafkaCluster : IDisposable
{
    public const string TransactionsTopic = Defaults.TransactionsTopic;
    public const string DeadLetterTopic = Defaults.DeadLetterTopic;

    /// <summary>
    /// The mock keeps at most this many bytes of record batches per partition (5 MiB, librdkafka's
    /// <c>mpart-&gt;max_size</c>); on append it drops whole oldest batches until back under the limit.
    /// </summary>
    public const long RetainedBytesPerPartition = 5L * 1024 * 1024;

    /// <summary>The mock also keeps at most this many record batches per partition (<c>mpart-&gt;max_cnt</c>).</summary>
    public const int RetainedBatchesPerPartition = 100_000;

    /// <summary>
    /// How many synthetic transactions (about 250 bytes of JSON each, produced with
    /// <see cref="KafkaClientConfig.Producer"/>) one partition keeps before the oldest are deleted; measured,
    /// rounded down (docs/embedded-broker.md). A backlog above <c>partitions ×</c> this loses data.
    /// </summary>
    public const int RetainedMessagesPerPartition = 15_000;

    private readonly Lock _gate = new();
    private nint _handle;
    private nint _cluster;

    private EmbeddedKafkaCluster(nint handle, nint cluster, string bootstrapServers, int brokers)
    {
        _handle = handle;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokers;
        StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>When the cluster started listening (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long StartedAt { get; }

    /// <summary><c>127.0.0.1:port,...</c>, one entry per broker.</summary>
    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    /// <summary>Partitions of <see cref="TransactionsTopic"/> (0 when the cluster was started empty).</summary>
    public int TransactionsPartitions { get; private set; }

    /// <summary>Starts a cluster and creates <see cref="TransactionsTopic"/> and <see cref="DeadLetterTopic"/>.</summary>
    public static EmbeddedKafkaCluster Start(int brokers = 3, int partitions = 6)
    {
        var cluster = StartEmpty(brokers);
        try
        {
            var replication = Math.Min(3, brokers);
            cluster.CreateTopic(TransactionsTopic, partitions, replication);
            cluster.CreateTopic(DeadLetterTopic, partitions, replication);
            cluster.TransactionsPartitions = partitions;
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Starts a cluster with no topics.</summary>
    public static EmbeddedKafkaCluster StartEmpty(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        var lib = LibRdKafka.Get();

        var conf = lib.ConfNew();
        nint rk;
        try
        {
            // The handle only hosts the mock cluster (its thread, timers and log); it never talks to a broker.
            LibRdKafka.ConfSet(conf, "client.id", "embedded-kafka-cluster");
            LibRdKafka.ConfSet(conf, "log_level", "3");
            var errstr = stackalloc byte[512];
            rk = lib.New(LibRdKafka.ProducerType, conf, errstr, 512);
            if (rk == 0)
            {
                throw new InvalidOperationException($"rd_kafka_new failed: {Marshal.PtrToStringUTF8((nint)errstr)}");
            }
        }
        catch
        {
            // rd_kafka_new takes ownership of conf only when it succeeds.
            lib.ConfDestroy(conf);
            throw;
        }

        var mock = lib.MockClusterNew(rk, brokers);
        if (mock == 0)
        {
            lib.Destroy(rk);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed (could not listen on 127.0.0.1?).");
        }

        // A real broker waits group.initial.rebalance.delay.ms (3 s, also the mock's default) for more members
        // before the first assignment of a group; a single-process pipeline gains nothing from that wait.
        lib.MockGroupInitialRebalanceDelayMs(mock, 0);

        var bootstraps = Marshal.PtrToStringUTF8((nint)lib.MockClusterBootstraps(mock))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
        return new EmbeddedKafkaCluster(rk, mock, bootstraps, brokers);
    }

    /// <summary>
    /// Creates a topic; it is in the cluster's metadata when this returns (the call waits for the mock thread).
    /// Replication is capped at the broker count.
    /// </summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        var nameBytes = LibRdKafka.Utf8Z(name);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == 0, this);
            int err;
            fixed (byte* n = nameBytes)
            {
                err = LibRdKafka.Get().MockTopicCreate(_cluster, n, partitions, Math.Min(replicationFactor, BrokerCount));
            }

            if (err != 0)
            {
                throw new InvalidOperationException($"Creating topic {name} failed: {LibRdKafka.ErrorText(err)}");
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster == 0)
            {
                return;
            }

            // The cluster uses the handle's log and timers, so it goes first.
            var lib = LibRdKafka.Get();
            lib.MockClusterDestroy(_cluster);
            lib.Destroy(_handle);
            _cluster = 0;
            _handle = 0;
        }
    }
}
