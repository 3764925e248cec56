using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Workload.Defects;
using Ecommerce.Pipeline.Workload.Json;
using Ecommerce.Pipeline.Workload.Shop;

namespace Ecommerce.Pipeline.Workload;

/// <summary>
/// Realistic synthetic transactions: a Zipf-popular catalogue with log-normal prices, users shopping in short
/// sessions from real cities, the payment mix of a typical shop, and every input form docs/contract.md (Input)
/// accepts. With a bad ratio, that share of messages is broken in exactly one way per message, cycling through every
/// dead-letter reason a message can earn on its own, so the expected reason is known in advance.
/// </summary>
/// <remarks>
/// Pure and deterministic for a seed and a clock (no I/O). Not thread-safe. Each <see cref="Next"/> reuses one
/// buffer, so the returned memory is only valid until the next call.
/// </remarks>
public sealed class SyntheticTransactions : IDisposable
{
    public const int ProductCount = Catalogue.ProductCount;
    public const int UserCount = Sessions.UserCount;

    private readonly Random _rng;
    private readonly TimeProvider _time;
    private readonly double _badRatio;
    private readonly byte[] _key = new byte[32];
    private readonly MessageBuffer _buffer = new();
    private readonly Sessions _sessions;
    private readonly TransactionWriter _transactions;
    private readonly BadMessages _bad;

    private long _sequence;
    private int _nextBadKind;

    public SyntheticTransactions(int seed, double badRatio = 0, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(badRatio, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(badRatio, 1);
        _rng = new Random(seed);
        _badRatio = badRatio;
        _time = time ?? TimeProvider.System;

        // The order matters: each part draws from the same random sequence.
        var catalogue = new Catalogue(_rng);
        _sessions = new Sessions(_rng);
        _transactions = new TransactionWriter(_rng, _buffer, catalogue, unchecked((uint)seed));
        _bad = new BadMessages(_rng, _buffer, _transactions);
    }

    /// <summary>The reasons a message can earn by itself, in check order (<c>rejected_by_sink</c> is the sink's, <c>internal_error</c> a defect's).</summary>
    public static IReadOnlyList<DeadLetterReason> InjectableReasons => BadMessages.Reasons;

    /// <summary>How many messages have been generated.</summary>
    public long Generated => _sequence;

    public void Dispose() => _buffer.Dispose();

    /// <summary>Generates the next message. Its memory is valid until the next call.</summary>
    public SyntheticMessage Next()
    {
        var now = _time.GetUtcNow();
        var sequence = _sequence++;
        ref var session = ref _sessions.Next();
        var keyLength = Ids.FormatUserId(session.User, _key);

        DeadLetterReason? bad = null;
        if (_badRatio > 0 && _rng.NextDouble() < _badRatio)
        {
            bad = InjectableReasons[_nextBadKind];
            _nextBadKind = (_nextBadKind + 1) % InjectableReasons.Count;
        }

        _buffer.Clear();
        ReadOnlyMemory<byte> value;
        if (bad is { } reason)
        {
            value = _bad.Write(reason, session, now, sequence);
        }
        else
        {
            _transactions.Write(session, now, sequence, default);
            value = _buffer.Written;
        }

        return new SyntheticMessage(_key.AsMemory(0, keyLength), value, bad);
    }
}
