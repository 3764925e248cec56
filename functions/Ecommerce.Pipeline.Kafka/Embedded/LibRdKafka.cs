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
