namespace Ecommerce.Pipeline.Core.Geo;

/// <summary>What a geolocation resolved to. Every field may be null; an unresolvable geolocation is never an error.</summary>
public readonly record struct GeoLocation(
    string? CountryCode,
    string? Continent,
    string? City,
    double? Latitude,
    double? Longitude)
{
    public static GeoLocation None => default;
}
