using BenchmarkDotNet.Running;

// `bigquery-stand-in [PORT [DELAY_MS | lognormal:MEDIAN_MS[:SIGMA] [STORAGE_PORT]]]`: the answer-at-once BigQuery endpoints
// (REST, and the Storage Write API on STORAGE_PORT) for `pipeline bench --sink bigquery`
// (scripts/bench-bigquery.sh); anything else: BenchmarkDotNet.
if (args is ["bigquery-stand-in", .. var rest])
{
    return await Ecommerce.Pipeline.Benchmarks.AnswerAtOnceBigQuery.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(Ecommerce.Pipeline.Benchmarks.TransformBenchmarks).Assembly).Run(args);
return 0;
