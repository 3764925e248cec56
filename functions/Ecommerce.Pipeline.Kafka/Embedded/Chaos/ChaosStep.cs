namespace Ecommerce.Pipeline.Kafka.Embedded.Chaos;

/// <summary>What a chaos step does to the embedded cluster (see <see cref="ChaosSpec"/> for the syntax).</summary>
public enum ChaosAction
{
    /// <summary><c>down B</c>: broker B stops answering.</summary>
    Down,

    /// <summary><c>up B</c>: broker B answers again.</summary>
    Up,

    /// <summary><c>rtt B MS</c>: broker B answers MS milliseconds late (0 ends it).</summary>
    Rtt,

    /// <summary><c>leader P B</c> / <c>leader * B</c>: partition P (or every partition) of the transactions topic moves to broker B.</summary>
    Leader,

    /// <summary><c>coordinator B</c>: the consumer group's coordinator moves to broker B.</summary>
    Coordinator,

    /// <summary><c>errors API N CODE[,CODE...]</c>: the next N requests of the API fail with those errors, in turn.</summary>
    Errors,

    /// <summary><c>delay API B N MS</c>: the next N requests of the API to broker B are answered MS milliseconds late.</summary>
    Delay,

    /// <summary><c>topic-error CODE</c>: Metadata answers report CODE for the transactions topic (<c>NO_ERROR</c> ends it).</summary>
    TopicError,
}

/// <summary>
/// One parsed step: at <see cref="At"/> after the cluster started, do <see cref="Action"/>. <see cref="Text"/> is the
/// step as printed when applied (<c>down 2</c>).
/// </summary>
public sealed record ChaosStep(TimeSpan At, ChaosAction Action, string Text)
{
    public int Broker { get; init; }

    /// <summary>The partition of <see cref="ChaosAction.Leader"/>; null for every partition.</summary>
    public int? Partition { get; init; }

    public int Milliseconds { get; init; }

    public short ApiKey { get; init; }

    public int Count { get; init; }

    /// <summary>The error codes of <see cref="ChaosAction.Errors"/> (one per request, the list repeated) or <see cref="ChaosAction.TopicError"/>.</summary>
    public IReadOnlyList<int> ErrorCodes { get; init; } = [];
}
