namespace Ecommerce.Pipeline.Workload.Shop;

/// <summary>A real city the generator places shoppers in; <c>Weight</c> is its relative share of shoppers.</summary>
internal sealed record City(
    string Name,
    string Region,
    string CountryAlpha2,
    string CountryAlpha3,
    string CountryName,
    double Latitude,
    double Longitude,
    double Weight);

/// <summary>A fixed list of cities on every continent, so geolocation enrichment sees all of them.</summary>
internal static class Cities
{
    public static IReadOnlyList<City> All { get; } =
    [
        // North America
        new("New York", "New York", "US", "USA", "United States", 40.7128, -74.0060, 6),
        new("Los Angeles", "California", "US", "USA", "United States", 34.0522, -118.2437, 5),
        new("Chicago", "Illinois", "US", "USA", "United States", 41.8781, -87.6298, 4),
        new("Houston", "Texas", "US", "USA", "United States", 29.7604, -95.3698, 3),
        new("San Francisco", "California", "US", "USA", "United States", 37.7749, -122.4194, 3),
        new("Seattle", "Washington", "US", "USA", "United States", 47.6062, -122.3321, 2),
        new("Miami", "Florida", "US", "USA", "United States", 25.7617, -80.1918, 2),
        new("Toronto", "Ontario", "CA", "CAN", "Canada", 43.6532, -79.3832, 3),
        new("Vancouver", "British Columbia", "CA", "CAN", "Canada", 49.2827, -123.1207, 2),
        new("Montreal", "Quebec", "CA", "CAN", "Canada", 45.5017, -73.5673, 2),
        new("Mexico City", "Ciudad de Mexico", "MX", "MEX", "Mexico", 19.4326, -99.1332, 3),
        new("Guadalajara", "Jalisco", "MX", "MEX", "Mexico", 20.6597, -103.3496, 1),

        // South America
        new("São Paulo", "São Paulo", "BR", "BRA", "Brazil", -23.5505, -46.6333, 3),
        new("Rio de Janeiro", "Rio de Janeiro", "BR", "BRA", "Brazil", -22.9068, -43.1729, 2),
        new("Buenos Aires", "Buenos Aires", "AR", "ARG", "Argentina", -34.6037, -58.3816, 2),
        new("Santiago", "Santiago Metropolitan", "CL", "CHL", "Chile", -33.4489, -70.6693, 1),
        new("Bogotá", "Cundinamarca", "CO", "COL", "Colombia", 4.7110, -74.0721, 1),
        new("Lima", "Lima", "PE", "PER", "Peru", -12.0464, -77.0428, 1),

        // Europe
        new("London", "England", "GB", "GBR", "United Kingdom", 51.5074, -0.1278, 5),
        new("Manchester", "England", "GB", "GBR", "United Kingdom", 53.4808, -2.2426, 2),
        new("Paris", "Île-de-France", "FR", "FRA", "France", 48.8566, 2.3522, 4),
        new("Lyon", "Auvergne-Rhône-Alpes", "FR", "FRA", "France", 45.7640, 4.8357, 1),
        new("Berlin", "Berlin", "DE", "DEU", "Germany", 52.5200, 13.4050, 4),
        new("Munich", "Bavaria", "DE", "DEU", "Germany", 48.1351, 11.5820, 2),
        new("Madrid", "Madrid", "ES", "ESP", "Spain", 40.4168, -3.7038, 2),
        new("Barcelona", "Catalonia", "ES", "ESP", "Spain", 41.3851, 2.1734, 2),
        new("Rome", "Lazio", "IT", "ITA", "Italy", 41.9028, 12.4964, 2),
        new("Milan", "Lombardy", "IT", "ITA", "Italy", 45.4642, 9.1900, 2),
        new("Amsterdam", "North Holland", "NL", "NLD", "Netherlands", 52.3676, 4.9041, 2),
        new("Stockholm", "Stockholm", "SE", "SWE", "Sweden", 59.3293, 18.0686, 1),
        new("Warsaw", "Masovia", "PL", "POL", "Poland", 52.2297, 21.0122, 1),
        new("Dublin", "Leinster", "IE", "IRL", "Ireland", 53.3498, -6.2603, 1),
        new("Zurich", "Zurich", "CH", "CHE", "Switzerland", 47.3769, 8.5417, 1),
        new("Vienna", "Vienna", "AT", "AUT", "Austria", 48.2082, 16.3738, 1),
        new("Lisbon", "Lisbon", "PT", "PRT", "Portugal", 38.7223, -9.1393, 1),
        new("Istanbul", "Istanbul", "TR", "TUR", "Turkey", 41.0082, 28.9784, 2),

        // Africa
        new("Lagos", "Lagos", "NG", "NGA", "Nigeria", 6.5244, 3.3792, 2),
        new("Cairo", "Cairo", "EG", "EGY", "Egypt", 30.0444, 31.2357, 2),
        new("Johannesburg", "Gauteng", "ZA", "ZAF", "South Africa", -26.2041, 28.0473, 2),
        new("Cape Town", "Western Cape", "ZA", "ZAF", "South Africa", -33.9249, 18.4241, 1),
        new("Nairobi", "Nairobi", "KE", "KEN", "Kenya", -1.2921, 36.8219, 1),
        new("Casablanca", "Casablanca-Settat", "MA", "MAR", "Morocco", 33.5731, -7.5898, 1),
        new("Accra", "Greater Accra", "GH", "GHA", "Ghana", 5.6037, -0.1870, 1),

        // Asia
        new("Tokyo", "Tokyo", "JP", "JPN", "Japan", 35.6762, 139.6503, 5),
        new("Osaka", "Osaka", "JP", "JPN", "Japan", 34.6937, 135.5023, 2),
        new("Seoul", "Seoul", "KR", "KOR", "South Korea", 37.5665, 126.9780, 3),
        new("Shanghai", "Shanghai", "CN", "CHN", "China", 31.2304, 121.4737, 4),
        new("Beijing", "Beijing", "CN", "CHN", "China", 39.9042, 116.4074, 3),
        new("Singapore", "Central Region", "SG", "SGP", "Singapore", 1.3521, 103.8198, 2),
        new("Mumbai", "Maharashtra", "IN", "IND", "India", 19.0760, 72.8777, 3),
        new("Bengaluru", "Karnataka", "IN", "IND", "India", 12.9716, 77.5946, 2),
        new("Delhi", "Delhi", "IN", "IND", "India", 28.7041, 77.1025, 3),
        new("Jakarta", "Jakarta", "ID", "IDN", "Indonesia", -6.2088, 106.8456, 2),
        new("Bangkok", "Bangkok", "TH", "THA", "Thailand", 13.7563, 100.5018, 2),
        new("Dubai", "Dubai", "AE", "ARE", "United Arab Emirates", 25.2048, 55.2708, 2),
        new("Tel Aviv", "Tel Aviv", "IL", "ISR", "Israel", 32.0853, 34.7818, 1),
        new("Manila", "Metro Manila", "PH", "PHL", "Philippines", 14.5995, 120.9842, 2),

        // Oceania
        new("Sydney", "New South Wales", "AU", "AUS", "Australia", -33.8688, 151.2093, 3),
        new("Melbourne", "Victoria", "AU", "AUS", "Australia", -37.8136, 144.9631, 2),
        new("Perth", "Western Australia", "AU", "AUS", "Australia", -31.9505, 115.8605, 1),
        new("Auckland", "Auckland", "NZ", "NZL", "New Zealand", -36.8485, 174.7633, 1),

        // Antarctica: a research station orders too, now and then.
        new("McMurdo Station", "Ross Dependency", "AQ", "ATA", "Antarctica", -77.8419, 166.6863, 0.05),
    ];
}
