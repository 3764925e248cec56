namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>How a NOT_FOUND is waited out while a new table becomes visible to the write path.</summary>
/// <param name="Describe">What is waited for (the log line), or null when the NOT_FOUND is final; may throw to stop.</param>
/// <param name="BaseDelay">The first wait; doubled, with jitter, up to <paramref name="MaxDelay"/>.</param>
/// <param name="MaxDelay">The longest single wait.</param>
public sealed record NewTableWait(Func<StorageWriteException, string?> Describe, TimeSpan BaseDelay, TimeSpan MaxDelay);
