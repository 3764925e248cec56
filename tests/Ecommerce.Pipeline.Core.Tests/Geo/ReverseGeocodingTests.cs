using System.Globalization;
using System.Runtime.CompilerServices;
using Ecommerce.Pipeline.Core.Geo;

namespace Ecommerce.Pipeline.Core.Tests.Geo;

public sealed class ReverseGeocodingTests
{
    private static readonly GeoResolver Geo = GeoResolver.Default;

    [Theory]
    // Oceania
    [InlineData("Canberra", -35.2809, 149.1300, "AU", "OC")]
    [InlineData("Wellington", -41.2865, 174.7762, "NZ", "OC")]
    [InlineData("Suva", -18.1416, 178.4419, "FJ", "OC")]
    [InlineData("Port Moresby", -9.4438, 147.1803, "PG", "OC")]
    [InlineData("Apia", -13.8507, -171.7514, "WS", "OC")]
    [InlineData("Honiara", -9.4456, 159.9729, "SB", "OC")]
    // South America
    [InlineData("Brasília", -15.7939, -47.8828, "BR", "SA")]
    [InlineData("Buenos Aires", -34.6037, -58.3816, "AR", "SA")]
    [InlineData("Lima", -12.0464, -77.0428, "PE", "SA")]
    [InlineData("Santiago", -33.4489, -70.6693, "CL", "SA")]
    [InlineData("Bogotá", 4.7110, -74.0721, "CO", "SA")]
    [InlineData("Quito", -0.1807, -78.4678, "EC", "SA")]
    [InlineData("Montevideo", -34.9011, -56.1645, "UY", "SA")]
    [InlineData("Caracas", 10.4806, -66.9036, "VE", "SA")]
    // Africa
    [InlineData("Nairobi", -1.2921, 36.8219, "KE", "AF")]
    [InlineData("Cairo", 30.0444, 31.2357, "EG", "AF")]
    [InlineData("Pretoria", -25.7479, 28.2293, "ZA", "AF")]
    [InlineData("Abuja", 9.0765, 7.3986, "NG", "AF")]
    [InlineData("Addis Ababa", 9.0300, 38.7400, "ET", "AF")]
    [InlineData("Kinshasa", -4.4419, 15.2663, "CD", "AF")]
    [InlineData("Rabat", 34.0209, -6.8416, "MA", "AF")]
    [InlineData("Dakar", 14.7167, -17.4677, "SN", "AF")]
    [InlineData("Accra", 5.6037, -0.1870, "GH", "AF")]
    // Asia
    [InlineData("Tokyo", 35.6762, 139.6503, "JP", "AS")]
    [InlineData("New Delhi", 28.6139, 77.2090, "IN", "AS")]
    [InlineData("Beijing", 39.9042, 116.4074, "CN", "AS")]
    [InlineData("Jakarta", -6.2088, 106.8456, "ID", "AS")]
    [InlineData("Seoul", 37.5665, 126.9780, "KR", "AS")]
    [InlineData("Bangkok", 13.7563, 100.5018, "TH", "AS")]
    [InlineData("Riyadh", 24.7136, 46.6753, "SA", "AS")]
    [InlineData("Tehran", 35.6892, 51.3890, "IR", "AS")]
    [InlineData("Manila", 14.5995, 120.9842, "PH", "AS")]
    [InlineData("Hanoi", 21.0278, 105.8342, "VN", "AS")]
    [InlineData("Ankara (Turkey is Asia in UN M49)", 39.9334, 32.8597, "TR", "AS")]
    [InlineData("Nicosia (Cyprus is Asia in UN M49)", 35.1856, 33.3823, "CY", "AS")]
    // Europe
    [InlineData("Moscow", 55.7558, 37.6173, "RU", "EU")]
    [InlineData("Reykjavík", 64.1466, -21.9426, "IS", "EU")]
    [InlineData("Paris", 48.8566, 2.3522, "FR", "EU")]
    [InlineData("Berlin", 52.5200, 13.4050, "DE", "EU")]
    [InlineData("Madrid", 40.4168, -3.7038, "ES", "EU")]
    [InlineData("Rome", 41.9028, 12.4964, "IT", "EU")]
    [InlineData("London", 51.5074, -0.1278, "GB", "EU")]
    [InlineData("Warsaw", 52.2297, 21.0122, "PL", "EU")]
    [InlineData("Lisbon", 38.7223, -9.1393, "PT", "EU")]
    [InlineData("Athens", 37.9838, 23.7275, "GR", "EU")]
    [InlineData("Stockholm", 59.3293, 18.0686, "SE", "EU")]
    [InlineData("Kyiv", 50.4501, 30.5234, "UA", "EU")]
    // North America (incl. Central America and the Caribbean)
    [InlineData("Ottawa", 45.4215, -75.6972, "CA", "NA")]
    [InlineData("Mexico City", 19.4326, -99.1332, "MX", "NA")]
    [InlineData("Washington", 38.9072, -77.0369, "US", "NA")]
    [InlineData("Havana", 23.1136, -82.3666, "CU", "NA")]
    [InlineData("Kingston", 17.9712, -76.7936, "JM", "NA")]
    // Territories get their own code, as country-coder's territory level gives them
    [InlineData("San Juan", 18.4655, -66.1057, "PR", "NA")]
    [InlineData("Nuuk", 64.1814, -51.6941, "GL", "NA")]
    // Antarctica
    [InlineData("McMurdo Station", -77.846, 166.676, "AQ", "AN")]
    public void Capital_resolves_to_its_country_and_continent(string place, double latitude, double longitude, string country, string continent)
    {
        var location = Geo.ResolveCoordinates(latitude, longitude);

        Assert.True(location == new GeoLocation(country, continent, null, latitude, longitude), $"{place}: {location}");
        Assert.Equal(country, Geo.Borders.CountryAt(latitude, longitude));
    }

