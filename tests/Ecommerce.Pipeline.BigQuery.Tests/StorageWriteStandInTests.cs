using System.Text.Json.Nodes;
using Ecommerce.Pipeline.BigQuery.StorageWrite.Protocol;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using FieldType = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;
using static Ecommerce.Pipeline.BigQuery.Tests.StorageWriteStandInKit;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// The Storage Write stand-in, driven with the generated client directly: each rule and each fault. A test that
/// breaks a rule on purpose takes the violations it caused; every test ends with none left.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StorageWriteStandInTests : IAsyncLifetime
{
    private StorageWriteStandInKit _kit = null!;

    public async Task InitializeAsync() => _kit = await StorageWriteStandInKit.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_kit.Write.ContractViolations);
        Assert.Empty(_kit.Rest.ContractViolations);
        await _kit.DisposeAsync();
    }

    private List<string> TakeViolations()
    {
        var taken = new List<string>();
        while (_kit.Write.ContractViolations.TryDequeue(out var v))
        {
            taken.Add(v);
        }

        return taken;
    }

    [Fact]
    public async Task Committed_rows_are_decoded_against_the_sent_descriptor_and_stored_where_the_REST_stand_in_sees_them()
    {
        var stream = await _kit.CreateStreamAsync();
        using var call = _kit.Connect(stream);
        var at = new DateTime(2026, 3, 1, 12, 0, 0, 123, 456, DateTimeKind.Utc);
        var first = await SendAsync(call, Request(stream, 0, schema: true,
            Row("t1", 3, 10, at, 20513, "12.50", 52.5), Row("t2", 3, 11, at)));
        var second = await SendAsync(call, Request(null, 2, schema: false, Row("t3", 3, 12, at)));

        Assert.Equal(0, first.AppendResult.Offset);
        Assert.Equal(2, second.AppendResult.Offset);
        Assert.Equal(stream, second.WriteStream);
        var rows = _kit.Rest.LiveRows("ds.transactions");
        Assert.Equal(["t1", "t2", "t3"], rows.Select(r => r.GetProperty("transaction_id").GetString()));
        Assert.Equal("2026-03-01T12:00:00.123456Z", rows[0].GetProperty("event_timestamp").GetString());
        Assert.Equal("2026-03-01", rows[0].GetProperty("event_date").GetString());
        Assert.Equal("12.50", rows[0].GetProperty("price").GetString());
        Assert.Equal(52.5, rows[0].GetProperty("latitude").GetDouble());
        Assert.Equal("10", rows[0].GetProperty("kafka_offset").GetString());
        Assert.False(rows[1].TryGetProperty("price", out _), "an absent field is NULL");
        Assert.Equal(3, _kit.Write.RowsAppended);

        var finalized = await _kit.Client.FinalizeWriteStreamAsync(new FinalizeWriteStreamRequest { Name = stream });
        Assert.Equal(3, finalized.RowCount);
        Assert.Equal(stream, (await _kit.Client.GetWriteStreamAsync(new GetWriteStreamRequest { Name = stream })).Name);
        var late = await SendAsync(call, Request(null, 3, schema: false, Row("t4", 3, 13)));
        Assert.Equal((int)StatusCode.InvalidArgument, late.Error.Code);
        Assert.Equal(StorageError.Types.StorageErrorCode.StreamFinalized, late.Error.Details[0].Unpack<StorageError>().Code);
        Assert.Equal(3, _kit.Rest.LiveRows("ds.transactions").Count);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Offsets_behind_the_end_already_exist_and_past_it_are_out_of_range_answered_in_request_order()
    {
        var stream = await _kit.CreateStreamAsync();
        using var call = _kit.Connect(stream);
        // All four go out before any answer is read: the answers must still come in request order.
        await call.RequestStream.WriteAsync(Request(stream, 0, schema: true, Row("a", 0, 1), Row("b", 0, 2)));
        await call.RequestStream.WriteAsync(Request(null, 0, schema: false, Row("a", 0, 1)));
        await call.RequestStream.WriteAsync(Request(null, 5, schema: false, Row("z", 0, 9)));
        await call.RequestStream.WriteAsync(Request(null, 2, schema: false, Row("c", 0, 3)));
        var answers = new List<AppendRowsResponse>();
        while (answers.Count < 4 && await call.ResponseStream.MoveNext())
        {
            answers.Add(call.ResponseStream.Current);
        }

        Assert.Equal(0, answers[0].AppendResult.Offset);
        Assert.Equal((int)StatusCode.AlreadyExists, answers[1].Error.Code);
        var exists = answers[1].Error.Details[0].Unpack<StorageError>();
        Assert.Equal(StorageError.Types.StorageErrorCode.OffsetAlreadyExists, exists.Code);
        Assert.Contains("expected offset 2, received 0", exists.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal((int)StatusCode.OutOfRange, answers[2].Error.Code);
        Assert.Equal(StorageError.Types.StorageErrorCode.OffsetOutOfRange, answers[2].Error.Details[0].Unpack<StorageError>().Code);
        Assert.Equal(2, answers[3].AppendResult.Offset);
        Assert.Equal(["a", "b", "c"], _kit.Rest.LiveRows("ds.transactions").Select(r => r.GetProperty("transaction_id").GetString()));
        Assert.Equal(3, _kit.Write.Streams[stream].NextOffset);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task The_default_stream_appends_at_the_end_without_offsets_and_refuses_an_offset_and_finalize()
    {
        using var call = _kit.Connect(DefaultStream);
        var ok = await SendAsync(call, Request(DefaultStream, null, schema: true, Row("a", 1, 1)));
        var refused = await SendAsync(call, Request(null, 1, schema: false, Row("b", 1, 2)));

        Assert.Null(ok.AppendResult.Offset);
        Assert.Equal((int)StatusCode.InvalidArgument, refused.Error.Code);
        Assert.Single(_kit.Rest.LiveRows("ds.transactions"));
        var finalize = await Assert.ThrowsAsync<RpcException>(() => _kit.Client.FinalizeWriteStreamAsync(new FinalizeWriteStreamRequest { Name = DefaultStream }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, finalize.StatusCode);
        Assert.Equal(2, TakeViolations().Count);
        await call.RequestStream.CompleteAsync();
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task The_first_request_must_name_the_stream_and_carry_the_writer_schema(bool withStream, bool withSchema)
    {
        var stream = await _kit.CreateStreamAsync();
        using var call = _kit.Connect(stream);
        await call.RequestStream.WriteAsync(Request(withStream ? stream : null, 0, withSchema, Row("a", 0, 1)));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Empty(_kit.Rest.LiveRows("ds.transactions"));
        Assert.Single(TakeViolations());
    }

    [Fact]
    public async Task One_connection_writes_one_stream()
    {
        var first = await _kit.CreateStreamAsync();
        var second = await _kit.CreateStreamAsync();
        using var call = _kit.Connect(first);
        await SendAsync(call, Request(first, 0, schema: true, Row("a", 0, 1)));
        await call.RequestStream.WriteAsync(Request(second, 0, schema: true, Row("b", 0, 2)));

        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext())).StatusCode);
        Assert.Single(TakeViolations());
    }

    [Fact]
    public async Task A_stream_on_a_missing_table_is_not_found_and_so_is_a_new_table_inside_the_window()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => _kit.Client.CreateWriteStreamAsync(new CreateWriteStreamRequest
        {
            Parent = "projects/p/datasets/ds/tables/nope",
            WriteStream = new WriteStream { Type = WriteStream.Types.Type.Committed },
        }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _kit.Rest.Clock = clock;
        _kit.Write.NotFoundAfterCreate = TimeSpan.FromMinutes(2);
        await _kit.PostAsync("bigquery/v2/projects/p/datasets/ds/tables", TableJson("fresh"));
        var request = new CreateWriteStreamRequest
        {
            Parent = "projects/p/datasets/ds/tables/fresh",
            WriteStream = new WriteStream { Type = WriteStream.Types.Type.Committed },
        };
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => _kit.Client.CreateWriteStreamAsync(request).ResponseAsync)).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.StartsWith(request.Parent + "/streams/", (await _kit.Client.CreateWriteStreamAsync(request)).Name, StringComparison.Ordinal);
        Assert.Equal(1, _kit.Write.FaultsInjected[StorageWriteFault.NotFound]);
    }

    [Fact]
    public async Task A_row_the_table_refuses_rejects_the_whole_request_with_row_errors_and_stores_nothing()
    {
        var stream = await _kit.CreateStreamAsync();
        using var call = _kit.Connect(stream);
        // Row 1 lacks a REQUIRED column; row 2 carries a string where the descriptor says int64 (wire type 2, not 0).
        var wrongWire = StringFields((1, "c"), (3, "not a number"));
        var answer = await SendAsync(call, Request(stream, 0, schema: true, Row("a", 0, 1), Row(null, 0, 2), wrongWire, Row("d", 0, 4, price: "1.0000000001")));

        Assert.Equal((int)StatusCode.InvalidArgument, answer.Error.Code);
        Assert.StartsWith("Errors found while processing rows.", answer.Error.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 3L], answer.RowErrors.Select(e => e.Index));
        Assert.All(answer.RowErrors, e => Assert.Equal(RowError.Types.RowErrorCode.FieldsError, e.Code));
        Assert.Contains("transaction_id", answer.RowErrors[0].Message, StringComparison.Ordinal);
        Assert.Empty(_kit.Rest.LiveRows("ds.transactions"));
        Assert.Equal(0, _kit.Write.Streams[stream].NextOffset);
        Assert.Single(TakeViolations());
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_row_without_a_field_its_descriptor_declares_required_is_refused()
    {
        using var call = _kit.Connect(DefaultStream);
        var request = Request(DefaultStream, null, schema: true, Row("a", 0, 1), Row("b", 0, 2, price: "3.50"));
        request.ProtoRows.WriterSchema.ProtoDescriptor.Field.Single(f => f.Name == "price").Label = FieldDescriptorProto.Types.Label.Required;

        var answer = await SendAsync(call, request);

        Assert.Equal([0L], answer.RowErrors.Select(e => e.Index));
        Assert.Contains("price", answer.RowErrors[0].Message, StringComparison.Ordinal);
        Assert.Empty(_kit.Rest.LiveRows("ds.transactions"));
        Assert.Single(TakeViolations());
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_writer_schema_with_a_field_the_table_lacks_is_refused_as_extra_fields()
    {
        using var call = _kit.Connect(DefaultStream);
        var request = Request(DefaultStream, null, schema: true, Row("a", 0, 1));
        request.ProtoRows.WriterSchema.ProtoDescriptor = Descriptor(("surprise", FieldType.String));

        var answer = await SendAsync(call, request);

        Assert.Equal((int)StatusCode.InvalidArgument, answer.Error.Code);
        Assert.Equal(StorageError.Types.StorageErrorCode.SchemaMismatchExtraFields, answer.Error.Details[0].Unpack<StorageError>().Code);
        Assert.Empty(_kit.Rest.LiveRows("ds.transactions"));
        Assert.Single(TakeViolations());
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_request_over_the_size_limit_ends_the_connection_with_invalid_argument()
    {
        _kit.Write.MaxRequestBytes = 2_000;
        using var call = _kit.Connect(DefaultStream);
        var rows = Enumerable.Range(0, 40).Select(i => Row(new string('x', 60), 0, i)).ToArray();
        var request = Request(DefaultStream, null, schema: true, rows);
        await call.RequestStream.WriteAsync(request);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"AppendRows request too large: {request.CalculateSize()} limit 2000", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(_kit.Rest.LiveRows("ds.transactions"));
        Assert.Equal(request.CalculateSize(), _kit.Write.BytesReceived);
    }

    [Theory]
    [InlineData(StorageWriteFault.ResetBeforeApply, 0)]
    [InlineData(StorageWriteFault.ResetAfterApply, 1)]
    [InlineData(StorageWriteFault.Unavailable, 0)]
    [InlineData(StorageWriteFault.ResourceExhausted, 0)]
    public async Task An_injected_fault_ends_the_connection_and_a_resend_at_the_same_offset_is_exact(StorageWriteFault fault, int applied)
    {
        var stream = await _kit.CreateStreamAsync();
        _kit.Write.InjectFault(fault, afterRequests: 1);
        using (var call = _kit.Connect(stream))
        {
            Assert.Equal(0, (await SendAsync(call, Request(stream, 0, schema: true, Row("a", 0, 1)))).AppendResult.Offset);
            await call.RequestStream.WriteAsync(Request(null, 1, schema: false, Row("b", 0, 2)));
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
            Assert.NotEqual(StatusCode.OK, error.StatusCode);
        }

        Assert.Equal(1 + applied, _kit.Rest.LiveRows("ds.transactions").Count);
        using var again = _kit.Connect(stream);
        var resent = await SendAsync(again, Request(stream, 1, schema: true, Row("b", 0, 2)));

        Assert.Equal(applied == 1 ? (int)StatusCode.AlreadyExists : (int)StatusCode.OK, resent.Error?.Code ?? 0);
        Assert.Equal(["a", "b"], _kit.Rest.LiveRows("ds.transactions").Select(r => r.GetProperty("transaction_id").GetString()));
        Assert.Equal(1, _kit.Write.FaultsInjected[fault]);
        await again.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task An_idle_connection_is_closed_with_aborted_as_Google_closes_it()
    {
        _kit.Write.IdleTimeout = TimeSpan.FromMilliseconds(300);
        using var call = _kit.Connect(DefaultStream);
        await SendAsync(call, Request(DefaultStream, null, schema: true, Row("a", 0, 1)));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Contains("inactive", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, _kit.Write.FaultsInjected[StorageWriteFault.IdleClose]);
    }

    [Fact]
    public async Task The_watermark_queries_answer_the_highest_stored_offset_per_partition_from_every_row_within_their_bounds()
    {
        var now = DateTime.UtcNow;
        var today = now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = now.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        string Query(string ranges, string from, string to) =>
            $"SELECT kafka_partition, MAX(kafka_offset) AS max_offset FROM `p.ds.transactions` WHERE ({ranges}) AND event_timestamp >= TIMESTAMP('{from}') AND event_timestamp < TIMESTAMP('{to}') GROUP BY kafka_partition";
        var stream = await _kit.CreateStreamAsync();
        using var call = _kit.Connect(stream);
        await SendAsync(call, Request(stream, 0, schema: true, Row("a", 0, 7, now), Row("b", 3, 41, now), Row("c", 3, 40, now),
            Row("old", 3, 99, now.AddDays(-9)), Row("other", 5, 1, now)));
        await call.RequestStream.CompleteAsync();
        await _kit.PostAsync("bigquery/v2/projects/p/datasets/ds/tables/transactions/insertAll", new JsonObject
        {
            ["rows"] = new JsonArray(new JsonObject
            {
                ["insertId"] = "i1",
                ["json"] = new JsonObject { ["transaction_id"] = "d", ["kafka_partition"] = "0", ["kafka_offset"] = "8", ["event_timestamp"] = now.ToString("O") },
            }),
        });

        var answer = await _kit.PostAsync("bigquery/v2/projects/p/queries", new JsonObject
        {
            ["query"] = Query("(kafka_partition = 0 AND kafka_offset >= 0) OR (kafka_partition = 1 AND kafka_offset >= 0) OR (kafka_partition = 3 AND kafka_offset >= 41)", today, tomorrow),
            ["useLegacySql"] = false,
        });

        Assert.True(answer.GetProperty("jobComplete").GetBoolean());
        var rows = answer.GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("f")[0].GetProperty("v").GetString(), r.GetProperty("f")[1].GetProperty("v").GetString())).ToList();
        Assert.Equal([("0", "8"), ("3", "41")], rows);

        var none = await _kit.PostAsync("bigquery/v2/projects/p/queries", new JsonObject
        {
            ["query"] = Query("(kafka_partition = 7 AND kafka_offset >= 0)", today, tomorrow),
        });
        Assert.Equal("0", none.GetProperty("totalRows").GetString());
        Assert.False(none.TryGetProperty("rows", out _), "an empty result has no rows field");
        // Below the offset bound, or outside the days: not counted.
        var above = await _kit.PostAsync("bigquery/v2/projects/p/queries", new JsonObject
        {
            ["query"] = Query("(kafka_partition = 0 AND kafka_offset >= 9) OR (kafka_partition = 3 AND kafka_offset >= 40)", today, tomorrow),
        });
        Assert.Equal("1", above.GetProperty("totalRows").GetString());
        var yesterday = now.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var earlier = await _kit.PostAsync("bigquery/v2/projects/p/queries", new JsonObject
        {
            ["query"] = Query("(kafka_partition = 0 AND kafka_offset >= 0)", yesterday, today),
        });
        Assert.Equal("0", earlier.GetProperty("totalRows").GetString());

        var other = await _kit.PostAsync("bigquery/v2/projects/p/queries", new JsonObject { ["query"] = "SELECT COUNT(*) FROM `p.ds.transactions`" });
        Assert.Equal("6", other.GetProperty("rows")[0].GetProperty("f")[0].GetProperty("v").GetString());
    }

    [Fact]
    public async Task The_dead_letter_watermark_counts_only_its_topic()
    {
        _kit.Rest.Tables["ds.dead_letters"] = new JsonObject();
        var now = DateTime.UtcNow.ToString("O");
        await _kit.PostAsync("bigquery/v2/projects/p/datasets/ds/tables/dead_letters/insertAll", new JsonObject
        {
            ["rows"] = new JsonArray(
                new JsonObject { ["insertId"] = "1", ["json"] = new JsonObject { ["kafka_topic"] = "it's", ["kafka_partition"] = "2", ["kafka_offset"] = "5", ["failed_at"] = now } },
                new JsonObject { ["insertId"] = "2", ["json"] = new JsonObject { ["kafka_topic"] = "other", ["kafka_partition"] = "2", ["kafka_offset"] = "9", ["failed_at"] = now } }),
        });

        var answer = await _kit.PostAsync("bigquery/v2/projects/p/queries", new JsonObject
        {
            ["query"] = @"SELECT kafka_partition, MAX(kafka_offset) AS max_offset FROM `p.ds.dead_letters` WHERE kafka_topic = 'it\'s' AND ((kafka_partition = 2 AND kafka_offset >= 0)) AND failed_at >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 8 DAY) GROUP BY kafka_partition",
        });

        Assert.Equal("5", answer.GetProperty("rows")[0].GetProperty("f")[1].GetProperty("v").GetString());
    }

    [Fact]
    public async Task Bytes_received_count_every_request_message()
    {
        var stream = await _kit.CreateStreamAsync();
        using var call = _kit.Connect(stream);
        var first = Request(stream, 0, schema: true, Row("a", 0, 1));
        var second = Request(null, 1, schema: false, Row("b", 0, 2));
        await SendAsync(call, first);
        await SendAsync(call, second);

        Assert.Equal(first.CalculateSize() + second.CalculateSize(), _kit.Write.BytesReceived);
        Assert.Equal(2, _kit.Write.AppendRequests);
        Assert.Equal(1, _kit.Write.CreateWriteStreamCalls);
        await call.RequestStream.CompleteAsync();
    }

    /// <summary>String fields written by hand, whatever the descriptor says they are.</summary>
    private static ByteString StringFields(params (int Field, string Value)[] fields)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            foreach (var (field, value) in fields)
            {
                output.WriteTag(field, WireFormat.WireType.LengthDelimited);
                output.WriteString(value);
            }
        }

        return ByteString.CopyFrom(buffer.ToArray());
    }
}
