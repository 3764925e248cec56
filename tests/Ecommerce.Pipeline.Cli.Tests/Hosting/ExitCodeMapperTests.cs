using Confluent.Kafka;
using Ecommerce.Pipeline.Cli.Hosting;

namespace Ecommerce.Pipeline.Cli.Tests.Hosting;

public sealed class ExitCodeMapperTests
{
    [Fact]
    public void A_fatal_consumer_error_is_exit_1_with_one_line_naming_Kafka()
    {
        // librdkafka's reason for a fenced static member (src/rdkafka_cgrp.c, rd_kafka_set_fatal_error).
        var fatal = new KafkaException(new Error(ErrorCode.FencedInstanceId,
            "Fatal consumer error: Broker: Static consumer fenced by other consumer with same group.instance.id", isFatal: true));

        var (code, line) = ExitCodeMapper.Map(fatal)!.Value;

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal("pipeline: error: Kafka: Fatal consumer error: Broker: Static consumer fenced by other consumer with same group.instance.id", line);
    }
}
