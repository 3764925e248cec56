namespace Ecommerce.Pipeline.IntegrationTests;

/// <summary>Tests that run real processes share one collection: they run one at a time on a 2-core machine.</summary>
[CollectionDefinition(nameof(ProcessTests), DisableParallelization = true)]
public sealed class ProcessTests;
