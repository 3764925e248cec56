namespace Ecommerce.Pipeline.Core.Geo;

/// <summary>
/// Resolves the <c>geolocation</c> field (CONTRACT §1): coordinate pairs by reverse geocoding over country borders,
/// place texts by country name/code lookup. Thread-safe; build once and share.
/// </summary>
public sealed class GeoResolver
{
    // STUB: replaced by the geo implementation.
    public static GeoResolver Default { get; } = new();

    /// <summary>Resolves a text: <c>"lat,lon"</c>, <c>"City, Country"</c>, <c>"City, Region, Country"</c> or a bare country.</summary>
    public GeoLocation ResolveText(string text) => _stub ? GeoLocation.None : default;

    /// <summary>Resolves a coordinate pair; out of range gives <see cref="GeoLocation.None"/>.</summary>
    public GeoLocation ResolveCoordinates(double latitude, double longitude) => _stub ? GeoLocation.None : default;

    private readonly bool _stub = true;
}
