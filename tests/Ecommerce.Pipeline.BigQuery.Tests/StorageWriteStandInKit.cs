using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using FieldLabel = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Label;
using FieldType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// Both stand-ins, a table to write to and a raw generated client: the stand-in's own tests write rows by hand (tags and
/// wire types spelled out here, independent of the sink's encoder) so each rule is exercised on purpose.
/// </summary>
internal sealed class StorageWriteStandInKit : IAsyncDisposable
{
    public const string Table = "projects/p/datasets/ds/tables/transactions";
    public const string DefaultStream = Table + "/streams/_default";

    private readonly GrpcChannel _channel;

    private StorageWriteStandInKit(BigQueryStandIn rest, StorageWriteStandIn write)
    {
        Rest = rest;
        Write = write;
        _channel = GrpcChannel.ForAddress(write.Endpoint);
        Client = new BigQueryWrite.BigQueryWriteClient(_channel);
    }

    public BigQueryStandIn Rest { get; }
    public StorageWriteStandIn Write { get; }
    public BigQueryWrite.BigQueryWriteClient Client { get; }

    public static async Task<StorageWriteStandInKit> StartAsync()
    {
        var rest = await BigQueryStandIn.StartAsync();
        rest.Tables["ds.transactions"] = TableJson("transactions");
        return new StorageWriteStandInKit(rest, await StorageWriteStandIn.StartAsync(rest));
    }

    /// <summary>A table with a REQUIRED string, the Kafka position, and one column of each other type the project writes.</summary>
    public static JsonNode TableJson(string table) => new JsonObject
    {
        ["tableReference"] = new JsonObject { ["projectId"] = "p", ["datasetId"] = "ds", ["tableId"] = table },
        ["schema"] = new JsonObject
        {
            ["fields"] = new JsonArray(
                Field("transaction_id", "STRING", "REQUIRED"),
                Field("kafka_partition", "INT64", "REQUIRED"),
                Field("kafka_offset", "INT64", "REQUIRED"),
                Field("event_timestamp", "TIMESTAMP", "REQUIRED"),
                Field("event_date", "DATE", "NULLABLE"),
                Field("price", "NUMERIC", "NULLABLE"),
                Field("latitude", "FLOAT64", "NULLABLE")),
        },
    };

    private static JsonObject Field(string name, string type, string mode) => new() { ["name"] = name, ["type"] = type, ["mode"] = mode };

    /// <summary>The writer schema matching <see cref="TableJson"/>: proto2 fields numbered 1..7 in that order.</summary>
    public static DescriptorProto Descriptor(params (string Name, FieldType Type)[] extra)
    {
        var descriptor = new DescriptorProto { Name = "Row" };
        (string, FieldType)[] fields =
        [
            ("transaction_id", FieldType.String), ("kafka_partition", FieldType.Int64), ("kafka_offset", FieldType.Int64),
            ("event_timestamp", FieldType.Int64), ("event_date", FieldType.Int32), ("price", FieldType.String), ("latitude", FieldType.Double),
            .. extra,
        ];
        for (var i = 0; i < fields.Length; i++)
        {
            descriptor.Field.Add(new FieldDescriptorProto { Name = fields[i].Item1, Number = i + 1, Type = fields[i].Item2, Label = FieldLabel.Optional });
        }

        return descriptor;
    }

    /// <summary>One serialized row; null values are left out (NULL).</summary>
    public static ByteString Row(string? id, long partition, long offset, DateTime? at = null, int? days = null, string? price = null, double? latitude = null)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        if (id is not null)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteString(id);
        }

        output.WriteTag(2, WireFormat.WireType.Varint);
        output.WriteInt64(partition);
        output.WriteTag(3, WireFormat.WireType.Varint);
        output.WriteInt64(offset);
        output.WriteTag(4, WireFormat.WireType.Varint);
        output.WriteInt64(((at ?? DateTime.UtcNow) - DateTime.UnixEpoch).Ticks / 10);
        if (days is { } d)
        {
            output.WriteTag(5, WireFormat.WireType.Varint);
            output.WriteInt32(d);
        }

        if (price is not null)
        {
            output.WriteTag(6, WireFormat.WireType.LengthDelimited);
            output.WriteString(price);
        }

        if (latitude is { } l)
        {
            output.WriteTag(7, WireFormat.WireType.Fixed64);
            output.WriteDouble(l);
        }

        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }

    public static AppendRowsRequest Request(string? stream, long? offset, bool schema, params ByteString[] rows)
    {
        var data = new AppendRowsRequest.Types.ProtoData { Rows = new ProtoRows() };
        data.Rows.SerializedRows.AddRange(rows);
        if (schema)
        {
            data.WriterSchema = new ProtoSchema { ProtoDescriptor = Descriptor() };
        }

        return new AppendRowsRequest { WriteStream = stream ?? "", Offset = offset, ProtoRows = data };
    }

    /// <summary>An AppendRows connection with the routing header a correct client sends.</summary>
    public AsyncDuplexStreamingCall<AppendRowsRequest, AppendRowsResponse> Connect(string stream) =>
        Client.AppendRows(new Metadata { { "x-goog-request-params", "write_stream=" + Uri.EscapeDataString(stream) } });

    /// <summary>Sends one request and reads its answer.</summary>
    public static async Task<AppendRowsResponse> SendAsync(AsyncDuplexStreamingCall<AppendRowsRequest, AppendRowsResponse> call, AppendRowsRequest request)
    {
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext(), "the connection ended without an answer");
        return call.ResponseStream.Current;
    }

    public async Task<string> CreateStreamAsync() =>
        (await Client.CreateWriteStreamAsync(new CreateWriteStreamRequest
        {
            Parent = Table,
            WriteStream = new WriteStream { Type = WriteStream.Types.Type.Committed },
        })).Name;

    /// <summary>POSTs to the REST stand-in (jobs.query, tables.insert) and returns the answer.</summary>
    public async Task<JsonElement> PostAsync(string path, JsonNode body)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync(new Uri(Rest.Endpoint, path), body);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Write.DisposeAsync();
        await Rest.DisposeAsync();
    }
}
