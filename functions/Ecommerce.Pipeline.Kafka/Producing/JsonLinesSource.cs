using System.Text.Json;

namespace Ecommerce.Pipeline.Kafka.Producing;

/// <summary>
/// Replays a JSON-lines stream, one message per non-blank line, byte for byte (a line need not be valid JSON or
/// even UTF-8: replaying bad data is the point). The key is the line's top-level <c>user_id</c>/<c>userId</c>
/// when it reads cleanly, else no key.
/// </summary>
public sealed class JsonLinesSource : IMessageSource
{
    /// <summary>The path that means standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>Longer lines are refused rather than buffered without bound.</summary>
    public const int MaxLineBytes = 64 * 1024 * 1024;

    private const int MaxKeyBytes = 512;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _key = new byte[MaxKeyBytes];
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _atStart = true;

    public JsonLinesSource(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Opens a file, or standard input for <c>-</c>.</summary>
    public static JsonLinesSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return path == StandardInput
            ? new JsonLinesSource(Console.OpenStandardInput(), leaveOpen: false)
            : new JsonLinesSource(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true));
    }

    public OutgoingMessage Current { get; private set; }

    /// <summary>Lines skipped because they were blank.</summary>
    public long BlankLines { get; private set; }

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineStart = _start;
                _start += newline + 1;
                if (SetCurrent(lineStart, newline))
                {
                    return true;
                }

                continue;
            }

            if (_eof)
            {
                var length = _end - _start;
                var lineStart = _start;
                _start = _end;
                return length > 0 && SetCurrent(lineStart, length);
            }

            await FillAsync(cancellationToken);
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            // Keep the partial line at the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                throw new InvalidDataException($"A line is longer than {MaxLineBytes:N0} bytes.");
            }

            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes));
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            _eof = true;
            return;
        }

        if (_atStart)
        {
            _atStart = false;
            _end += read;
            // An editor's UTF-8 byte-order mark is not part of the first line.
            if (_end >= 3 && _buffer.AsSpan(0, 3).SequenceEqual("\uFEFF"u8))
            {
                _start = 3;
            }

            return;
        }

        _end += read;
    }

    private bool SetCurrent(int start, int length)
    {
        var line = _buffer.AsMemory(start, length);
        if (line.Span.EndsWith((byte)'\r'))
        {
            line = line[..^1];
        }

        if (line.Span.Trim(" \t\r\f\v"u8).IsEmpty)
        {
            BlankLines++;
            return false;
        }

        var keyLength = TryReadUserId(line.Span, _key);
        Current = new OutgoingMessage(_key.AsMemory(0, keyLength), line, null);
        return true;
    }

    /// <summary>
    /// Reads the top-level <c>user_id</c> (or <c>userId</c>) as the processor will store it: a string trimmed,
    /// or an integer's digits. Returns the key length, or 0 when there is none to read cheaply.
    /// </summary>
    internal static int TryReadUserId(ReadOnlySpan<byte> json, Span<byte> key)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return 0;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUserId = reader.ValueTextEquals("user_id"u8) || reader.ValueTextEquals("userId"u8);
                if (!reader.Read())
                {
                    return 0;
                }

                if (!isUserId)
                {
                    reader.Skip();
                    continue;
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.String when reader.HasValueSequence is false:
                    {
                        // Unescaping never lengthens a string.
                        if (reader.ValueSpan.Length > key.Length)
                        {
                            return 0;
                        }

                        var length = reader.CopyString(key);
                        var trimmed = key[..length].Trim(" \t\r\n"u8);
                        trimmed.CopyTo(key);
                        return trimmed.Length;
                    }

                    case JsonTokenType.Number when reader.TryGetInt64(out _) && reader.ValueSpan.Length <= key.Length:
                        reader.ValueSpan.CopyTo(key);
                        return reader.ValueSpan.Length;
                    default:
                        return 0;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or not UTF-8): replayed as is, without a key.
        }

        return 0;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
