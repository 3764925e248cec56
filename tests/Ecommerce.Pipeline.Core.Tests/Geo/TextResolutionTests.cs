using Ecommerce.Pipeline.Core.Geo;

namespace Ecommerce.Pipeline.Core.Tests.Geo;

public sealed class TextResolutionTests
{
    private static readonly GeoResolver Geo = GeoResolver.Default;

    [Theory]
    [InlineData("Paris, FR", "Paris", "FR", "EU")]
    [InlineData("Berlin, Germany", "Berlin", "DE", "EU")]
    [InlineData("Austin, Texas, US", "Austin", "US", "NA")]
    [InlineData("Lyon, FRA", "Lyon", "FR", "EU")]
    [InlineData("  new york , usa ", "new york", "US", "NA")]
    [InlineData("Tokyo,JP", "Tokyo", "JP", "AS")]
    [InlineData("São Paulo, SP, Brazil", "São Paulo", "BR", "SA")]
    [InlineData("Abidjan, Ivory Coast", "Abidjan", "CI", "AF")]
    [InlineData("Abidjan, Côte d'Ivoire", "Abidjan", "CI", "AF")]
    [InlineData("Abidjan, cote divoire", "Abidjan", "CI", "AF")]
    [InlineData("Manchester, UK", "Manchester", "GB", "EU")]
    [InlineData("Edinburgh, Scotland", "Edinburgh", "GB", "EU")]
    [InlineData("Glasgow, Great Britain", "Glasgow", "GB", "EU")]
    [InlineData("Seattle, WA, United States of America", "Seattle", "US", "NA")]
    [InlineData("Boston, MA, U.S.A.", "Boston", "US", "NA")]
    [InlineData("Kazan, Russia", "Kazan", "RU", "EU")]
    [InlineData("Busan, South Korea", "Busan", "KR", "AS")]
    [InlineData("Busan, Republic of Korea", "Busan", "KR", "AS")]
    [InlineData("Brno, Czech Republic", "Brno", "CZ", "EU")]
    [InlineData("Brno, Czechia", "Brno", "CZ", "EU")]
    [InlineData("Sarajevo, Bosnia & Herzegovina", "Sarajevo", "BA", "EU")]
    [InlineData("Nassau, the Bahamas", "Nassau", "BS", "NA")]
    [InlineData("Honolulu, Hawaii, US", "Honolulu", "US", "NA")]
    [InlineData("San Juan, Puerto Rico", "San Juan", "PR", "NA")]
    [InlineData("Castries, Saint Lucia", "Castries", "LC", "NA")]
    [InlineData("Mexico City, Mexico", "Mexico City", "MX", "NA")]
    [InlineData("Cairo, EGY", "Cairo", "EG", "AF")]
    [InlineData("Sydney, NSW, australia", "Sydney", "AU", "OC")]
    public void Place_text_gives_city_and_country(string text, string city, string country, string continent)
    {
        Assert.Equal(new GeoLocation(country, continent, city, null, null), Geo.ResolveText(text));
    }

    [Theory]
    [InlineData("DE", "DE", "EU")]
    [InlineData("de", "DE", "EU")]
    [InlineData("Japan", "JP", "AS")]
    [InlineData("JPN", "JP", "AS")]
    [InlineData("  united kingdom ", "GB", "EU")]
    [InlineData("Netherlands", "NL", "EU")]
    [InlineData("Greenland", "GL", "NA")]
    [InlineData("Antarctica", "AQ", "AN")]
    [InlineData("Türkiye", "TR", "AS")]
    public void Bare_country_gives_country_only(string text, string country, string continent)
    {
        Assert.Equal(new GeoLocation(country, continent, null, null, null), Geo.ResolveText(text));
    }

    [Fact]
    public void Unknown_country_keeps_the_city()
    {
        Assert.Equal(new GeoLocation(null, null, "Poseidonis", null, null), Geo.ResolveText("Poseidonis, Atlantis"));
        Assert.Equal(new GeoLocation(null, null, "Springfield", null, null), Geo.ResolveText("Springfield, , "));
    }

    [Theory]
    [InlineData("Atlantis")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",")]
    [InlineData("EU")]          // a union, not a country
    [InlineData("Europe")]      // a region, not a country
    [InlineData("The")]
    public void Unresolvable_text_gives_nothing(string text)
    {
        Assert.Equal(GeoLocation.None, Geo.ResolveText(text));
    }

    [Fact]
    public void Null_text_gives_nothing()
    {
        Assert.Equal(GeoLocation.None, Geo.ResolveText(null!));
    }

    [Theory]
    [InlineData("48.85, 2.35", 48.85, 2.35, "FR", "EU")]
    [InlineData("48.85,2.35", 48.85, 2.35, "FR", "EU")]
    [InlineData(" -33.8688 , 151.2093 ", -33.8688, 151.2093, "AU", "OC")]
    [InlineData("0,0", 0.0, 0.0, null, null)]
    [InlineData("-16.5, 180", -16.5, 180.0, "FJ", "OC")]
    [InlineData("4.5e1, 7", 45.0, 7.0, "IT", "EU")]
    public void Coordinate_text_is_reverse_geocoded(string text, double latitude, double longitude, string? country, string? continent)
    {
        Assert.Equal(new GeoLocation(country, continent, null, latitude, longitude), Geo.ResolveText(text));
    }

    [Theory]
    [InlineData("91,0")]
    [InlineData("-90.5, 10")]
    [InlineData("10, 200")]
    [InlineData("NaN, 5")]
    public void Out_of_range_coordinate_text_gives_nothing(string text)
    {
        Assert.Equal(GeoLocation.None, Geo.ResolveText(text));
    }

    [Fact]
    public void Place_with_a_numeric_city_is_still_a_place()
    {
        Assert.Equal(new GeoLocation("FR", "EU", "75001", null, null), Geo.ResolveText("75001, France"));
    }

    [Fact]
    public void Three_numeric_parts_are_not_a_coordinate_pair()
    {
        // Only "lat,lon" is a coordinate pair; the last part "10" is no country.
        Assert.Equal(new GeoLocation(null, null, "48.85", null, null), Geo.ResolveText("48.85, 2.35, 10"));
    }
}
