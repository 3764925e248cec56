using System.Text;
using Ecommerce.Pipeline.Kafka.Producing;

namespace Ecommerce.Pipeline.Kafka.Tests.Producing;

public sealed class JsonLinesSourceTests
{
    private static async Task<List<(string? Key, byte[] Value)>> ReadAll(byte[] content, int chunk = 7)
    {
        // A stream that hands out a few bytes at a time, so lines span reads.
        using var source = new JsonLinesSource(new TrickleStream(content, chunk));
        var lines = new List<(string?, byte[])>();
        while (await source.MoveNextAsync(CancellationToken.None))
        {
            var m = source.Current;
            lines.Add((m.HasKey ? Encoding.UTF8.GetString(m.Key.Span) : null, m.Value.ToArray()));
            Assert.Null(m.ExpectedReason);
        }

        return lines;
    }

    [Fact]
    public async Task Lines_are_replayed_byte_for_byte_skipping_blank_ones()
    {
        byte[] invalidUtf8 = [.. "{\"user_id\":\"u1\",\"note\":\"Caf"u8, 0xE9, .. "\"}"u8];
        var content = new List<byte>();
        content.AddRange("\uFEFF{\"user_id\":\"u000001\",\"price\":1}\n"u8.ToArray());
        content.AddRange("\n   \n\t\r\n"u8.ToArray());
        content.AddRange("{\"userId\": 1000020, \"price\": \"$1,299.99\"}\r\n"u8.ToArray());
        content.AddRange(invalidUtf8);
        content.AddRange("\nnot json at all\n"u8.ToArray());
        content.AddRange("{\"order\":{\"user_id\":\"nested\"},\"user_id\":\"  u7  \"}\n"u8.ToArray());
        content.AddRange("{\"user_id\":\"caf\\u00e9\"}\n"u8.ToArray());
        content.AddRange("{\"user_id\":12.5}\n"u8.ToArray());
        content.AddRange("[1,2]"u8.ToArray()); // no final newline

        var lines = await ReadAll([.. content]);

        Assert.Equal(
        [
            ("u000001", "{\"user_id\":\"u000001\",\"price\":1}"u8.ToArray()),
            ("1000020", "{\"userId\": 1000020, \"price\": \"$1,299.99\"}"u8.ToArray()),
            // The key is read before the broken bytes; the processor dead-letters the value anyway.
            ("u1", invalidUtf8),
            (null, "not json at all"u8.ToArray()),
            ("u7", "{\"order\":{\"user_id\":\"nested\"},\"user_id\":\"  u7  \"}"u8.ToArray()),
            ("café", "{\"user_id\":\"caf\\u00e9\"}"u8.ToArray()),
            (null, "{\"user_id\":12.5}"u8.ToArray()),
            (null, "[1,2]"u8.ToArray()),
        ],
        lines,
        (a, b) => a.Item1 == b.Item1 && a.Item2.AsSpan().SequenceEqual(b.Item2));
    }

    [Fact]
    public async Task A_line_longer_than_the_buffer_is_read_whole()
    {
        var big = "{\"user_id\":\"u9\",\"items\":\"" + new string('x', 300_000) + "\"}";
        var lines = await ReadAll(Encoding.UTF8.GetBytes("{\"user_id\":\"u8\"}\n" + big + "\n{}\n"), chunk: 50_000);

        Assert.Equal(3, lines.Count);
        Assert.Equal(big, Encoding.UTF8.GetString(lines[1].Value));
        Assert.Equal("u9", lines[1].Key);
        Assert.Null(lines[2].Key);
    }

    [Fact]
    public async Task An_empty_stream_has_no_messages()
    {
        Assert.Empty(await ReadAll([]));
        Assert.Empty(await ReadAll("\n\n  \n"u8.ToArray()));
    }

    private sealed class TrickleStream(byte[] content, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), content.Length - _position);
            Array.Copy(content, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
