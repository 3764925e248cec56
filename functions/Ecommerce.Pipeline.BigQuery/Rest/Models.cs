using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ecommerce.Pipeline.BigQuery.Rest;

// The subset of the schemas of Google's BigQuery v2 discovery document (revision 20260314) this project sends or
// reads; property names and JSON types follow the document exactly (int64 travels as a JSON string). Unknown response
// properties are ignored.

/// <summary>Discovery schema <c>TableReference</c>.</summary>
public sealed class TableReference
{
    public string? ProjectId { get; init; }
    public string? DatasetId { get; init; }
    public string? TableId { get; init; }
}

/// <summary>Discovery schema <c>Table</c> (the fields used here).</summary>
public sealed class TableResource
{
    public string? Kind { get; init; }
    public string? Id { get; init; }
    public TableReference? TableReference { get; init; }
    public string? Description { get; init; }
    public TableSchemaResource? Schema { get; init; }
    public TimePartitioning? TimePartitioning { get; init; }
    public bool? RequirePartitionFilter { get; init; }
    public Clustering? Clustering { get; init; }

    /// <summary>Output only: present while rows sent by insertAll are still in the streaming buffer.</summary>
    public StreamingBuffer? StreamingBuffer { get; init; }
}

/// <summary>Discovery schema <c>Streamingbuffer</c> (output only).</summary>
public sealed class StreamingBuffer
{
    /// <summary>uint64 as a string.</summary>
    public string? EstimatedRows { get; init; }

    /// <summary>uint64 as a string.</summary>
    public string? EstimatedBytes { get; init; }

    /// <summary>The oldest row still in the buffer, milliseconds since the epoch (uint64 as a string).</summary>
    public string? OldestEntryTime { get; init; }
}

/// <summary>Discovery schema <c>TableSchema</c>.</summary>
public sealed class TableSchemaResource
{
    public IReadOnlyList<TableFieldSchema>? Fields { get; init; }
}

/// <summary>Discovery schema <c>TableFieldSchema</c>.</summary>
public sealed class TableFieldSchema
{
    public string? Name { get; init; }
    public string? Type { get; init; }
    public string? Mode { get; init; }
    public string? Description { get; init; }

    /// <summary>int64 as a string.</summary>
    public string? Precision { get; init; }

    /// <summary>int64 as a string.</summary>
    public string? Scale { get; init; }
}

/// <summary>Discovery schema <c>TimePartitioning</c>.</summary>
public sealed class TimePartitioning
{
    public string? Type { get; init; }
    public string? Field { get; init; }

    /// <summary>int64 as a string.</summary>
    public string? ExpirationMs { get; init; }
}

/// <summary>Discovery schema <c>Clustering</c>.</summary>
public sealed class Clustering
{
    public IReadOnlyList<string>? Fields { get; init; }
}

/// <summary>Discovery schema <c>ErrorProto</c>.</summary>
public sealed class ErrorProto
{
    public string? Reason { get; init; }
    public string? Location { get; init; }
    public string? Message { get; init; }
    public string? DebugInfo { get; init; }
}

/// <summary>Discovery schema <c>TableDataInsertAllResponse</c>.</summary>
public sealed class TableDataInsertAllResponse
{
    public string? Kind { get; init; }
    public IReadOnlyList<InsertError>? InsertErrors { get; init; }
}

/// <summary>An item of <c>TableDataInsertAllResponse.insertErrors</c>.</summary>
public sealed class InsertError
{
    public long Index { get; init; }
    public IReadOnlyList<ErrorProto>? Errors { get; init; }
}

/// <summary>Discovery schema <c>QueryRequest</c> (the fields used here).</summary>
public sealed class QueryRequest
{
    public required string Query { get; init; }

    /// <summary>The API defaults to legacy SQL; always sent, false for GoogleSQL.</summary>
    public bool UseLegacySql { get; init; }

    public string? Location { get; init; }
    public long? TimeoutMs { get; init; }
    public long? MaxResults { get; init; }

    /// <summary>Validate and estimate (totalBytesProcessed) without running.</summary>
    public bool? DryRun { get; init; }

    /// <summary><c>NAMED</c> (@name) or <c>POSITIONAL</c> (?).</summary>
    public string? ParameterMode { get; init; }

    public IReadOnlyList<QueryParameter>? QueryParameters { get; init; }

