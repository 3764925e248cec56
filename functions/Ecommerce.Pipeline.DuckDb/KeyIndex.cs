using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.DuckDb;

/// <summary>
/// Tells which rows of a batch are already stored in a table, by its key (<see cref="TableSchema{TRow}.Key"/>), in
/// bounded memory: a cache of recent keys (<see cref="RecentKeys"/>) answers for re-deliveries, and the keys it does
/// not hold are looked up in the table with one set-based query per batch, restricted to the batch's event times
/// when the table has the partition column (see <see cref="DuckDbSink"/> for the design and its measurements).
/// </summary>
internal sealed class KeyIndex<TRow>
{
    // Separates the parts of a composite key; a unit separator cannot occur in ids (control characters are rejected)
    // nor in the formatted numbers.
    private const char Separator = '\u001f';

    // Event times further apart than this start a new range of the lookup (see EventTimeRanges).
    private static readonly TimeSpan MaxGap = TimeSpan.FromMinutes(10);

    private readonly TableSchema<TRow> _table;
    private readonly Column<TRow>[] _keyColumns;
    private readonly Func<TRow, DateTime>? _eventTime;
    private readonly string? _eventTimeColumn;
    private readonly RecentKeys _recent;

    // The latest event time stored in the table, to the microsecond (DuckDB's precision); null until first needed. A
    // candidate later than it cannot be stored yet, so it needs no lookup: live rows, whose event times keep rising,
    // skip the query, and only late or replayed ones pay for it. _pendingLatest is the latest of the rows Fresh just
    // let through, adopted by Remember once they are committed.
    private DateTime? _latestStored;
    private DateTime _pendingLatest = DateTime.MinValue;

    public KeyIndex(TableSchema<TRow> table, int recentCapacity)
    {
        _table = table;
        _keyColumns = [.. table.Key.Select(name => table[name])];
        if (_keyColumns.Any(c => c.Type is not (ColumnType.String or ColumnType.Int64)))
        {
            throw new InvalidOperationException($"The key of '{table.Name}' must be made of STRING and INT64 columns.");
        }

        // The event time: a stored duplicate is the same event again, with the same event time as the new copy.
        if (table.Columns.FirstOrDefault(c => c.Name == PipelineSchema.PartitionColumn) is { Accessor: Func<TRow, DateTime> eventTime } column)
        {
            _eventTime = eventTime;
            _eventTimeColumn = column.Name;
        }

        _recent = new RecentKeys(recentCapacity);
    }

    public string KeyOf(TRow row)
    {
        if (_keyColumns.Length == 1)
        {
            return Format(_keyColumns[0].GetValue(row));
        }

        return string.Join(Separator, _keyColumns.Select(c => Format(c.GetValue(row))));
    }

    /// <summary>
    /// The rows of <paramref name="items"/> to store: the first occurrence of each key that is neither recent nor in
    /// the table. Their keys, in order, are in <paramref name="freshKeys"/>.
    /// </summary>
    public List<TRow> Fresh(DuckDBConnection connection, IReadOnlyList<TRow> items, out List<string> freshKeys)
    {
        var candidates = new List<(string Key, TRow Item)>(items.Count);
        var seen = new HashSet<string>(items.Count, StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = KeyOf(item);
            if (!_recent.Contains(key) && seen.Add(key))
            {
                candidates.Add((key, item));
            }
        }

        var toLookUp = candidates;
        if (_eventTime is not null && candidates.Count > 0)
        {
            var latest = _latestStored ??= LatestStored(connection);
            toLookUp = [.. candidates.Where(c => Microseconds(_eventTime(c.Item)) <= latest)];
            _pendingLatest = candidates.Max(c => Microseconds(_eventTime(c.Item)));
        }

        var stored = toLookUp.Count == 0 ? [] : StoredAmong(connection, toLookUp);
        var fresh = new List<TRow>(candidates.Count);
        freshKeys = new List<string>(candidates.Count);
        foreach (var (key, item) in candidates)
        {
            if (stored.Contains(key))
            {
                // Stored long ago: remember it, so replaying the same range again costs no query.
                _recent.Add(key);
            }
            else
            {
                fresh.Add(item);
                freshKeys.Add(key);
            }
        }

        return fresh;
    }

