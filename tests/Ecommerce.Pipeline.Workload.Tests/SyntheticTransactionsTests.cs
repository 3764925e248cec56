using System.Text;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Parsing;
using Ecommerce.Pipeline.Core.Processing;
using Microsoft.Extensions.Time.Testing;

namespace Ecommerce.Pipeline.Workload.Tests;

/// <summary>
/// The generator as a whole: determinism, and agreement with the batch processor. The other parts of this class test
/// the defects, the input forms and the shop model.
/// </summary>
public sealed partial class SyntheticTransactionsTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private sealed record Generated(byte[] Key, byte[] Value, DeadLetterReason? Expected);

    private static List<Generated> Generate(int seed, double badRatio, int count, TimeProvider? time = null)
    {
        using var generator = new SyntheticTransactions(seed, badRatio, time ?? new FakeTimeProvider(Now));
        var list = new List<Generated>(count);
        for (var i = 0; i < count; i++)
        {
            var m = generator.Next();
            list.Add(new Generated(m.Key.ToArray(), m.Value.ToArray(), m.ExpectedReason));
        }

        return list;
    }

    [Fact]
    public void The_same_seed_and_clock_give_the_same_bytes_and_another_seed_does_not()
    {
        var a = Generate(42, 0.1, 3_000);
        var b = Generate(42, 0.1, 3_000);
        var c = Generate(43, 0.1, 3_000);

        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Key, b[i].Key);
            Assert.Equal(a[i].Value, b[i].Value);
            Assert.Equal(a[i].Expected, b[i].Expected);
        }

        Assert.True(a.Zip(c).Count(p => p.First.Value.AsSpan().SequenceEqual(p.Second.Value)) < 10);
    }


    [Fact]
    public void The_batch_processor_stores_every_valid_message_and_gives_each_bad_one_its_expected_reason()
    {
        var time = new FakeTimeProvider(Now);
        var messages = Generate(21, 0.15, 10_000, time);
        var records = messages
            .Select((m, i) => new RawRecord(m.Key, m.Value, "transactions_stream", 0, i, Now))
            .ToList();

        var result = new BatchProcessor(time, GeoResolver.Default).Process(records);

        Assert.Equal(0, result.Duplicates);
        var rows = result.Rows.ToDictionary(r => r.KafkaOffset);
        var deadLetters = result.DeadLetters.ToDictionary(d => d.KafkaOffset);
        for (var i = 0; i < messages.Count; i++)
        {
            var expected = messages[i].Expected;
            if (expected is null)
            {
                Assert.True(rows.TryGetValue(i, out var row), $"message {i} has no row: {Describe(deadLetters.GetValueOrDefault(i))}\n{Encoding.UTF8.GetString(messages[i].Value)}");
                Assert.Equal(Encoding.UTF8.GetString(messages[i].Key), row.UserId);
            }
            else
            {
                Assert.True(deadLetters.TryGetValue(i, out var deadLetter), $"bad message {i} ({expected.Value.ToCode()}) was stored\n{Encoding.UTF8.GetString(messages[i].Value)}");
                Assert.True(expected == deadLetter.Reason, $"message {i}: expected {expected.Value.ToCode()}, got {Describe(deadLetter)}\n{Encoding.UTF8.GetString(messages[i].Value)}");
            }
        }

        Assert.Equal(messages.Count(m => m.Expected is null), result.Rows.Count);
        Assert.Equal(messages.Count(m => m.Expected is not null), result.DeadLetters.Count);

        // Real cities on every inhabited continent: almost every row with a geolocation resolves to a country.
        var located = result.Rows.Where(r => r.GeolocationRaw is not null).ToList();
        Assert.True(located.Count(r => r.CountryCode is not null) >= located.Count * 0.95, "most geolocations resolve");
        Assert.Superset(new HashSet<string?> { "AF", "AS", "EU", "NA", "OC", "SA" }, result.Rows.Select(r => r.Continent).ToHashSet());
        Assert.Superset(PaymentMethods.All.ToHashSet(), result.Rows.Select(r => r.PaymentMethod).ToHashSet());
    }

    private static string Describe(DeadLetter? deadLetter) =>
        deadLetter is null ? "none" : $"{deadLetter.ReasonCode} ({deadLetter.Detail})";
}
