using Confluent.Kafka;
using Ecommerce.Pipeline.Kafka.Embedded;

namespace Ecommerce.Pipeline.Kafka.Tests.Security;

/// <summary>
/// What the configs do against a real listener. librdkafka's mock cluster (the embedded broker) does not implement
/// SaslHandshake, and a client that creates one with <c>test.mock.num.brokers</c> and SASL settings still talks
/// plaintext to it (both measured): no full SASL or TLS handshake can succeed here. What can be shown is that a
/// client built from <see cref="KafkaClientConfig"/> really opens the SASL (or TLS) exchange with the mechanism the
/// settings name, and that plaintext still gets through.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecurityOnTheWireTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EmbeddedKafkaCluster _cluster = EmbeddedKafkaCluster.StartEmpty(1);

    [Theory]
    [InlineData("plaintext", "PLAIN")]
    [InlineData("scram_sha256", "SCRAM-SHA-256")]
    [InlineData("scram_sha512", "SCRAM-SHA-512")]
    public async Task A_SASL_client_starts_the_SASL_exchange_with_the_configured_mechanism(string mechanism, string onTheWire)
    {
        var security = KafkaSecurity.Create(mechanism, "pipeline", "not-a-real-password", "disable");

        var error = await FirstErrorAsync(KafkaClientConfig.Producer(_cluster.BootstrapServers, "sasl-probe", security));

        Assert.Equal(ErrorCode.Local_Authentication, error.Code);
        Assert.Contains($"mechanism {onTheWire}", error.Reason, StringComparison.Ordinal);
        Assert.Contains("sasl_plaintext://", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-real-password", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_TLS_client_starts_a_TLS_handshake()
    {
        var security = KafkaSecurity.Create("plaintext", "pipeline", "not-a-real-password", "enable");

        var error = await FirstErrorAsync(KafkaClientConfig.Producer(_cluster.BootstrapServers, "tls-probe", security));

        Assert.Contains("sasl_ssl://", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plaintext_client_reads_the_metadata()
    {
        using var admin = new AdminClientBuilder(KafkaClientConfig.Admin(_cluster.BootstrapServers, security: KafkaSecurity.Plaintext)).Build();

        var metadata = admin.GetMetadata(Patience);

        Assert.Single(metadata.Brokers);
    }

    public void Dispose() => _cluster.Dispose();

    private static async Task<Error> FirstErrorAsync(ProducerConfig config)
    {
        // librdkafka connects to the bootstrap broker as soon as the client exists; the background poll thread
        // delivers the connection's failure to the error handler.
        var first = new TaskCompletionSource<Error>(TaskCreationOptions.RunContinuationsAsynchronously);
        config.Set("log_level", "0");
        using var producer = new ProducerBuilder<Null, string>(config)
            .SetErrorHandler((_, e) => first.TrySetResult(e))
            .SetLogHandler((_, _) => { })
            .Build();
        return await first.Task.WaitAsync(Patience);
    }
}
