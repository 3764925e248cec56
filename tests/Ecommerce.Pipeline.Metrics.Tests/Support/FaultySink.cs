using System.Text;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.Metrics.Tests.Support;

/// <summary>An in-memory sink that throws <see cref="IOException"/> for its first <c>failures</c> row writes.</summary>
internal sealed class FaultySink(string name, int failures) : ITransactionSink
{
    private int _failuresLeft = failures;
    private readonly HashSet<string> _stored = new(StringComparer.Ordinal);

    public string Name => name;

    public int Stored => _stored.Count;

    public Task<RowWriteResult> WriteRowsAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new IOException("injected sink failure");
        }

        var inserted = rows.Count(r => _stored.Add(r.TransactionId));
        return Task.FromResult(new RowWriteResult(inserted, rows.Count - inserted, []));
    }

    public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal sealed class NoPublisher : IDeadLetterPublisher
{
    public Task PublishAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Kafka records carrying contract-shaped transaction JSON.</summary>
internal static class Records
{
    public static RawRecord Transaction(long offset, string id, string price, string currency, string payment, string geo) =>
        Raw(offset, $$"""{"transaction_id":"{{id}}","user_id":"u{{offset}}","product_id":"p1","price":{{price}},"currency":"{{currency}}","timestamp":"{{DateTime.UtcNow.AddSeconds(-1):yyyy-MM-ddTHH:mm:ss.fffZ}}","payment_method":"{{payment}}","geolocation":"{{geo}}"}""");

    public static RawRecord Raw(long offset, string json) =>
        new(ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes(json), "transactions_stream", 0, offset, DateTimeOffset.UtcNow.AddSeconds(-1));
}
