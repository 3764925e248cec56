namespace Ecommerce.Pipeline.Core.Geo;

/// <summary>A country or territory with an ISO 3166-1 code (plus XK, Kosovo) and its continent code.</summary>
/// <param name="Alpha2">ISO 3166-1 alpha-2, upper case.</param>
/// <param name="Alpha3">ISO 3166-1 alpha-3, upper case.</param>
/// <param name="Name">English name.</param>
/// <param name="Continent">One of AF AN AS EU NA OC SA.</param>
public sealed record Country(string Alpha2, string Alpha3, string Name, string Continent);
