using BenchmarkDotNet.Running;

// `bigquery-stand-in [PORT [DELAY_MS | lognormal:MEDIAN_MS[:SIGMA]]]`: the answer-at-once BigQuery endpoint for `pipeline bench --sink bigquery`
// (scripts/bench-bigquery.sh); anything else: BenchmarkDotNet.
if (args is ["bigquery-stand-in", .. var rest])
{
    return await Ecommerce.Pipeline.Benchmarks.AnswerAtOnceBigQuery.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(Ecommerce.Pipeline.Benchmarks.TransformBenchmarks).Assembly).Run(args);
return 0;