    /// <summary>Makes a re-sent request (after a timeout or reset) the same query, not a second job.</summary>
    public string? RequestId { get; init; }
}

/// <summary>Discovery schema <c>QueryParameter</c>.</summary>
public sealed class QueryParameter
{
    public string? Name { get; init; }
    public required QueryParameterType ParameterType { get; init; }
    public required QueryParameterValue ParameterValue { get; init; }
}

/// <summary>Discovery schema <c>QueryParameterType</c> (scalars only).</summary>
public sealed class QueryParameterType
{
    /// <summary>e.g. <c>DATE</c>, <c>STRING</c>, <c>INT64</c>, <c>TIMESTAMP</c>.</summary>
    public required string Type { get; init; }
}

/// <summary>Discovery schema <c>QueryParameterValue</c> (scalars only).</summary>
public sealed class QueryParameterValue
{
    public string? Value { get; init; }
}

/// <summary>Discovery schema <c>DmlStatistics</c> (int64 counts as strings).</summary>
public sealed class DmlStatistics
{
    public string? InsertedRowCount { get; init; }
    public string? DeletedRowCount { get; init; }
    public string? UpdatedRowCount { get; init; }
}

/// <summary>Discovery schema <c>GetQueryResultsResponse</c> (the fields used here).</summary>
public sealed class GetQueryResultsResponse
{
    public string? Kind { get; init; }
    public bool? JobComplete { get; init; }
    public JobReference? JobReference { get; init; }
    public TableSchemaResource? Schema { get; init; }
    public IReadOnlyList<TableRow>? Rows { get; init; }
    public string? TotalRows { get; init; }
    public string? NumDmlAffectedRows { get; init; }
    public string? TotalBytesProcessed { get; init; }
    public string? PageToken { get; init; }
    public IReadOnlyList<ErrorProto>? Errors { get; init; }
}

/// <summary>Discovery schema <c>QueryResponse</c> (the fields used here).</summary>
public sealed class QueryResponse
{
    public string? Kind { get; init; }
    public bool? JobComplete { get; init; }
    public JobReference? JobReference { get; init; }
    public TableSchemaResource? Schema { get; init; }
    public IReadOnlyList<TableRow>? Rows { get; init; }

    /// <summary>uint64 as a string.</summary>
    public string? TotalRows { get; init; }

    /// <summary>int64 as a string.</summary>
    public string? NumDmlAffectedRows { get; init; }

    public string? PageToken { get; init; }
    public IReadOnlyList<ErrorProto>? Errors { get; init; }

    /// <summary>int64 as a string; for a dry run, what the query would read (the on-demand cost basis).</summary>
    public string? TotalBytesProcessed { get; init; }

    /// <summary>int64 as a string.</summary>
    public string? TotalBytesBilled { get; init; }

    /// <summary>Inserted/deleted/updated counts of a DML statement (MERGE reports all three).</summary>
    public DmlStatistics? DmlStats { get; init; }
}

/// <summary>Discovery schema <c>JobReference</c>.</summary>
public sealed class JobReference
{
    public string? ProjectId { get; init; }
    public string? JobId { get; init; }
    public string? Location { get; init; }
}

/// <summary>Discovery schema <c>TableRow</c>: <c>{"f": [{"v": …}]}</c>.</summary>
public sealed class TableRow
{
    [JsonPropertyName("f")]
    public IReadOnlyList<TableCell>? Cells { get; init; }
}

/// <summary>Discovery schema <c>TableCell</c>.</summary>
public sealed class TableCell
{
    [JsonPropertyName("v")]
    public JsonElement Value { get; init; }
}

/// <summary>The Google API error envelope: <c>{"error": {"code", "message", "status", "errors": [ErrorProto]}}</c>.</summary>
public sealed class ErrorEnvelope
{
    public ErrorBody? Error { get; init; }
}

public sealed class ErrorBody
{
    public int Code { get; init; }
    public string? Message { get; init; }
    public string? Status { get; init; }
    public IReadOnlyList<ErrorProto>? Errors { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(TableResource))]
[JsonSerializable(typeof(TableDataInsertAllResponse))]
[JsonSerializable(typeof(QueryRequest))]
[JsonSerializable(typeof(QueryResponse))]
[JsonSerializable(typeof(GetQueryResultsResponse))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(IReadOnlyList<TableFieldSchema>))]
public sealed partial class BigQueryJsonContext : JsonSerializerContext;
