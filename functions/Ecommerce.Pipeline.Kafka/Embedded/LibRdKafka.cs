using System.Runtime.InteropServices;
using System.Text;

namespace Ecommerce.Pipeline.Kafka.Embedded;

/// <summary>
/// The few librdkafka C functions the mock cluster needs, bound to the very librdkafka image Confluent.Kafka
/// already loaded. A second copy would have its own globals and threads, so we never load one: Confluent is
/// initialised first, then the mapped image is located and its exports resolved as unmanaged function pointers
/// (no assembly-wide DllImport resolver, so nothing else in this assembly is affected).
/// </summary>
internal static unsafe class LibRdKafka
{
    public const int ProducerType = 0;
    public const int ConfOk = 0;

    private static readonly Lock Gate = new();
    private static Bindings? _bindings;

    /// <summary>The file of the librdkafka image Confluent.Kafka loaded.</summary>
    public static string LoadedPath => Get().Path;

    internal sealed class Bindings
    {
        public required string Path { get; init; }
        public required delegate* unmanaged<nint> ConfNew { get; init; }
        public required delegate* unmanaged<nint, byte*, byte*, byte*, nuint, int> ConfSet { get; init; }
        public required delegate* unmanaged<nint, void> ConfDestroy { get; init; }
        public required delegate* unmanaged<int, nint, byte*, nuint, nint> New { get; init; }
        public required delegate* unmanaged<nint, void> Destroy { get; init; }
        public required delegate* unmanaged<int, byte*> Err2Str { get; init; }
        public required delegate* unmanaged<nint, int, nint> MockClusterNew { get; init; }
        public required delegate* unmanaged<nint, byte*> MockClusterBootstraps { get; init; }
        public required delegate* unmanaged<nint, byte*, int, int, int> MockTopicCreate { get; init; }
        public required delegate* unmanaged<nint, void> MockClusterDestroy { get; init; }
        public required delegate* unmanaged<nint, int, void> MockGroupInitialRebalanceDelayMs { get; init; }
        public required MockFaults Faults { get; init; }
        public required delegate* unmanaged<nint*, nuint*, void> GetErrDescs { get; init; }
    }

    /// <summary>
    /// The fault injection functions of the mock cluster, as declared in librdkafka's <c>src/rdkafka_mock.h</c>
    /// (confluentinc/librdkafka, read at commit 006fc9b; all exported by the librdkafka.redist 2.16.0 images:
    /// <c>nm -D librdkafka.so</c>). Types: <c>int32_t</c> broker ids and partitions, <c>int16_t</c> ApiKey,
    /// <c>size_t</c> counts, <c>rd_kafka_resp_err_t</c> (a C enum, <c>int</c>) errors and results.
    /// </summary>
    internal sealed class MockFaults
    {
        /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_broker_set_down(rd_kafka_mock_cluster_t *, int32_t broker_id)</c>; does not move leaders.</summary>
        public required delegate* unmanaged<nint, int, int> BrokerSetDown { get; init; }

        /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_broker_set_up(rd_kafka_mock_cluster_t *, int32_t broker_id)</c>.</summary>
        public required delegate* unmanaged<nint, int, int> BrokerSetUp { get; init; }

        /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_broker_set_rtt(rd_kafka_mock_cluster_t *, int32_t broker_id, int rtt_ms)</c>.</summary>
        public required delegate* unmanaged<nint, int, int, int> BrokerSetRtt { get; init; }

        /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_partition_set_leader(rd_kafka_mock_cluster_t *, const char *topic, int32_t partition, int32_t broker_id)</c>.</summary>
        public required delegate* unmanaged<nint, byte*, int, int, int> PartitionSetLeader { get; init; }

        /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_coordinator_set(rd_kafka_mock_cluster_t *, const char *key_type, const char *key, int32_t broker_id)</c>; key_type "group" or "transaction".</summary>
        public required delegate* unmanaged<nint, byte*, byte*, int, int> CoordinatorSet { get; init; }

        /// <summary>
        /// <c>void rd_kafka_mock_push_request_errors_array(rd_kafka_mock_cluster_t *, int16_t ApiKey, size_t cnt, const rd_kafka_resp_err_t *errors)</c>:
        /// the array form of the variadic <c>rd_kafka_mock_push_request_errors</c> (same effect, callable without varargs).
        /// </summary>
        public required delegate* unmanaged<nint, short, nuint, int*, void> PushRequestErrorsArray { get; init; }

        /// <summary>
        /// <c>rd_kafka_resp_err_t rd_kafka_mock_broker_push_request_error_rtts(rd_kafka_mock_cluster_t *, int32_t broker_id, int16_t ApiKey, size_t cnt, ...)</c>
        /// with <c>cnt</c> (error, rtt_ms) int pairs. Bound with exactly one pair: on x86-64 and arm64 Linux the
        /// six integer arguments of a variadic call travel in the same registers as a fixed call's.
        /// </summary>
        public required delegate* unmanaged<nint, int, short, nuint, int, int, int> BrokerPushRequestErrorRtt { get; init; }

        /// <summary><c>void rd_kafka_mock_topic_set_error(rd_kafka_mock_cluster_t *, const char *topic, rd_kafka_resp_err_t err)</c>; Metadata answers only.</summary>
        public required delegate* unmanaged<nint, byte*, int, void> TopicSetError { get; init; }
    }

    public static Bindings Get()
    {
        lock (Gate)
        {
            return _bindings ??= Bind();
        }
    }

