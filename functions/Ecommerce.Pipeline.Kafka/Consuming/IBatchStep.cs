using Ecommerce.Pipeline.Core.Model;
using Ecommerce.Pipeline.Core.Processing;

namespace Ecommerce.Pipeline.Kafka.Consuming;

/// <summary>What a batch writer does with one batch: an optional pure transform it may run ahead, then the store.</summary>
internal interface IBatchStep
{
    /// <summary>False when <see cref="Prepare"/> has nothing to do ahead of time; the writer then never calls it.</summary>
    bool PreparesAhead { get; }

    /// <summary>The pure part of the batch (no I/O), safe to run on another thread while the previous batch is stored.</summary>
    BatchResult Prepare(IReadOnlyList<RawRecord> records);

    /// <summary>Stores the batch; <paramref name="prepared"/> is its <see cref="Prepare"/> result, or null. May be retried.</summary>
    Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, BatchResult? prepared, CancellationToken cancellationToken);
}

/// <summary>The production step: <see cref="TransactionBatchHandler"/>, whose transform runs ahead.</summary>
internal sealed class TransactionBatchStep(TransactionBatchHandler handler) : IBatchStep
{
    public bool PreparesAhead => true;

    public BatchResult Prepare(IReadOnlyList<RawRecord> records) => handler.Prepare(records);

    public Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, BatchResult? prepared,
        CancellationToken cancellationToken) => handler.HandleAsync(records, prepared, cancellationToken);
}

/// <summary>For tests and benchmarks: any handler function, with nothing to prepare ahead.</summary>
internal sealed class DelegateBatchStep(Func<IReadOnlyList<RawRecord>, CancellationToken, Task<BatchOutcome>> handle) : IBatchStep
{
    public bool PreparesAhead => false;

    public BatchResult Prepare(IReadOnlyList<RawRecord> records) =>
        throw new NotSupportedException("This step has no transform to run ahead.");

    public Task<BatchOutcome> HandleAsync(IReadOnlyList<RawRecord> records, BatchResult? prepared,
        CancellationToken cancellationToken) => handle(records, cancellationToken);
}
