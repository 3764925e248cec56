using Ecommerce.Pipeline.Kafka.Producing;
using Ecommerce.Pipeline.Workload;

namespace Ecommerce.Pipeline.Cli.Producing;

/// <summary>What <c>produce</c>, <c>dev</c> and <c>bench</c> send: the lines of a file, or synthetic transactions.</summary>
internal static class ProduceSource
{
    /// <summary>
    /// The lines of <see cref="ProduceOptions.FilePath"/>, or synthetic transactions for
    /// <see cref="ProduceOptions.Seed"/> and <see cref="ProduceOptions.BadRatio"/> on <paramref name="time"/>'s clock.
    /// Validates the options first, so a contradiction is reported before a file is opened.
    /// </summary>
    public static IMessageSource Open(ProduceOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.FilePath is { } path
            ? JsonLinesSource.Open(path)
            : new SyntheticSource(new SyntheticTransactions(options.Seed, options.BadRatio, time));
    }

    /// <summary>Opens the source for <paramref name="options"/>, sends it with <paramref name="producer"/> and closes it.</summary>
    public static async Task<ProduceSummary> ProduceAsync(
        TransactionProducer producer,
        ProduceOptions options,
        IProgress<ProduceProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(producer);
        using var source = Open(options);
        return await producer.ProduceAsync(source, options, progress, cancellationToken);
    }
}
