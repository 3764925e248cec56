namespace Ecommerce.Pipeline.DuckDb; internal static class AssemblyMarker { }
