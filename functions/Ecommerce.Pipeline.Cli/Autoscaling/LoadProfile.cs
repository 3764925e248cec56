using System.Globalization;
using Ecommerce.Pipeline.Core.Configuration;

namespace Ecommerce.Pipeline.Cli.Autoscaling;

/// <summary>One piece of a load profile: the producer rate goes linearly from <c>StartRate</c> to <c>EndRate</c> (msg/s).</summary>
internal sealed record LoadSegment(double StartRate, double EndRate, long DurationMs)
{
    public bool IsRamp => !StartRate.Equals(EndRate);

    /// <summary>Messages produced in the first <paramref name="ms"/> of the segment (the integral of the rate).</summary>
    public double Cumulative(double ms)
    {
        var s = ms / 1000.0;
        var d = DurationMs / 1000.0;
        return StartRate * s + (EndRate - StartRate) * s * s / (2 * d);
    }

    public double RateAt(double ms) => StartRate + (EndRate - StartRate) * ms / DurationMs;

    /// <summary>The instant (ms into the segment) at which <paramref name="messages"/> have been produced.</summary>
    public double TimeOf(double messages)
    {
        // Solve a·s² + b·s = x; the form 2x / (b + √(b² + 4ax)) is stable for ramps up, ramps down and flat segments.
        var a = (EndRate - StartRate) / (2 * (DurationMs / 1000.0));
        var b = StartRate;
        var root = Math.Sqrt(Math.Max(0, b * b + 4 * a * messages));
        var s = b + root == 0 ? 0 : 2 * messages / (b + root);
        return Math.Min(DurationMs, s * 1000.0);
    }
}

/// <summary>
/// A producer load over time, written <c>RATE:DURATION,...</c> (e.g. <c>833:2m,20000:5m,833:5m</c>) with optional linear
/// ramps <c>FROM-&gt;TO:DURATION</c> (e.g. <c>833-&gt;20000:1m</c>). Rates are messages per second over the whole topic.
/// </summary>
internal sealed class LoadProfile
{
    private readonly double[] _startCumulative;
    private readonly long[] _startMs;

    public LoadProfile(IReadOnlyList<LoadSegment> segments)
    {
        if (segments.Count == 0)
        {
            throw new ArgumentException("A load profile needs at least one segment.", nameof(segments));
        }

        Segments = segments;
        _startCumulative = new double[segments.Count];
        _startMs = new long[segments.Count];
        double cumulative = 0;
        long start = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            _startCumulative[i] = cumulative;
            _startMs[i] = start;
            cumulative += segments[i].Cumulative(segments[i].DurationMs);
            start += segments[i].DurationMs;
        }

        TotalMessages = cumulative;
        DurationMs = start;
        PeakRate = segments.Max(s => Math.Max(s.StartRate, s.EndRate));
        PeakEndMs = FindPeakEnd();
    }

    public IReadOnlyList<LoadSegment> Segments { get; }
    public long DurationMs { get; }
    public double TotalMessages { get; }
    public double PeakRate { get; }

    /// <summary>The last instant at which the producer runs at <see cref="PeakRate"/>; drain time is measured from here.</summary>
    public long PeakEndMs { get; }

    public static bool TryParse(string? text, out LoadProfile? profile, out string error)
    {
        profile = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the profile is empty";
            return false;
        }

        var segments = new List<LoadSegment>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0)
            {
                error = $"'{part}' is not RATE:DURATION or FROM->TO:DURATION";
                return false;
            }

            if (!DurationParser.TryParse(part[(colon + 1)..], out var duration) || duration <= TimeSpan.Zero)
            {
                error = $"'{part}': '{part[(colon + 1)..]}' is not a positive duration like 30s, 2m or 1h";
                return false;
            }

            var rates = part[..colon].Split("->", StringSplitOptions.TrimEntries);
            if (rates.Length > 2 || !TryRate(rates[0], out var from) || !TryRate(rates[^1], out var to))
            {
                error = $"'{part}': the rate must be a non-negative number of messages per second, or FROM->TO";
                return false;
            }

            segments.Add(new LoadSegment(from, to, (long)Math.Round(duration.Value.TotalMilliseconds)));
        }

        profile = new LoadProfile(segments);
        return true;
    }

    /// <summary>Messages produced by time <paramref name="ms"/> (constant after the profile ends at its last rate).</summary>
    public double Cumulative(double ms)
    {
        if (ms <= 0)
        {
            return 0;
        }

        var i = SegmentAt(ms);
        var offset = Math.Min(ms - _startMs[i], Segments[i].DurationMs);
        return _startCumulative[i] + Segments[i].Cumulative(offset);
    }

    public double RateAt(double ms)
    {
        var i = SegmentAt(Math.Clamp(ms, 0, DurationMs));
        return Segments[i].RateAt(Math.Min(Math.Max(0, ms - _startMs[i]), Segments[i].DurationMs));
    }

    /// <summary>When the message with this 0-based global index was produced (the cumulative count reached index + 1).</summary>
    public double ProducedAtMs(long messageIndex)
    {
        var target = messageIndex + 1.0;

        // The first segment by whose end the count reached the target (segments with rate 0 add nothing).
        var i = 0;
        while (i + 1 < Segments.Count && _startCumulative[i + 1] < target)
        {
            i++;
        }

        return _startMs[i] + Segments[i].TimeOf(target - _startCumulative[i]);
    }

    public override string ToString() => string.Join(',', Segments.Select(s =>
        (s.IsRamp ? FormattableString.Invariant($"{s.StartRate}->{s.EndRate}") : s.StartRate.ToString(CultureInfo.InvariantCulture))
        + ":" + DurationParser.Format(TimeSpan.FromMilliseconds(s.DurationMs))));

    private static bool TryRate(string text, out double rate) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out rate) && double.IsFinite(rate) && rate >= 0;

    private int SegmentAt(double ms)
    {
        for (var i = Segments.Count - 1; i > 0; i--)
        {
            if (ms > _startMs[i])
            {
                return i;
            }
        }

        return 0;
    }

    private long FindPeakEnd()
    {
        long peakEnd = 0;
        for (var i = 0; i < Segments.Count; i++)
        {
            var s = Segments[i];
            if (s.EndRate.Equals(PeakRate))
            {
                peakEnd = _startMs[i] + s.DurationMs;
            }
            else if (s.StartRate.Equals(PeakRate))
            {
                peakEnd = _startMs[i];
            }
        }

        return peakEnd;
    }
}
