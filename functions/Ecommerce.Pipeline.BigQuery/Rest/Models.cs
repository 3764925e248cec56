using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ecommerce.Pipeline.BigQuery.Rest;

// The subset of the BigQuery v2 discovery document's schemas this project sends or reads; property names and JSON
// types follow the document exactly (int64 travels as a JSON string). Unknown response properties are ignored.

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
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(IReadOnlyList<TableFieldSchema>))]
public sealed partial class BigQueryJsonContext : JsonSerializerContext;
