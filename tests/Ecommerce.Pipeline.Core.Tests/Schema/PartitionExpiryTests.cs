using Ecommerce.Pipeline.Core.Schema;

namespace Ecommerce.Pipeline.Core.Tests.Schema;

public sealed class PartitionExpiryTests
{
    private static DateTimeOffset Utc(int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void Google_s_worked_example_a_day_partition_with_6_hours_expires_at_06_00_the_following_day()
    {
        // https://cloud.google.com/bigquery/docs/managing-partitioned-tables#partition-expiration
        Assert.Equal(Utc(12, 2, 6), PartitionExpiry.ExpiresAt(new DateOnly(2026, 12, 1), TimeSpan.FromHours(6)));
    }

    [Fact]
    public void With_7_days_1_December_goes_at_00_00_on_9_December_so_today_and_7_days_before_are_kept()
    {
        var sevenDays = TimeSpan.FromDays(7);

        Assert.Equal(Utc(12, 9), PartitionExpiry.ExpiresAt(new DateOnly(2026, 12, 1), sevenDays));
        Assert.Equal(new DateOnly(2026, 12, 1), PartitionExpiry.OldestKept(Utc(12, 8, 23, 59, 59), sevenDays));
        Assert.Equal(new DateOnly(2026, 12, 2), PartitionExpiry.OldestKept(Utc(12, 9), sevenDays));
        Assert.Equal(new DateOnly(2026, 12, 2), PartitionExpiry.OldestKept(Utc(12, 9, 23, 59, 59), sevenDays));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(24 * 60 - 1)]
    public void The_oldest_kept_day_is_the_oldest_not_yet_expired_at_any_minute(int minuteOfDay)
    {
        var now = Utc(12, 9).AddMinutes(minuteOfDay);
        var expiration = TimeSpan.FromHours(30);

        var oldest = PartitionExpiry.OldestKept(now, expiration);

        Assert.True(now < PartitionExpiry.ExpiresAt(oldest, expiration));
        Assert.False(now < PartitionExpiry.ExpiresAt(oldest.AddDays(-1), expiration));
    }
}
