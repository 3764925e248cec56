namespace Ecommerce.Pipeline.Kafka; internal static class AssemblyMarker { }
