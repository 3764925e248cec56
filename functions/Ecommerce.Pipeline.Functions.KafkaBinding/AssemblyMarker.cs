namespace Ecommerce.Pipeline.Functions.KafkaBinding; internal static class AssemblyMarker { }
