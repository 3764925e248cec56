using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Ecommerce.Pipeline.Benchmarks.TransformBenchmarks).Assembly).Run(args);
