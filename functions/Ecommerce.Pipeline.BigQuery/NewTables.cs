using System.Collections.Concurrent;
using System.Globalization;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>
/// The tables this sink created at start, and how long a "not found" from each is waited out: a new table's metadata
/// reaches the write path late (see <see cref="StreamingInserter"/>), for up to <see cref="BigQuerySinkOptions.NewTableWait"/>.
/// </summary>
internal sealed class NewTables(TimeProvider time, BigQuerySinkOptions options)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _createdAt = new(StringComparer.Ordinal);

    /// <summary>This sink created <paramref name="tableId"/> just now (or another processor did, a moment before).</summary>
    public void Created(string tableId) => _createdAt[tableId] = time.GetUtcNow();

    /// <summary>
    /// What is waited for while <paramref name="tableId"/> is inside its new-table window, or null when this sink did
    /// not create it (the caller says it is gone).
    /// </summary>
    /// <param name="tableId">The table that answered "not found".</param>
    /// <param name="api">The call that answered, e.g. <c>insertAll</c>.</param>
    /// <param name="answer">How it answered, e.g. <c>404</c>.</param>
    /// <param name="ex">The answer.</param>
    /// <exception cref="SinkUnavailableException">The table is past its window: it will not come.</exception>
    public string? Waiting(string tableId, string api, string answer, Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (!_createdAt.TryGetValue(tableId, out var created))
        {
            return null;
        }

        var name = Name(tableId);
        var age = time.GetUtcNow() - created;
        if (age < options.NewTableWait)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"waiting for BigQuery table {name}: created {age.TotalSeconds:0}s ago, {api} still answers {answer} ({ex.Message})");
        }

        throw new SinkUnavailableException(string.Create(CultureInfo.InvariantCulture,
            $"BigQuery table {name} still answers {api} with {answer} {age.TotalMinutes:0} minutes after it was created; nothing of this batch was committed. Check the table and restart."), ex);
    }

    public string Name(string tableId) => $"{options.ProjectId}.{options.DatasetId}.{tableId}";
}
