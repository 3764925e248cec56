using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>
/// The BigQuery table definitions, derived from Core's <see cref="PipelineSchema"/> (never re-spelled here): the
/// <c>tables.insert</c> body, the same as checked-in table JSON, and as SQL DDL.
/// </summary>
public static class BigQueryTables
{
    /// <summary>Dead letters are partitioned on when they failed (they may have no valid event time).</summary>
    public static string DeadLetterPartitionColumn => PipelineSchema.DeadLetters["failed_at"].Name;

    /// <summary>Dead letters are mostly read "by reason".</summary>
    public static IReadOnlyList<string> DeadLetterClusteringColumns { get; } =
        [PipelineSchema.DeadLetters["reason"].Name, PipelineSchema.DeadLetters["kafka_topic"].Name];

    public static string PartitionExpirationMs =>
        ((long)TimeSpan.FromDays(PipelineSchema.RetentionDays).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    public static TableResource Transactions(string? projectId, string? datasetId, string tableId = PipelineSchema.TransactionsTable) =>
        Define(PipelineSchema.Transactions, Reference(projectId, datasetId, tableId), PipelineSchema.PartitionColumn,
            PipelineSchema.ClusteringColumns,
            "E-commerce transactions, one row per transaction_id (best-effort dedup by insertId).");

    public static TableResource DeadLetters(string? projectId, string? datasetId, string tableId = PipelineSchema.DeadLettersTable) =>
        Define(PipelineSchema.DeadLetters, Reference(projectId, datasetId, tableId), DeadLetterPartitionColumn,
            DeadLetterClusteringColumns, "Rejected messages with their reason, one per (topic, partition, offset).");

    /// <summary>A <c>Table</c> resource for any Core schema: fields, day partitioning with expiry, clustering.</summary>
    public static TableResource Define<TRow>(TableSchema<TRow> schema, TableReference? reference, string partitionColumn,
        IReadOnlyList<string> clustering, string description)
    {
        ArgumentNullException.ThrowIfNull(schema);
        // Fail here, not at BigQuery, if a partition or clustering column is not in the schema.
        _ = schema[partitionColumn];
        foreach (var column in clustering)
        {
            _ = schema[column];
        }

        return new TableResource
        {
            TableReference = reference,
            Description = description,
            Schema = new TableSchemaResource { Fields = Fields(schema) },
            TimePartitioning = new TimePartitioning { Type = "DAY", Field = partitionColumn, ExpirationMs = PartitionExpirationMs },
            RequirePartitionFilter = true,
            Clustering = new Clustering { Fields = [.. clustering] },
        };
    }

    public static IReadOnlyList<TableFieldSchema> Fields<TRow>(TableSchema<TRow> schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return [.. schema.Columns.Select(c => new TableFieldSchema
        {
            Name = c.Name,
            Type = TypeName(c.Type),
            Mode = c.Nullable ? "NULLABLE" : "REQUIRED",
            Description = c.Description,
            Precision = c.Type == ColumnType.Numeric ? c.Precision.ToString(CultureInfo.InvariantCulture) : null,
            Scale = c.Type == ColumnType.Numeric ? c.Scale.ToString(CultureInfo.InvariantCulture) : null,
        })];
    }

    public static string TypeName(ColumnType type) => type switch
    {
        ColumnType.String => "STRING",
        ColumnType.Numeric => "NUMERIC",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.Date => "DATE",
        ColumnType.Float64 => "FLOAT64",
        ColumnType.Int64 => "INT64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No BigQuery type for this column type."),
    };

    /// <summary>The table JSON as checked in under <c>infra/bigquery</c> (indented, LF, trailing newline).</summary>
    public static string ToJson(TableResource table)
    {
        var options = new JsonSerializerOptions(BigQueryJsonContext.Default.Options)
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        return JsonSerializer.Serialize(table, new BigQueryJsonContext(options).TableResource).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>The fields array alone, as <c>bq mk --table --schema FILE</c> takes it.</summary>
    public static string ToSchemaJson(TableResource table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var options = new JsonSerializerOptions(BigQueryJsonContext.Default.Options)
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        return JsonSerializer.Serialize(table.Schema?.Fields ?? [], new BigQueryJsonContext(options).IReadOnlyListTableFieldSchema)
            .ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>GoogleSQL DDL for a table; <paramref name="qualifiedName"/> is e.g. <c>${PROJECT}.${DATASET}.transactions</c>.</summary>
    public static string ToDdl(TableResource table, string qualifiedName)
    {
        ArgumentNullException.ThrowIfNull(table);
        var fields = table.Schema?.Fields ?? [];
        var days = long.Parse(table.TimePartitioning!.ExpirationMs!, CultureInfo.InvariantCulture) / 86_400_000;
        var sql = new StringBuilder();
        sql.Append(CultureInfo.InvariantCulture, $"-- A day's partition expires {days} days after that UTC day ends, so today and the {days} days before it\n")
            .Append("-- are kept: BigQuery counts from the partition boundary, and a DAY partition with a 6-hour expiration\n")
            .Append("-- expires at 06:00 UTC the following day (cloud.google.com/bigquery/docs/managing-partitioned-tables).\n")
            .Append(CultureInfo.InvariantCulture, $"CREATE TABLE IF NOT EXISTS `{qualifiedName}`\n(\n");
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var type = f.Type == "NUMERIC" ? $"NUMERIC({f.Precision}, {f.Scale})" : f.Type;
            var notNull = f.Mode == "REQUIRED" ? " NOT NULL" : "";
            var description = (f.Description ?? "").Replace("\"", "\\\"", StringComparison.Ordinal);
            sql.Append(CultureInfo.InvariantCulture, $"  {f.Name} {type}{notNull} OPTIONS(description=\"{description}\")")
                .Append(i < fields.Count - 1 ? ",\n" : "\n");
        }

        sql.Append(CultureInfo.InvariantCulture, $")\nPARTITION BY DATE({table.TimePartitioning.Field})\n")
            .Append(CultureInfo.InvariantCulture, $"CLUSTER BY {string.Join(", ", table.Clustering?.Fields ?? [])}\n")
            .Append(CultureInfo.InvariantCulture, $"OPTIONS(partition_expiration_days={days}, require_partition_filter={(table.RequirePartitionFilter == true ? "TRUE" : "FALSE")});\n");
        return sql.ToString();
    }

    private static TableReference? Reference(string? projectId, string? datasetId, string tableId) =>
        projectId is null && datasetId is null
            ? null
            : new TableReference { ProjectId = projectId, DatasetId = datasetId, TableId = tableId };

    /// <summary>
    /// The insertId of a dead letter: its source coordinates, the dead-letter key (a digest of them when longer than
    /// <see cref="InsertIds.MaxLength"/> characters, e.g. under a long topic name).
    /// </summary>
    public static string DeadLetterInsertId(DeadLetter deadLetter)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        return InsertIds.Bounded(string.Join(':',
            PipelineSchema.DeadLetters.Key.Select(k => RowEncoder.KeyText(PipelineSchema.DeadLetters[k].GetValue(deadLetter)))));
    }
}
