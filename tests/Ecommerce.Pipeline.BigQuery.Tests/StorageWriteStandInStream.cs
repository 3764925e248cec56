using System.Text.RegularExpressions;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Google.Protobuf.WellKnownTypes;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>One write stream of the Storage Write stand-in: its next offset (rows appended) and whether it is finalized.</summary>
internal sealed partial class StandInWriteStream(string name, string table, DateTimeOffset createdAt)
{
    /// <summary>Appends to one stream are applied one at a time, in the order they arrive.</summary>
    public object Gate { get; } = new();

    public string Name { get; } = name;

    /// <summary>"dataset.table", the REST stand-in's key.</summary>
    public string Table { get; } = table;

    public bool IsDefault => Name.EndsWith("/streams/_default", StringComparison.Ordinal);

    /// <summary>The offset the next row gets: the number of rows appended so far.</summary>
    public long NextOffset { get; set; }

    public bool Finalized { get; set; }

    public WriteStream ToProto() => new()
    {
        Name = Name,
        Type = WriteStream.Types.Type.Committed,
        WriteMode = WriteStream.Types.WriteMode.Insert,
        CreateTime = Timestamp.FromDateTimeOffset(createdAt),
    };

    [GeneratedRegex("^projects/(?<project>[^/]+)/datasets/(?<dataset>[^/]+)/tables/(?<table>[^/]+)(?:/streams/(?<stream>[^/]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>The "dataset.table" key of a table or stream name; null when the name has neither shape.</summary>
    public static string? TableOf(string name, bool stream) =>
        NamePattern().Match(name) is { Success: true } m && m.Groups["stream"].Success == stream
            ? $"{m.Groups["dataset"].Value}.{m.Groups["table"].Value}"
            : null;
}
