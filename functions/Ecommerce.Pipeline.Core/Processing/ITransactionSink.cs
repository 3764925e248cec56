using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>
/// The warehouse. Implementations are idempotent: a re-delivered transaction (same <c>transaction_id</c>) or dead
/// letter (same topic, partition, offset) is not stored twice. A method that returns has durably stored its input;
/// a transient failure throws, so the caller retries and never commits offsets.
/// </summary>
public interface ITransactionSink : IAsyncDisposable
{
    /// <summary>Label used in metrics, e.g. <c>duckdb</c>.</summary>
    string Name { get; }

    /// <summary>Stores the rows. Rows already stored are counted as duplicates; rows the warehouse refuses are returned.</summary>
    Task<RowWriteResult> WriteRowsAsync(IReadOnlyList<TransactionRow> rows, CancellationToken cancellationToken);

    /// <summary>Stores dead letters; one per (topic, partition, offset).</summary>
    Task WriteDeadLettersAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a batch's rows and its dead letters. A warehouse with transactions overrides this to store both in one
    /// (one commit, and a crash leaves both or neither); by default, the rows and then the dead letters.
    /// </summary>
    async Task<RowWriteResult> WriteBatchAsync(IReadOnlyList<TransactionRow> rows, IReadOnlyList<DeadLetter> deadLetters,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(deadLetters);
        var written = rows.Count > 0
            ? await WriteRowsAsync(rows, cancellationToken).ConfigureAwait(false)
            : RowWriteResult.Empty;
        if (deadLetters.Count > 0)
        {
            await WriteDeadLettersAsync(deadLetters, cancellationToken).ConfigureAwait(false);
        }

        return written;
    }
}

/// <summary>What the sink did with a batch of rows.</summary>
/// <param name="Inserted">Rows newly stored.</param>
/// <param name="Duplicates">Rows whose transaction_id was already stored (first one wins).</param>
/// <param name="Rejected">Rows the warehouse refused for good (they become <c>rejected_by_sink</c> dead letters).</param>
public sealed record RowWriteResult(int Inserted, int Duplicates, IReadOnlyList<RowRejection> Rejected)
{
    public static RowWriteResult Empty { get; } = new(0, 0, []);
}

/// <summary>A row the warehouse refused, with its message.</summary>
public sealed record RowRejection(TransactionRow Row, string Message);
