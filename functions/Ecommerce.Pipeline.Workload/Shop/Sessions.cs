namespace Ecommerce.Pipeline.Workload.Shop;

/// <summary>
/// The shoppers: each user lives in one city (weighted by its share of shoppers), and a fixed number of sessions are
/// open at once, so purchases of different users interleave as they do on a real topic.
/// </summary>
internal sealed class Sessions
{
    public const int UserCount = 50_000;

    private const int ConcurrentSessions = 64;

    private static readonly double[] SessionLengthCdf = Draws.Cumulative([40, 25, 17, 10, 8]);
    private static readonly double[] PriceFormCdf = Draws.Cumulative([74, 6, 9, 6, 5]);
    private static readonly double[] TimestampFormCdf = Draws.Cumulative([48, 14, 8, 9, 7, 9, 5]);
    private static readonly double[] GeoFormCdf = Draws.Cumulative([12, 18, 7, 12, 8, 9, 5, 11, 9, 5, 4]);

    private readonly Random _rng;
    private readonly int[] _userCity;
    private readonly Session[] _open = new Session[ConcurrentSessions];

    public Sessions(Random rng)
    {
        _rng = rng;
        var cityCdf = Draws.Cumulative(Cities.All.Select(c => c.Weight));
        _userCity = new int[UserCount];
        for (var i = 0; i < UserCount; i++)
        {
            _userCity[i] = rng.Pick(cityCdf);
        }
    }

    /// <summary>The session the next purchase belongs to; a finished one is replaced by a new user's.</summary>
    public ref Session Next()
    {
        ref var session = ref _open[_rng.Next(ConcurrentSessions)];
        if (session.Remaining == 0)
        {
            // Mildly skewed towards the low user indices: some customers shop far more often.
            var user = (int)(UserCount * Math.Pow(_rng.NextDouble(), 1.6));
            var city = _userCity[user];
            session = new Session
            {
                Remaining = 1 + _rng.Pick(SessionLengthCdf),
                User = user,
                City = city,
                Currency = ShopCurrencies.For(Cities.All[city].CountryAlpha2, _rng.NextDouble()),
                CamelCase = _rng.NextDouble() < 0.12,
                Payment = PaymentMix.Next(_rng),
                PriceForm = (PriceForm)_rng.Pick(PriceFormCdf),
                TimestampForm = (TimestampForm)_rng.Pick(TimestampFormCdf),
                GeoForm = (GeoForm)_rng.Pick(GeoFormCdf),
            };
        }

        session.Remaining--;
        return ref session;
    }
}