    [Theory]
    // France / Spain, western and central Pyrenees
    [InlineData(43.163, -1.237, "FR")]
    [InlineData(42.95, -1.45, "ES")]
    [InlineData(42.79, 0.59, "FR")]
    [InlineData(42.70, 0.80, "ES")]
    // US / Canada on the 49th parallel, ~5.5 km either side
    [InlineData(49.05, -100.0, "CA")]
    [InlineData(48.95, -100.0, "US")]
    // Germany / Poland across the Oder
    [InlineData(52.34, 14.45, "DE")]
    [InlineData(52.34, 14.70, "PL")]
    // India / Pakistan: Amritsar and Lahore
    [InlineData(31.63, 74.87, "IN")]
    [InlineData(31.55, 74.34, "PK")]
    // Brazil / Argentina near Iguazú
    [InlineData(-25.45, -54.5, "BR")]
    [InlineData(-25.75, -54.4, "AR")]
    // US / Mexico: El Paso and Ciudad Juárez
    [InlineData(31.79, -106.42, "US")]
    [InlineData(31.69, -106.42, "MX")]
    public void Points_either_side_of_a_land_border_get_their_own_country(double latitude, double longitude, string country)
    {
        Assert.Equal(country, Geo.Borders.CountryAt(latitude, longitude));
    }

    [Theory]
    [InlineData(0, 0)]          // Gulf of Guinea
    [InlineData(30, -40)]       // mid-Atlantic
    [InlineData(0, -140)]       // mid-Pacific
    [InlineData(-30, -140)]     // South Pacific
    [InlineData(-30, 80)]       // Indian Ocean
    public void Ocean_point_keeps_coordinates_but_has_no_country(double latitude, double longitude)
    {
        var location = Geo.ResolveCoordinates(latitude, longitude);

        Assert.Equal(new GeoLocation(null, null, null, latitude, longitude), location);
    }

    [Theory]
    [InlineData(90.0001, 0)]
    [InlineData(-91, 10)]
    [InlineData(45, 180.5)]
    [InlineData(45, -181)]
    [InlineData(double.NaN, 0)]
    [InlineData(0, double.PositiveInfinity)]
    public void Out_of_range_coordinates_give_no_geo_fields(double latitude, double longitude)
    {
        Assert.Equal(GeoLocation.None, Geo.ResolveCoordinates(latitude, longitude));
        Assert.Null(Geo.Borders.CountryAt(latitude, longitude));
    }

    [Theory]
    [InlineData(90, 0, null)]          // the pole itself is in the Arctic Ocean
    [InlineData(-90, 0, "AQ")]
    [InlineData(-90, 180, "AQ")]
    [InlineData(-90, -180, "AQ")]
    public void Range_limits_are_inclusive(double latitude, double longitude, string? country)
    {
        var location = Geo.ResolveCoordinates(latitude, longitude);

        Assert.Equal(latitude, location.Latitude);
        Assert.Equal(longitude, location.Longitude);
        Assert.Equal(country, location.CountryCode);
    }

