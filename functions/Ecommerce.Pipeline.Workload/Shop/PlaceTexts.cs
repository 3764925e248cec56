using System.Text;

namespace Ecommerce.Pipeline.Workload.Shop;

/// <summary>The place-text forms of each city, encoded once.</summary>
internal sealed record PlaceTexts(
    byte[] CityAlpha2, byte[] CityAlpha3, byte[] CityName, byte[] CityRegionCountry, byte[] Alpha2, byte[] Alpha3, byte[] CountryName)
{
    public static readonly PlaceTexts[] ForCity = Cities.All.Select(c => new PlaceTexts(
        Encoding.UTF8.GetBytes($"{c.Name}, {c.CountryAlpha2}"),
        Encoding.UTF8.GetBytes($"{c.Name}, {c.CountryAlpha3}"),
        Encoding.UTF8.GetBytes($"{c.Name}, {c.CountryName}"),
        Encoding.UTF8.GetBytes($"{c.Name}, {c.Region}, {c.CountryName}"),
        Encoding.UTF8.GetBytes(c.CountryAlpha2),
        Encoding.UTF8.GetBytes(c.CountryAlpha3),
        Encoding.UTF8.GetBytes(c.CountryName))).ToArray();
}
