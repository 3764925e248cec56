namespace Ecommerce.Pipeline.Core.Processing;

/// <summary>What happened to one batch, once everything in it was acknowledged by the sink and the dead-letter topic.</summary>
/// <param name="Consumed">Records in the batch.</param>
/// <param name="RowsInserted">Rows newly stored.</param>
/// <param name="Duplicates">Records dropped as duplicates (within the batch, or already stored).</param>
/// <param name="DeadLetters">Dead letters written (including rows the sink rejected).</param>
/// <param name="StoredAt">When the sink acknowledged the batch.</param>
public sealed record BatchOutcome(int Consumed, int RowsInserted, int Duplicates, int DeadLetters, DateTimeOffset StoredAt);
