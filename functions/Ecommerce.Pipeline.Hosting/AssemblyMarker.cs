namespace Ecommerce.Pipeline.Hosting; internal static class AssemblyMarker { }