    [Theory]
    [InlineData(-18.2, -178.8, "FJ")]      // Fiji, Lau Islands, west of the antimeridian
    [InlineData(-16.8, 179.3, "FJ")]       // Fiji, Vanua Levu, east of it
    [InlineData(-16.5, -180.0, "FJ")]
    [InlineData(-16.5, 180.0, "FJ")]       // 180 is -180: country-coder itself misses this one
    [InlineData(64.73, 177.51, "RU")]      // Anadyr, Chukotka
    [InlineData(66.16, -169.8, "RU")]      // Uelen, Chukotka, west of the antimeridian
    [InlineData(52.9, 173.2, "US")]        // Attu, Aleutians, east of it
    [InlineData(51.88, -176.66, "US")]     // Adak, Aleutians
    [InlineData(1.45, 173.0, "KI")]        // Tarawa, Kiribati
    [InlineData(1.87, -157.4, "KI")]       // Kiritimati, Kiribati
    public void Antimeridian_countries_resolve_on_both_sides(double latitude, double longitude, string country)
    {
        Assert.Equal(country, Geo.Borders.CountryAt(latitude, longitude));
    }

    [Theory]
    [InlineData(35.89, -5.32, "ES", "EU")]     // Ceuta: EA is not ISO-assigned, rolls up to Spain
    [InlineData(28.1, -15.5, "ES", "EU")]      // Canary Islands (IC, likewise)
    [InlineData(-7.95, -14.4, "SH", "AF")]     // Ascension Island
    [InlineData(21.3, -157.85, "US", "NA")]    // Honolulu: Hawaii is part of the US
    [InlineData(22.3, 114.17, "HK", "AS")]     // Hong Kong
    [InlineData(61.0, 45.0, "RU", "EU")]       // European Russia
    [InlineData(62.0, 129.7, "RU", "EU")]      // Yakutsk: Russia is Europe in UN M49, wherever the point is
    [InlineData(35.25, 33.4, null, null)]      // Northern Cyprus: no ISO code in the data, as in country-coder
    public void Territories_and_special_areas_follow_the_documented_rules(double latitude, double longitude, string? country, string? continent)
    {
        var location = Geo.ResolveCoordinates(latitude, longitude);

        Assert.Equal(country, location.CountryCode);
        Assert.Equal(continent, location.Continent);
    }

    [Fact]
    public void Agrees_with_country_coder_on_its_reference_points()
    {
        // tools/geo/make_reference_points.js: 500 uniform points and 1000 near borders and coasts, coded by
        // country-coder 5.6.1 itself.
        var lines = File.ReadAllLines(Path.Combine(SourceDirectory(), "reference_points.csv"));
        var mismatches = new List<string>();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            var latitude = double.Parse(fields[0], CultureInfo.InvariantCulture);
            var longitude = double.Parse(fields[1], CultureInfo.InvariantCulture);
            var expected = fields[2].Length == 0 ? null : fields[2];
            var actual = Geo.Borders.CountryAt(latitude, longitude);
            if (actual != expected)
            {
                mismatches.Add($"{latitude},{longitude}: {actual ?? "-"} != {expected ?? "-"}");
            }
        }

        Assert.Equal(1500, lines.Length - 1);
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Concurrent_lookups_agree_with_sequential_ones()
    {
        var points = Enumerable.Range(0, 20_000)
            .Select(i => (Latitude: ((i * 7919) % 17_000 / 100.0) - 85, Longitude: ((i * 104_729) % 36_000 / 100.0) - 180))
            .ToArray();
        var sequential = points.Select(p => Geo.Borders.CountryAt(p.Latitude, p.Longitude)).ToArray();

        var parallel = new string?[points.Length];
        Parallel.For(0, points.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => parallel[i] = Geo.Borders.CountryAt(points[i].Latitude, points[i].Longitude));

        Assert.Equal(sequential, parallel);
        Assert.Contains(sequential, code => code is not null);
        Assert.Contains(sequential, code => code is null);
    }

    [Fact]
    public void Most_grid_cells_answer_without_a_polygon_test()
    {
        // Border cells are the cells a border line actually crosses; the long straight maritime lines of the data
        // must not turn whole oceans into border cells (they did, 30% of the grid, when marked by bounding box).
        Assert.InRange(Geo.Borders.BorderCellCount, 10_000, 360 * 4 * 180 * 4 / 20);
        Assert.InRange(Geo.Borders.PartCount, 300, 400);
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
