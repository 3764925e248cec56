using System.Text.Json;
using System.Text.Unicode;
using Ecommerce.Pipeline.Core.Model;

namespace Ecommerce.Pipeline.Workload.Tests;

public sealed partial class SyntheticTransactionsTests
{
    [Fact]
    public void Without_a_bad_ratio_every_message_is_valid()
    {
        Assert.All(Generate(7, 0, 5_000), m => Assert.Null(m.Expected));
    }

    [Fact]
    public void A_bad_ratio_breaks_that_share_of_messages_cycling_through_every_reason()
    {
        var messages = Generate(1, 0.2, 5_000);
        var bad = messages.Where(m => m.Expected is not null).ToList();

        Assert.InRange(bad.Count, 900, 1_100);
        var perReason = bad.GroupBy(m => m.Expected!.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(SyntheticTransactions.InjectableReasons.OrderBy(r => r), perReason.Keys.OrderBy(r => r));
        // Cycling, not sampling: the kinds are within one of each other.
        Assert.True(perReason.Values.Max() - perReason.Values.Min() <= 1);
    }

    [Fact]
    public void Bad_messages_are_broken_the_way_their_reason_says()
    {
        foreach (var m in Generate(3, 0.5, 4_000).Where(m => m.Expected is not null))
        {
            var reason = m.Expected!.Value;
            if (reason == DeadLetterReason.MessageTooLarge)
            {
                Assert.True(m.Value.Length > 64 * 1024);
                continue;
            }

            Assert.True(m.Value.Length <= 64 * 1024);
            if (reason == DeadLetterReason.InvalidEncoding)
            {
                Assert.False(Utf8.IsValid(m.Value));
                continue;
            }

            Assert.True(Utf8.IsValid(m.Value), reason.ToCode());
            if (reason == DeadLetterReason.MalformedJson)
            {
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(m.Value).Dispose());
                continue;
            }

            using var doc = JsonDocument.Parse(m.Value);
            if (reason == DeadLetterReason.NotAnObject)
            {
                Assert.NotEqual(JsonValueKind.Object, doc.RootElement.ValueKind);
            }
            else
            {
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            }
        }
    }


    [Fact]
    public void Valid_timestamps_are_a_little_before_the_clock_and_bad_ones_far_from_it()
    {
        foreach (var m in Generate(13, 0.3, 5_000))
        {
            if (m.Expected is not (null or DeadLetterReason.TimestampInFuture or DeadLetterReason.TimestampTooOld))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(m.Value);
            if (ReadTimestamp(doc.RootElement.GetProperty("timestamp")) is not { } at)
            {
                continue; // local-time forms: not worth re-implementing the parser here
            }

            switch (m.Expected)
            {
                case null:
                    Assert.InRange(at, Now.AddSeconds(-10), Now);
                    break;
                case DeadLetterReason.TimestampInFuture:
                    Assert.True(at > Now.AddMinutes(10));
                    break;
                default:
                    Assert.True(at < Now.AddDays(-7.5));
                    break;
            }
        }
    }
}
