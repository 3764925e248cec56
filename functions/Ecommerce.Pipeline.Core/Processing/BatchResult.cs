using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>The pure outcome of transforming one batch: rows to store, dead letters, and in-batch duplicates dropped.</summary>
public sealed class BatchResult
{
    public BatchResult(List<TransactionRow> rows, List<DeadLetter> deadLetters, int duplicates)
    {
        Rows = rows;
        DeadLetters = deadLetters;
        Duplicates = duplicates;
    }

    public List<TransactionRow> Rows { get; }
    public List<DeadLetter> DeadLetters { get; }

    /// <summary>Records dropped because an earlier record of the same batch had the same transaction_id.</summary>
    public int Duplicates { get; }
}
