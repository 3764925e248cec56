namespace Ecommerce.Pipeline.BigQuery; internal static class AssemblyMarker { }
