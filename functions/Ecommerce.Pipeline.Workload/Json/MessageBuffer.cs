using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ecommerce.Pipeline.Workload.Json;

/// <summary>
/// The one buffer every message is written into, and the JSON writer over it. Reused for each message, so what
/// <see cref="Written"/> returns is only valid until the next <see cref="Clear"/>.
/// </summary>
internal sealed class MessageBuffer : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Real clients send "São Paulo" and "+01:00" unescaped; escaping them would hide those forms from the parser.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Needed to append deliberate garbage around the writer's output.
        SkipValidation = true,
    };

    private readonly ArrayBufferWriter<byte> _bytes = new(1024);

    public MessageBuffer() => Writer = new Utf8JsonWriter(_bytes, WriterOptions);

    /// <summary>The JSON writer; call <see cref="StartJson"/> before a new top-level value.</summary>
    public Utf8JsonWriter Writer { get; }

    public ReadOnlyMemory<byte> Written => _bytes.WrittenMemory;

    /// <summary>Starts a new message.</summary>
    public void Clear() => _bytes.ResetWrittenCount();

    /// <summary>Readies the writer for a new top-level value, appended to what the buffer holds.</summary>
    public Utf8JsonWriter StartJson()
    {
        Writer.Reset(_bytes);
        return Writer;
    }

    /// <summary>Appends bytes as they are (outside the JSON writer, which must have been flushed).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => _bytes.Write(bytes);

    /// <summary>Appends a number's digits as they are.</summary>
    public void WriteAsciiNumber(long value)
    {
        var span = _bytes.GetSpan(20);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        _bytes.Advance(n);
    }

    public void Dispose() => Writer.Dispose();
}
