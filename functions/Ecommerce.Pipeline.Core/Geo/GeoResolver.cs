using System.Globalization;

namespace Ecommerce.Pipeline.Core.Geo;

/// <summary>
/// Resolves the <c>geolocation</c> field (docs/contract.md, "Input forms"): coordinate pairs by reverse geocoding over country borders,
/// place texts by country name/code lookup. Never throws for bad input: what cannot be resolved is left null.
/// Immutable and thread-safe; build once and share (<see cref="Default"/>).
/// </summary>
public sealed class GeoResolver
{
    private const string ResourceName = "Ecommerce.Pipeline.Core.Geo.countries.bin";

    private static readonly Lazy<GeoResolver> LazyDefault = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private GeoResolver(CountryCatalog countries, ReverseGeocoder borders)
    {
        Countries = countries;
        Borders = borders;
    }

    /// <summary>The resolver over the embedded country-coder borders, loaded on first use.</summary>
    public static GeoResolver Default => LazyDefault.Value;

    public CountryCatalog Countries { get; }

    public ReverseGeocoder Borders { get; }

    /// <summary>Loads a resolver from a data file in the <c>tools/geo/build_geo_data.py</c> format.</summary>
    public static GeoResolver Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var data = GeoDataReader.Read(stream);
        return new GeoResolver(
            new CountryCatalog(data.Select(d => (d.Country, d.Aliases)).ToArray()),
            new ReverseGeocoder(data));
    }

    /// <summary>
    /// Resolves a text: <c>"lat,lon"</c>, <c>"City, Country"</c>, <c>"City, Region, Country"</c> or a bare country
    /// code or name. Allocates nothing but the City string.
    /// </summary>
    public GeoLocation ResolveText(string text)
    {
        if (text is null)
        {
            return GeoLocation.None;
        }

        var span = text.AsSpan().Trim();
        var firstComma = span.IndexOf(',');
        if (firstComma < 0)
        {
            return Countries.TryResolve(span, out var bare)
                ? new GeoLocation(bare.Alpha2, bare.Continent, null, null, null)
                : GeoLocation.None;
        }

        var head = span[..firstComma].Trim();
        var lastComma = span.LastIndexOf(',');
        var tail = span[(lastComma + 1)..].Trim();
        if (firstComma == lastComma && TryParseDegrees(head, out var latitude) && TryParseDegrees(tail, out var longitude))
        {
            return ResolveCoordinates(latitude, longitude);
        }

        // The middle part (a region) is not needed: the country is always the last part.
        string? city = head.IsEmpty ? null : head.ToString();
        return Countries.TryResolve(tail, out var country)
            ? new GeoLocation(country.Alpha2, country.Continent, city, null, null)
            : new GeoLocation(null, null, city, null, null);
    }

    /// <summary>Resolves a coordinate pair; out of range (or NaN) gives <see cref="GeoLocation.None"/>.</summary>
    public GeoLocation ResolveCoordinates(double latitude, double longitude)
    {
        if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180))
        {
            return GeoLocation.None;
        }

        var country = Borders.FindCountry(latitude, longitude);
        return new GeoLocation(country?.Alpha2, country?.Continent, null, latitude, longitude);
    }

    private static bool TryParseDegrees(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value);

    private static GeoResolver LoadEmbedded()
    {
        using var stream = typeof(GeoResolver).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the Core assembly.");
        return Load(stream);
    }
}
