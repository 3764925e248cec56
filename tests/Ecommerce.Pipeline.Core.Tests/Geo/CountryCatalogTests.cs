using Ecommerce.Pipeline.Core.Geo;

namespace Ecommerce.Pipeline.Core.Tests.Geo;

public sealed class CountryCatalogTests
{
    private static readonly CountryCatalog Catalog = GeoResolver.Default.Countries;
    private static readonly string[] Continents = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"];

    [Theory]
    [InlineData("US", "US")]
    [InlineData("usa", "US")]
    [InlineData("United States", "US")]
    [InlineData("United States of America", "US")]
    [InlineData("U.S.", "US")]
    [InlineData("America", "US")]
    [InlineData("UK", "GB")]
    [InlineData("GBR", "GB")]
    [InlineData("Great Britain", "GB")]
    [InlineData("England", "GB")]
    [InlineData("Russia", "RU")]
    [InlineData("Russian Federation", "RU")]
    [InlineData("South Korea", "KR")]
    [InlineData("North Korea", "KP")]
    [InlineData("Czechia", "CZ")]
    [InlineData("Czech Republic", "CZ")]
    [InlineData("Ivory Coast", "CI")]
    [InlineData("CÔTE D’IVOIRE", "CI")]
    [InlineData("China", "CN")]
    [InlineData("People's Republic of China", "CN")]
    [InlineData("Taiwan", "TW")]
    [InlineData("Ireland", "IE")]
    [InlineData("Holland", "NL")]
    [InlineData("Burma", "MM")]
    [InlineData("Swaziland", "SZ")]
    [InlineData("Viet Nam", "VN")]
    [InlineData("UAE", "AE")]
    [InlineData("DR Congo", "CD")]
    [InlineData("Republic of the Congo", "CG")]
    [InlineData("St Kitts and Nevis", "KN")]
    [InlineData("Saint Kitts & Nevis", "KN")]
    [InlineData("Isle of Man", "IM")]
    [InlineData("Kosovo", "XK")]
    [InlineData("Åland Islands", "AX")]
    [InlineData("Curacao", "CW")]
    [InlineData("Réunion", "RE")]
    [InlineData("Canary Islands", "ES")]
    [InlineData("IC", "ES")]
    public void Resolves_codes_names_and_aliases(string text, string alpha2)
    {
        Assert.True(Catalog.TryResolve(text, out var country), text);
        Assert.Equal(alpha2, country.Alpha2);
    }

    [Theory]
    [InlineData("Atlantis")]
    [InlineData("XX")]
    [InlineData("EU")]
    [InlineData("UN")]
    [InlineData("Asia")]
    [InlineData("872")]     // Wake Island's numeric M49 code: numbers are not names
    [InlineData("")]
    [InlineData("...")]
    public void Rejects_what_is_not_a_country(string text)
    {
        Assert.False(Catalog.TryResolve(text, out var country));
        Assert.Null(country);
    }

    [Fact]
    public void Rejects_text_longer_than_any_name_without_throwing()
    {
        Assert.False(Catalog.TryResolve(new string('a', 10_000), out _));
    }

    [Fact]
    public void Catalog_has_every_iso_country_once_with_a_valid_continent()
    {
        var all = Catalog.All;

        Assert.InRange(all.Count, 245, 260);
        Assert.Equal(all.Count, all.Select(c => c.Alpha2).Distinct().Count());
        Assert.All(all, c =>
        {
            Assert.Matches("^[A-Z]{2}$", c.Alpha2);
            Assert.Matches("^[A-Z]{3}$", c.Alpha3);
            Assert.Contains(c.Continent, Continents);
            Assert.False(string.IsNullOrWhiteSpace(c.Name));
        });
        Assert.Equal(Continents, all.Select(c => c.Continent).Distinct().Order());
    }

    [Theory]
    [InlineData("FR", "FRA", "France", "EU")]
    [InlineData("fr", "FRA", "France", "EU")]
    [InlineData("EG", "EGY", "Egypt", "AF")]
    [InlineData("PA", "PAN", "Panama", "NA")]
    [InlineData("MX", "MEX", "Mexico", "NA")]
    [InlineData("GE", "GEO", "Georgia", "AS")]
    [InlineData("RU", "RUS", "Russia", "EU")]
    [InlineData("TR", "TUR", "Turkey", "AS")]
    [InlineData("AQ", "ATA", "Antarctica", "AN")]
    public void ByAlpha2_gives_the_country_record(string alpha2, string alpha3, string name, string continent)
    {
        var country = Catalog.ByAlpha2(alpha2);

        Assert.NotNull(country);
        Assert.Equal(new Country(alpha2.ToUpperInvariant(), alpha3, name, continent), country);
    }

    [Fact]
    public void ByAlpha2_of_an_unknown_code_is_null()
    {
        Assert.Null(Catalog.ByAlpha2("ZZ"));
        Assert.Null(Catalog.ByAlpha2("EA"));
    }
}
