using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.Benchmarks;

/// <summary>
/// The per-record transform (parse, validate, clean, enrich) on what <c>pipeline produce</c> sends: the synthetic
/// workload for a fixed seed and clock, without bad messages and with the 1% that <c>dev</c> and <c>bench</c> send,
/// split into messages without and with coordinates. One operation = one batch of <see cref="BatchSize"/> records,
/// so ns/record = mean / BatchSize. Baseline: <c>JsonDocument.Parse</c> of the same bytes, measured in the same run,
/// so the ratio is meaningful on a noisy machine.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class TransformBenchmarks
{
    public const int BatchSize = 1000;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10));
            AddDiagnoser(MemoryDiagnoser.Default);
            AddColumn(new PerRecordColumn(BatchSize));
        }
    }

    private RawRecord[] _withoutCoordinates = [];
    private RawRecord[] _withCoordinates = [];
    private BatchProcessor _processor = null!;

    /// <summary>The share of deliberately bad messages, cycling through every dead-letter reason.</summary>
    [Params(0.0, 0.01)]
    public double BadRatio { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // One clock for the generator and the processor: the timestamps are judged against the time they were made at.
        var clock = new FixedClock(SyntheticBatches.Now);
        (_withoutCoordinates, _withCoordinates) = SyntheticBatches.Build(BatchSize, BadRatio, clock);
        _processor = new BatchProcessor(clock, GeoResolver.Default);
        // Load the borders before measuring.
        _processor.Process(_withCoordinates);
    }

    [Benchmark(Baseline = true, Description = "JsonDocument.Parse only (baseline)")]
    public int ParseOnlyBaseline()
    {
        var n = 0;
        foreach (var r in _withoutCoordinates)
        {
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(r.Value);
                n += doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object ? 1 : 0;
            }
            catch (System.Text.Json.JsonException)
            {
            }
            catch (ArgumentException)
            {
            }
        }

        return n;
    }

    [Benchmark(Description = "Transform, no coordinates")]
    public int TransformWithoutCoordinates() => _processor.Process(_withoutCoordinates).Rows.Count;

    [Benchmark(Description = "Transform, with coordinates")]
    public int TransformWithCoordinates() => _processor.Process(_withCoordinates).Rows.Count;

    /// <summary>A clock that always reads the same instant.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
