using System.Globalization;
using System.Text;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>Raw Kafka records through Core's batch handler into the BigQuery sink and the stand-in, with faults.</summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private BigQueryStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task Valid_transactions_are_stored_once_and_invalid_ones_dead_lettered()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        var publisher = new MemoryDeadLetterPublisher();
        var handler = TestData.Handler(sink, publisher);
        var now = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        var records = new List<RawRecord>();
        for (var i = 0; i < 1_200; i++)
        {
            var value = i switch
            {
                _ when i % 100 == 7 => "{not json",
                _ when i % 100 == 13 => $$"""{"transaction_id":"t{{i}}","user_id":"u","product_id":"p","price":-5,"timestamp":"{{now}}"}""",
                _ => $$"""{"transaction_id":"t{{i}}","user_id":"u{{i % 50}}","product_id":"p{{i % 9}}","price":"$1,299.99","timestamp":"{{now}}","payment_method":"visa","geolocation":"Paris, FR"}""",
            };
            records.Add(new RawRecord(Encoding.UTF8.GetBytes($"u{i}"), Encoding.UTF8.GetBytes(value), "transactions_stream",
                i % 3, i, DateTimeOffset.UtcNow));
        }

        // The warehouse refuses one row for good; the others of its request come back stopped and go again.
        _standIn.IsInvalidRow = json => json.TryGetProperty("transaction_id", out var id) && id.GetString() == "t500" && json.TryGetProperty("currency", out var currency) && currency.GetString() == "USD";
        _standIn.FailNext(503, "backendError");
        _standIn.ResetNext();

        var outcome = await handler.HandleAsync(records, CancellationToken.None);
        // The host retries a batch whose acknowledgement it did not see: nothing may be stored twice.
        var again = await handler.HandleAsync(records, CancellationToken.None);

        var malformed = records.Count(r => r.Offset % 100 == 7);
        var badPrice = records.Count(r => r.Offset % 100 == 13);
        var valid = records.Count - malformed - badPrice;
        Assert.Equal(valid - 1, outcome.RowsInserted);
        Assert.Equal(malformed + badPrice + 1, outcome.DeadLetters);
        Assert.Equal(outcome.DeadLetters, again.DeadLetters);
        var stored = _standIn.Rows["ds.transactions"];
        Assert.Equal(valid - 1, stored.Count);
        Assert.DoesNotContain("t500", stored.Keys);
        Assert.Equal("1299.99", stored["t0"].GetProperty("price").GetString());
        Assert.Equal("credit_card", stored["t0"].GetProperty("payment_method").GetString());
        Assert.Equal("FR", stored["t0"].GetProperty("country_code").GetString());

        var deadLetters = _standIn.Rows["ds.dead_letters"];
        Assert.Equal(malformed + badPrice + 1, deadLetters.Count);
        var refused = deadLetters["transactions_stream:2:500"];
        Assert.Equal("rejected_by_sink", refused.GetProperty("reason").GetString());
        Assert.Contains("invalid", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("t500", refused.GetProperty("transaction_id").GetString());
        Assert.Equal("malformed_json", deadLetters["transactions_stream:1:7"].GetProperty("reason").GetString());
        Assert.Equal(2 * (malformed + badPrice + 1), publisher.Published.Count);
    }

    [Fact]
    // docs/contract.md, "Tables": stored text equals the text received, NUL included. The insertAll body carries NUL
    // as the JSON escape \u0000 (RFC 8259, section 7), never a raw byte and never cut; the stand-in decodes it.
    public async Task Nul_in_row_and_dead_letter_text_reaches_the_tables_whole()
    {
        var (_, sink) = await TestData.SinkAsync(_standIn);
        await using var _ = sink;
        var handler = TestData.Handler(sink, new MemoryDeadLetterPublisher());
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        // Escaped NUL and controls in text fields (a clean row), and a raw NUL byte inside a string (malformed JSON).
        var clean = TransactionJson.Valid("t-nul", at, payment: "vi\0sa", geolocation: "Pa\0ris\u0001, FR \U0001F600\uffff");
        var rawNul = TransactionJson.Valid("t-raw", at).Replace("visa", "vi\0sa", StringComparison.Ordinal);

        var outcome = await handler.HandleAsync(RawRecords.Batch(at, clean, rawNul), CancellationToken.None);

        Assert.Equal((1, 1), (outcome.RowsInserted, outcome.DeadLetters));
        var stored = _standIn.Rows["ds.transactions"]["t-nul"];
        Assert.Equal("vi\0sa", stored.GetProperty("payment_method_raw").GetString());
        Assert.Equal("Pa\0ris\u0001", stored.GetProperty("city").GetString());
        Assert.Equal("Pa\0ris\u0001, FR \U0001F600\uffff", stored.GetProperty("geolocation_raw").GetString());
        var deadLetter = Assert.Single(_standIn.Rows["ds.dead_letters"].Values);
        Assert.Equal(("malformed_json", rawNul), (deadLetter.GetProperty("reason").GetString(), deadLetter.GetProperty("payload").GetString()));

        // On the wire: the escape, never a raw NUL byte.
        Assert.All(_standIn.InsertAlls, r => Assert.DoesNotContain((byte)0, r.Body));
        Assert.Contains(_standIn.InsertAlls, r => r.Text.Contains("vi\\u0000sa", StringComparison.Ordinal));
    }
}
