using Ecommerce.Pipeline.BigQuery.Rest;
using Ecommerce.Pipeline.BigQuery.StorageWrite;
using Google.Protobuf;
using Grpc.Core;
using Xunit;

namespace Ecommerce.Pipeline.BigQuery.Tests.StorageWrite;

[Trait("Category", "Integration")]
public sealed class StorageWriteClientTests : IAsyncLifetime
{
    private const string Table = "projects/proj/datasets/ds/tables/transactions";

    private StorageSinkKit _kit = null!;
    private StorageWriteClient _client = null!;

    public async Task InitializeAsync()
    {
        _kit = await StorageSinkKit.StartAsync();
        await _kit.SinkAsync(); // creates the tables, through the REST stand-in
        _client = await StorageWriteClient.CreateAsync(_kit.Options(), NullBigQueryObserver.Instance, TimeProvider.System, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        Assert.Equal([], _kit.Write.ContractViolations);
        await _kit.DisposeAsync();
    }

    private static List<ByteString> Encoded(int partition, long from, int count) =>
        [.. StorageSinkKit.Rows(partition, from, count).Select(ProtoRowEncoders.Transactions.Encode)];

    [Fact]
    public async Task An_offset_already_written_is_acknowledged_as_stored_and_adds_nothing()
    {
        var stream = await _client.CreateCommittedStreamAsync(Table, null, CancellationToken.None);
        await using var connection = _client.Open(stream, ProtoRowEncoders.Transactions.WriterSchema);
        var rows = Encoded(0, 0, 5);

        var first = await connection.AppendAsync(rows, 0, CancellationToken.None);
        var again = await connection.AppendAsync(rows, 0, CancellationToken.None);

        Assert.Equal((5, 5), (first.Stored, again.Stored));
        Assert.True(again.Complete);
        Assert.Equal(5, _kit.Write.Streams[stream].NextOffset);
        Assert.Equal(5, _kit.Stored("transactions").Count);
    }

    [Fact]
    public async Task An_offset_past_the_end_is_resent_from_it_then_fails_with_out_of_range()
    {
        var stream = await _client.CreateCommittedStreamAsync(Table, null, CancellationToken.None);
        await using var connection = _client.Open(stream, ProtoRowEncoders.Transactions.WriterSchema);
        var before = _kit.Write.AppendRequests;

        var error = await Assert.ThrowsAsync<StorageWriteException>(() => connection.AppendAsync(Encoded(0, 0, 3), 7, CancellationToken.None));

        Assert.Equal(StatusCode.OutOfRange, error.Code);
        Assert.Equal(_kit.Options().MaxOffsetResends + 1, _kit.Write.AppendRequests - before);
        Assert.Empty(_kit.Stored("transactions"));
        // The connection still works: the next append at the stream's end is stored.
        Assert.Equal(3, (await connection.AppendAsync(Encoded(0, 0, 3), 0, CancellationToken.None)).Stored);
    }

    [Fact]
    public async Task A_connection_the_service_closed_while_idle_is_reopened_with_the_stream_and_schema_again()
    {
        _kit.Write.IdleTimeout = TimeSpan.FromMilliseconds(200);
        var stream = await _client.CreateCommittedStreamAsync(Table, null, CancellationToken.None);
        await using var connection = _client.Open(stream, ProtoRowEncoders.Transactions.WriterSchema);
        await connection.AppendAsync(Encoded(0, 0, 2), 0, CancellationToken.None);
        using var closed = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (_kit.Write.FaultsInjected.GetValueOrDefault(StorageWriteFault.IdleClose) == 0)
        {
            await Task.Delay(20, closed.Token); // waits for the stand-in's own idle close, observed by its counter
        }

        var next = await connection.AppendAsync(Encoded(0, 2, 2), 2, CancellationToken.None);

        Assert.Equal(2, next.Stored);
        // At least once: on a loaded machine the new connection may idle out too before its request.
        Assert.InRange(connection.Reconnects, 1, 3);
        Assert.Equal(4, _kit.Stored("transactions").Count);
        Assert.Equal(4, _kit.Write.Streams[stream].NextOffset);
    }

    [Fact]
    public async Task Rows_of_one_append_over_the_limit_go_in_consecutive_requests_and_a_bad_row_names_its_index()
    {
        using var client = await StorageWriteClient.CreateAsync(_kit.Options(maxRequestBytes: 1000), NullBigQueryObserver.Instance,
            TimeProvider.System, CancellationToken.None);
        var stream = await client.CreateCommittedStreamAsync(Table, null, CancellationToken.None);
        await using var connection = client.Open(stream, ProtoRowEncoders.Transactions.WriterSchema);
        var rows = Encoded(0, 0, 30);
        rows[17] = ProtoRowEncoders.Transactions.Encode(StorageSinkKit.Row(0, 17, userId: null));
        var sizes = AppendRequests.Split(rows, 1000);

        var result = await connection.AppendAsync(rows, 0, CancellationToken.None);

        Assert.True(sizes.Count > 2);
        var badChunk = sizes.First(c => c.Start <= 17 && 17 < c.Start + c.Count);
        Assert.Equal(badChunk.Start, result.Stored); // everything before the refused request, nothing after
        Assert.Equal([17], result.RowErrors.Keys);
        Assert.Equal(badChunk.Start, _kit.Stored("transactions").Count);
        Assert.True(_kit.Write.ContractViolations.TryDequeue(out _)); // the refused row, on purpose
    }
}
