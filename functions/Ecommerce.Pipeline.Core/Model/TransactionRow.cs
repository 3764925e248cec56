namespace Ecommerce.Pipeline.Core.Model;

/// <summary>A cleaned, validated and enriched transaction: one row of the <c>transactions</c> table.</summary>
/// <remarks>Column names, types and order are declared once in <see cref="Schema.PipelineSchema"/>.</remarks>
public sealed class TransactionRow
{
    public required string TransactionId { get; init; }
    public required string UserId { get; init; }
    public required string ProductId { get; init; }

    /// <summary>Two decimal places, rounded half away from zero.</summary>
    public required decimal Price { get; init; }

    /// <summary>ISO 4217, upper case.</summary>
    public required string Currency { get; init; }

    /// <summary>UTC, truncated to microseconds.</summary>
    public required DateTime EventTimestamp { get; init; }

    public DateOnly EventDate => DateOnly.FromDateTime(EventTimestamp);

    /// <summary>Canonical payment method (see <see cref="Parsing.PaymentMethods"/>).</summary>
    public required string PaymentMethod { get; init; }

    public string? PaymentMethodRaw { get; init; }
    public string? CountryCode { get; init; }
    public string? Continent { get; init; }
    public string? City { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public string? GeolocationRaw { get; init; }

    public required string KafkaTopic { get; init; }
    public required int KafkaPartition { get; init; }
    public required long KafkaOffset { get; init; }

    /// <summary>The Kafka message timestamp; not stored, used for end-to-end latency.</summary>
    public required DateTimeOffset KafkaTimestamp { get; init; }

    /// <summary>UTC time the batch was processed.</summary>
    public required DateTime IngestedAt { get; init; }

    /// <summary>Index of the source record in its batch, so a sink rejection can be traced back to the original bytes.</summary>
    public int SourceIndex { get; init; }
}
