using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Ecommerce.Pipeline.Core.Geo;
using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.Benchmarks;

/// <summary>
/// The per-record transform (parse, validate, clean, enrich) on a realistic mix with 1% invalid records, with and
/// without coordinates. One operation = one batch of <see cref="BatchSize"/> records, so ns/record = mean / BatchSize.
/// Baseline: <c>JsonDocument.Parse</c> of the same bytes, measured in the same run, so the ratio is meaningful on a
/// noisy machine.
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
            AddColumn(new PerRecordColumn());
        }
    }

    private RawRecord[] _withoutCoordinates = [];
    private RawRecord[] _withCoordinates = [];
    private BatchProcessor _processor = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _withoutCoordinates = Mix.Build(BatchSize, now, coordinates: false);
        _withCoordinates = Mix.Build(BatchSize, now, coordinates: true);
        _processor = new BatchProcessor(TimeProvider.System, GeoResolver.Default);
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
}

/// <summary>A realistic mix of messages: every accepted form, 1% invalid of every kind.</summary>
internal static class Mix
{
    private static readonly string[] Places =
        ["Paris, FR", "Berlin, Germany", "Austin, Texas, US", "Tokyo, JPN", "São Paulo, Brazil", "Lagos, NG", "Sydney, AU", "DE", "Japan"];

    private static readonly (double Lat, double Lon)[] Points =
        [(48.8566, 2.3522), (52.52, 13.405), (30.2672, -97.7431), (35.6762, 139.6503), (-23.5505, -46.6333), (6.5244, 3.3792), (-33.8688, 151.2093), (19.076, 72.8777)];

    private static readonly string[] Payments = ["credit_card", "visa", "paypal", "Apple Pay", "debit", "gpay", "bank_transfer", "COD"];

    private static readonly string[] Bad =
    [
        "not json", "[1,2,3]", "{\"user_id\":\"u\"}", "{\"transaction_id\":\"t\",\"user_id\":\"u\",\"product_id\":\"p\",\"price\":-5,\"timestamp\":1}",
        "{\"transaction_id\":\"t\",\"user_id\":\"u\",\"product_id\":\"p\",\"price\":5,\"timestamp\":\"yesterday\"}",
    ];

    public static RawRecord[] Build(int count, DateTimeOffset now, bool coordinates)
    {
        var random = new Random(42);
        var records = new RawRecord[count];
        for (var i = 0; i < count; i++)
        {
            string json;
            if (i % 100 == 99)
            {
                json = Bad[random.Next(Bad.Length)];
            }
            else
            {
                var ts = now.AddMilliseconds(-random.Next(1, 60_000));
                var timestamp = (i % 4) switch
                {
                    0 => "\"" + ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "\"",
                    1 => ts.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    2 => "\"" + ts.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture) + "\"",
                    _ => "\"" + ts.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "\"",
                };
                var price = (i % 5) switch
                {
                    0 => "\"$1,299.99\"",
                    1 => "\"45.50 EUR\"",
                    _ => (Math.Exp(random.NextDouble() * 5) + 1).ToString("0.00", CultureInfo.InvariantCulture),
                };
                string geo;
                if (coordinates)
                {
                    var (lat, lon) = Points[random.Next(Points.Length)];
                    geo = i % 2 == 0
                        ? $"\"{lat.ToString(CultureInfo.InvariantCulture)},{lon.ToString(CultureInfo.InvariantCulture)}\""
                        : $"{{\"lat\":{lat.ToString(CultureInfo.InvariantCulture)},\"lon\":{lon.ToString(CultureInfo.InvariantCulture)}}}";
                }
                else
                {
                    geo = "\"" + Places[random.Next(Places.Length)] + "\"";
                }

                json = $"{{\"transaction_id\":\"tx-{i:D8}-{random.Next():x8}\",\"user_id\":\"user-{random.Next(50_000)}\"," +
                       $"\"product_id\":\"sku-{random.Next(5_000)}\",\"price\":{price},\"timestamp\":{timestamp}," +
                       $"\"payment_method\":\"{Payments[random.Next(Payments.Length)]}\",\"geolocation\":{geo}}}";
            }

            records[i] = new RawRecord(Encoding.UTF8.GetBytes("user"), Encoding.UTF8.GetBytes(json), "transactions_stream", i % 6, i, now);
        }

        return records;
    }
}
