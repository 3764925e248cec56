namespace Ecommerce.Pipeline.Functions; internal static class AssemblyMarker { }
