using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Ecommerce.Pipeline.Benchmarks;

/// <summary>
/// Adds ns/record and records/s columns (one benchmark operation is one batch of <c>batchSize</c> records, or of the
/// value of the benchmark parameter <c>sizeParameter</c> when the batch size is a parameter).
/// </summary>
internal sealed class PerRecordColumn(int batchSize, string? sizeParameter = null) : IColumn
{
    /// <summary>The batch size is the benchmark's parameter <paramref name="name"/>.</summary>
    public static PerRecordColumn FromParameter(string name) => new(0, name);

    public string Id => nameof(PerRecordColumn);
    public string ColumnName => "ns/record | records/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => false;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Mean time per record, and records per second on one core";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats)
        {
            return "-";
        }

        var size = sizeParameter is null ? batchSize : Convert.ToInt32(benchmarkCase.Parameters[sizeParameter], CultureInfo.InvariantCulture);
        var nsPerRecord = stats.Mean / size;
        return FormattableString.Invariant($"{nsPerRecord:F0} ns | {1e9 / nsPerRecord:N0}/s");
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