    public static string ErrorText(int err)
    {
        var text = Get().Err2Str(err);
        return text == null ? $"error {err}" : Marshal.PtrToStringUTF8((nint)text) ?? $"error {err}";
    }

    /// <summary>Sets one configuration property; throws with librdkafka's message when it is refused.</summary>
    public static void ConfSet(nint conf, string name, string value)
    {
        var b = Get();
        var errstr = stackalloc byte[512];
        var nameBytes = Utf8Z(name);
        var valueBytes = Utf8Z(value);
        int result;
        fixed (byte* n = nameBytes)
        fixed (byte* v = valueBytes)
        {
            result = b.ConfSet(conf, n, v, errstr, 512);
        }

        if (result != ConfOk)
        {
            throw new InvalidOperationException(
                $"librdkafka refused {name}={value}: {Marshal.PtrToStringUTF8((nint)errstr)}");
        }
    }

    public static byte[] Utf8Z(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private static Bindings Bind()
    {
        // Makes Confluent pick and load its variant (on this machine the default needs libsasl2, so it falls
        // back to another file in runtimes/<rid>/native); whatever it chose is now mapped in this process.
        Confluent.Kafka.Library.Load();
        var path = FindLoadedImage()
            ?? throw new InvalidOperationException("Confluent.Kafka loaded librdkafka but its image was not found in /proc/self/maps.");

        // dlopen of a file that is already mapped returns the existing handle (glibc matches the inode), so
        // this only takes a reference; it never maps a second copy.
        var handle = NativeLibrary.Load(path);
        return new Bindings
        {
            Path = path,
            ConfNew = (delegate* unmanaged<nint>)NativeLibrary.GetExport(handle, "rd_kafka_conf_new"),
            ConfSet = (delegate* unmanaged<nint, byte*, byte*, byte*, nuint, int>)NativeLibrary.GetExport(handle, "rd_kafka_conf_set"),
            ConfDestroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(handle, "rd_kafka_conf_destroy"),
            New = (delegate* unmanaged<int, nint, byte*, nuint, nint>)NativeLibrary.GetExport(handle, "rd_kafka_new"),
            Destroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(handle, "rd_kafka_destroy"),
            Err2Str = (delegate* unmanaged<int, byte*>)NativeLibrary.GetExport(handle, "rd_kafka_err2str"),
            MockClusterNew = (delegate* unmanaged<nint, int, nint>)NativeLibrary.GetExport(handle, "rd_kafka_mock_cluster_new"),
            MockClusterBootstraps = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(handle, "rd_kafka_mock_cluster_bootstraps"),
            MockTopicCreate = (delegate* unmanaged<nint, byte*, int, int, int>)NativeLibrary.GetExport(handle, "rd_kafka_mock_topic_create"),
            MockClusterDestroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(handle, "rd_kafka_mock_cluster_destroy"),
            MockGroupInitialRebalanceDelayMs = (delegate* unmanaged<nint, int, void>)NativeLibrary.GetExport(handle, "rd_kafka_mock_group_initial_rebalance_delay_ms"),
            GetErrDescs = (delegate* unmanaged<nint*, nuint*, void>)NativeLibrary.GetExport(handle, "rd_kafka_get_err_descs"),
            Faults = new MockFaults
            {
                BrokerSetDown = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(handle, "rd_kafka_mock_broker_set_down"),
                BrokerSetUp = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(handle, "rd_kafka_mock_broker_set_up"),
                BrokerSetRtt = (delegate* unmanaged<nint, int, int, int>)NativeLibrary.GetExport(handle, "rd_kafka_mock_broker_set_rtt"),
                PartitionSetLeader = (delegate* unmanaged<nint, byte*, int, int, int>)NativeLibrary.GetExport(handle, "rd_kafka_mock_partition_set_leader"),
                CoordinatorSet = (delegate* unmanaged<nint, byte*, byte*, int, int>)NativeLibrary.GetExport(handle, "rd_kafka_mock_coordinator_set"),
                PushRequestErrorsArray = (delegate* unmanaged<nint, short, nuint, int*, void>)NativeLibrary.GetExport(handle, "rd_kafka_mock_push_request_errors_array"),
                BrokerPushRequestErrorRtt = (delegate* unmanaged<nint, int, short, nuint, int, int, int>)NativeLibrary.GetExport(handle, "rd_kafka_mock_broker_push_request_error_rtts"),
                TopicSetError = (delegate* unmanaged<nint, byte*, int, void>)NativeLibrary.GetExport(handle, "rd_kafka_mock_topic_set_error"),
            },
        };
    }

    /// <summary>Distinct files named like librdkafka that are mapped into this process.</summary>
    internal static IReadOnlyList<string> MappedImages()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Locating the loaded librdkafka needs /proc/self/maps (Linux).");
        }

        var found = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            // Format: address perms offset dev inode path — the path starts at the first '/'.
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }

            var file = line[slash..];
            var name = System.IO.Path.GetFileName(file);
            if (name.Contains("librdkafka", StringComparison.Ordinal) && name.Contains(".so", StringComparison.Ordinal)
                && !found.Contains(file))
            {
                found.Add(file);
            }
        }

        return found;
    }

    private static string? FindLoadedImage()
    {
        var images = MappedImages();
        if (images.Count > 1)
        {
            throw new InvalidOperationException(
                $"More than one librdkafka is mapped ({string.Join(", ", images)}); refusing to guess which one Confluent uses.");
        }

        return images.Count == 1 ? images[0] : null;
    }
}