    /// <summary>Call once the rows of these keys are committed.</summary>
    public void Remember(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            _recent.Add(key);
        }

        if (_latestStored is { } latest && _pendingLatest > latest)
        {
            _latestStored = _pendingLatest;
        }
    }

    // max() of the event-time column: DuckDB reads it column-wise once per open file, not per batch.
    private DateTime LatestStored(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT max({DuckDbSchema.Quote(_eventTimeColumn!)}) FROM {DuckDbSchema.Quote(_table.Name)}";
        return command.ExecuteScalar() switch
        {
            DateTimeOffset latest => Microseconds(latest.UtcDateTime),
            DateTime latest => Microseconds(latest.Kind == DateTimeKind.Local ? latest.ToUniversalTime() : latest),
            _ => DateTime.MinValue, // an empty table
        };
    }

    private static DateTime Microseconds(DateTime time) =>
        new(time.Ticks - time.Ticks % (TimeSpan.TicksPerMillisecond / 1000), DateTimeKind.Utc);

    // One query for the whole batch: the candidate keys go in as list parameters (unnest zips lists of one length),
    // joined to the table on the key. A filter on the event time lets DuckDB skip the row groups whose min/max event
    // time (zone maps) lies outside the batch's ranges; rows are appended as they arrive, so a row group covers a
    // narrow span of event time and the cost follows the batch, not the table.
    private HashSet<string> StoredAmong(DuckDBConnection connection, List<(string Key, TRow Item)> candidates)
    {
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT ");
        sql.AppendJoin(", ", _keyColumns.Select(c => "t." + DuckDbSchema.Quote(c.Name)));
        sql.Append(" FROM ").Append(DuckDbSchema.Quote(_table.Name)).Append(" t JOIN (SELECT ");
        for (var i = 0; i < _keyColumns.Length; i++)
        {
            var column = _keyColumns[i];
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"unnest($k{i}) AS k{i}");
            command.Parameters.Add(new DuckDBParameter("k" + i.ToString(CultureInfo.InvariantCulture), column.Type == ColumnType.String
                ? candidates.Select(c => (string)column.GetValue(c.Item)!).ToList()
                : candidates.Select(c => Convert.ToInt64(column.GetValue(c.Item), CultureInfo.InvariantCulture)).ToList()));
        }

        sql.Append(") b ON ");
        sql.AppendJoin(" AND ", _keyColumns.Select((c, i) => $"t.{DuckDbSchema.Quote(c.Name)} = b.k{i}"));
        if (_eventTime is not null)
        {
            sql.Append(" WHERE ").AppendJoin(" OR ", EventTimeRanges(candidates.Select(c => _eventTime(c.Item))));
        }

        command.CommandText = sql.ToString();
        var stored = new HashSet<string>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        var parts = new string[_keyColumns.Length];
        while (reader.Read())
        {
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = Format(reader.IsDBNull(i) ? null : reader.GetValue(i));
            }

            stored.Add(parts.Length == 1 ? parts[0] : string.Join(Separator, parts));
        }

        return stored;
    }

    // The candidates' event times as few ranges: sorted, and split where two are more than MaxGap apart, so a batch of
    // live events is one narrow range and a replayed old event adds its own instead of widening it.
    private IEnumerable<string> EventTimeRanges(IEnumerable<DateTime> times)
    {
        var column = "t." + DuckDbSchema.Quote(_eventTimeColumn!);
        var sorted = times.Order().ToArray();
        var from = sorted[0];
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i == sorted.Length || sorted[i] - sorted[i - 1] > MaxGap)
            {
                yield return $"{column} BETWEEN {Literal(from)} AND {Literal(sorted[i - 1])}";
                if (i < sorted.Length)
                {
                    from = sorted[i];
                }
            }
        }
    }

    private static string Literal(DateTime utc) =>
        "TIMESTAMPTZ '" + utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00'";

    // Keys are strings and integers; both sides (row objects and the database) format through here.
    private static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
