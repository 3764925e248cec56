using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;

namespace Ecommerce.Pipeline.Workload.Tests;

/// <summary>
/// Pins the generator's exact output for a seed and a clock, so a refactoring that changes a single byte (or the
/// order in which it draws random numbers) is caught. A deliberate change of the data updates these hashes.
/// </summary>
public sealed class SyntheticOutputHashTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(42, 0.0, "d313e76b858ecb1be97b4d564d3fa1997d0c657e58fdc4a393e6f80327bc6d40")]
    [InlineData(7, 0.01, "1175e4e74f67021fd1255d978a37f968e9520170a13c9557434dd6ed1337d9a0")]
    [InlineData(3, 0.5, "f18bfce199da23ffb93242165d2200bbccb7f6ae9cd7bc087011f8b97f472366")]
    public void The_first_ten_thousand_messages_hash_to_the_pinned_value(int seed, double badRatio, string expected)
    {
        using var generator = new SyntheticTransactions(seed, badRatio, new FakeTimeProvider(Now));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[12];
        for (var i = 0; i < 10_000; i++)
        {
            var m = generator.Next();
            // Lengths and the expected reason go in too, so moving a byte between key and value changes the hash.
            BitConverter.TryWriteBytes(header, m.Key.Length);
            BitConverter.TryWriteBytes(header[4..], m.Value.Length);
            BitConverter.TryWriteBytes(header[8..], m.ExpectedReason is { } reason ? (int)reason : -1);
            hash.AppendData(header);
            hash.AppendData(m.Key.Span);
            hash.AppendData(m.Value.Span);
        }

        Assert.Equal(expected, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
