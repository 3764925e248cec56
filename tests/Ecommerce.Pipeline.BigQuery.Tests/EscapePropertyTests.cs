using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;
using Ecommerce.Pipeline.DuckDb;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>
/// 10,000 messages with arbitrary JSON string escapes (lone and paired surrogates, every control, NUL,
/// noncharacters, raw NUL bytes) in every field, through the batch handler into both warehouses: each record ends
/// as exactly one row or exactly one dead letter, never an internal error, and stored text equals the text sent.
/// The expected text is decoded here from the generated pieces, not by the parser under test. Seeded: a failure
/// names its seed and record.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EscapePropertyTests : IAsyncLifetime
{
    private const int Cases = 10_000;
    private const int Seed = 20261207;
    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow.AddMinutes(-1);

    private BigQueryStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await BigQueryStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_standIn.ContractViolations);
        await _standIn.DisposeAsync();
    }

    /// <summary>One piece of a string value: its JSON spelling and the UTF-16 code units it stands for.</summary>
    private readonly record struct Piece(string Json, string Text);

    private static readonly Piece[] Pieces = BuildPieces();

    private static Piece[] BuildPieces()
    {
        var pieces = new List<Piece>
        {
            // Surrogates alone; two of them side by side may still make a pair, which the check below sees.
            new("\\ud800", "\ud800"), new("\\uDBFF", "\udbff"), new("\\udc00", "\udc00"), new("\\uDFFF", "\udfff"),
            new("\\ud83d\\ude00", "\U0001F600"), new("\\uD834\\uDD1E", "\U0001D11E"),
            new("\\uffff", "\uffff"), new("\\ufffe", "\ufffe"), new("\\ufdd0", "\ufdd0"), new("\\u2028", "\u2028"),
            new("\\u00e9", "é"), new("\\\"", "\""), new("\\\\", "\\"), new("\\/", "/"),
            new("\\b", "\b"), new("\\f", "\f"), new("\\n", "\n"), new("\\r", "\r"), new("\\t", "\t"),
            new("\\u007f", "\u007f"), new("\\u0085", "\u0085"), new("\\u00a0", "\u00a0"),
            new("😀", "😀"), new("中", "中"), new("\uffff", "\uffff"), new("x", "x"),
        };
        for (var c = 0; c < 0x20; c++)
        {
            pieces.Add(new($"\\u{c:x4}", ((char)c).ToString()));
        }

        // NUL more often than the other controls: it is the one that C strings cut at.
        pieces.AddRange(Enumerable.Repeat(new Piece("\\u0000", "\0"), 4));

        return [.. pieces];
    }

    private sealed record Case(int Index, string Json, bool LoneSurrogate, bool RawNul, bool TouchedChecked,
        string TransactionId, string UserId, string ProductId, string? Payment, string? Geo);

    /// <summary>A string value: a base text with pieces at random places; the JSON spelling and the text (null if none).</summary>
    private static (string Json, string? Text) Value(Random random, string text, int maxPieces, bool middleOnly = false)
    {
        var json = new StringBuilder();
        var decoded = new StringBuilder();
        var insertAt = new SortedDictionary<int, List<Piece>>();
        for (var n = random.Next(maxPieces + 1); n > 0; n--)
        {
            var at = middleOnly ? random.Next(1, Math.Max(2, text.Length)) : random.Next(text.Length + 1);
            (insertAt.TryGetValue(at, out var list) ? list : insertAt[at] = []).Add(Pieces[random.Next(Pieces.Length)]);
        }

        for (var i = 0; i <= text.Length; i++)
        {
            foreach (var piece in insertAt.GetValueOrDefault(i) ?? [])
            {
                json.Append(piece.Json);
                decoded.Append(piece.Text);
            }

            if (i < text.Length)
            {
                json.Append(text[i]);
                decoded.Append(text[i]);
            }
        }

        var text16 = decoded.ToString();
        return (json.ToString(), IsWellFormed(text16) ? text16 : null);
    }

    /// <summary>Every high surrogate followed by a low one, and no low one without it.</summary>
    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static Case Generate(int index, Random random)
    {
        var loneSurrogate = false;
        var touchedChecked = false;
        string Quote(string json) => "\"" + json + "\"";
        (string Json, string? Text) Field(string text, int maxPieces, bool middleOnly = false)
        {
            var (json, decoded) = random.Next(3) == 0 ? Value(random, text, maxPieces, middleOnly) : (text, text);
            loneSurrogate |= decoded is null;
            return (json, decoded);
        }

        var tx = Field($"p{index:D5}-", 3);
        var user = Field("user-" + (index % 97).ToString(CultureInfo.InvariantCulture), 3);
        var product = Field("sku-" + (index % 13).ToString(CultureInfo.InvariantCulture), 3);
        var price = Field("19.99", 2, middleOnly: true);
        var currency = Field("USD", 1, middleOnly: true);
        var timestamp = Field(TransactionJson.Timestamp(At), 1, middleOnly: true);
        touchedChecked = price.Json != "19.99" || currency.Json != "USD" || timestamp.Json != TransactionJson.Timestamp(At);
        var payment = Field("visa", 4);
        var geo = Field("Paris, FR", 4);
        var note = Field("note", 3); // an unknown field: ignored, but still part of the value's text
        var rawNul = random.Next(50) == 0;
        // A raw NUL byte (not an escape) at the start of the string, so it never splits an escape.
        var paymentJson = rawNul ? "\0" + payment.Json : payment.Json;
        var json = "{" + string.Join(",",
            $"\"transaction_id\":{Quote(tx.Json)}", $"\"user_id\":{Quote(user.Json)}", $"\"product_id\":{Quote(product.Json)}",
            $"\"price\":{Quote(price.Json)}", $"\"currency\":{Quote(currency.Json)}", $"\"timestamp\":{Quote(timestamp.Json)}",
            $"\"payment_method\":{Quote(paymentJson)}", $"\"geolocation\":{Quote(geo.Json)}", $"\"note\":{Quote(note.Json)}") + "}";
        return new Case(index, json, loneSurrogate, rawNul, touchedChecked, tx.Text?.Trim() ?? "", user.Text?.Trim() ?? "",
            product.Text?.Trim() ?? "", payment.Text, geo.Text);
    }

    private static bool IsCleanId(string id) => id.Length is > 0 and <= 128 && !id.Any(char.IsControl);

    [Fact]
    public async Task Every_record_is_one_row_or_one_dead_letter_in_both_warehouses_and_text_round_trips()
    {
        var random = new Random(Seed);
        var cases = Enumerable.Range(0, Cases).Select(i => Generate(i, random)).ToList();
        var records = cases.Select(c => RawRecords.Of(c.Json, offset: c.Index, timestamp: At)).ToList();

        using var dir = new TempDir();
        var duckPath = Path.Combine(dir.Path, "w.duckdb");
        await using (var duck = new DuckDbSink(duckPath))
        {
            await RunAsync(duck, records);
        }

        var (_, bigQuery) = await TestData.SinkAsync(_standIn);
        await using (bigQuery)
        {
            await RunAsync(bigQuery, records);
        }

        var duckRows = Read(duckPath, "SELECT kafka_offset, transaction_id, user_id, product_id, payment_method_raw, geolocation_raw FROM transactions");
        var duckDead = Read(duckPath, "SELECT kafka_offset, reason, payload FROM dead_letters");
        var bqRows = _standIn.Rows.GetValueOrDefault("ds.transactions")?.Values.Select(r => new[]
        {
            r.GetProperty("kafka_offset").GetString(), Text(r, "transaction_id"), Text(r, "user_id"), Text(r, "product_id"),
            Text(r, "payment_method_raw"), Text(r, "geolocation_raw"),
        }).ToList() ?? [];
        var bqDead = _standIn.Rows.GetValueOrDefault("ds.dead_letters")?.Values.Select(r => new[]
        {
            r.GetProperty("kafka_offset").GetString(), Text(r, "reason"), Text(r, "payload"),
        }).ToList() ?? [];

        foreach (var (name, rows, dead) in new[] { ("duckdb", duckRows, duckDead), ("bigquery", bqRows, bqDead) })
        {
            // The generator reaches every kind of outcome, NUL in stored text included.
            Assert.InRange(rows.Count, 1_000, Cases - 1_000);
            Assert.InRange(rows.Count(r => r.Skip(1).Any(t => t?.Contains('\0', StringComparison.Ordinal) == true)), 100, Cases);
            Assert.InRange(dead.Count(d => d[1] == "invalid_encoding"), 500, Cases);
            Assert.InRange(dead.Count(d => d[2]!.Contains('\0', StringComparison.Ordinal)), 50, Cases);
            var rowsAt = rows.ToLookup(r => long.Parse(r[0]!, CultureInfo.InvariantCulture));
            var deadAt = dead.ToLookup(r => long.Parse(r[0]!, CultureInfo.InvariantCulture));
            Assert.Equal(Cases, rows.Count + dead.Count);
            foreach (var c in cases)
            {
                var why = $"{name}, seed {Seed}, record {c.Index}: {c.Json}";
                var row = rowsAt[c.Index].ToList();
                var deadLetter = deadAt[c.Index].ToList();
                Assert.True(row.Count + deadLetter.Count == 1, why);
                if (c.LoneSurrogate || c.RawNul || !IsCleanId(c.TransactionId) || !IsCleanId(c.UserId) || !IsCleanId(c.ProductId))
                {
                    Assert.True(deadLetter.Count == 1, why);
                }
                else if (!c.TouchedChecked)
                {
                    Assert.True(row.Count == 1, why);
                }

                if (row.Count == 1)
                {
                    string?[] expected = [c.TransactionId, c.UserId, c.ProductId, c.Payment, c.Geo];
                    Assert.True(expected.SequenceEqual(row[0].Skip(1)), why);
                }
                else
                {
                    Assert.NotEqual("internal_error", deadLetter[0][1]);
                    Assert.True(c.Json == deadLetter[0][2], why);
                    if (c.LoneSurrogate)
                    {
                        Assert.True(deadLetter[0][1] == "invalid_encoding", why);
                    }
                }
            }
        }
    }

    private static async Task RunAsync(ITransactionSink sink, List<RawRecord> records)
    {
        var handler = TestData.Handler(sink, new MemoryDeadLetterPublisher());
        foreach (var batch in records.Chunk(500))
        {
            var outcome = await handler.HandleAsync(batch, CancellationToken.None);
            Assert.Equal(batch.Length, outcome.RowsInserted + outcome.DeadLetters);
        }
    }

    private static string? Text(System.Text.Json.JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static List<string?[]> Read(string path, string sql)
    {
        using var connection = new DuckDBConnection("Data Source=" + path);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }
}
