namespace Ecommerce.Pipeline.Workload.Shop;

/// <summary>
/// The shop's products: Zipf popularity by rank (a few best sellers and a long tail) and log-normal base prices in
/// US cents (median about $35, a tail into the thousands), ending in .99 or .49 as shops like.
/// </summary>
internal sealed class Catalogue
{
    public const int ProductCount = 5_000;

    private const double MaxBasePrice = 6_000; // keeps even yen prices under the 1,000,000 limit

    private readonly Random _rng;
    private readonly double[] _cdf;
    private readonly int[] _productByRank;
    private readonly long[] _baseCents;

    public Catalogue(Random rng)
    {
        _rng = rng;

        // Zipf(s≈1.07) popularity by rank.
        _cdf = new double[ProductCount];
        var total = 0.0;
        for (var rank = 0; rank < ProductCount; rank++)
        {
            total += 1.0 / Math.Pow(rank + 1, 1.07);
            _cdf[rank] = total;
        }

        for (var rank = 0; rank < ProductCount; rank++)
        {
            _cdf[rank] /= total;
        }

        // Best sellers are not simply the lowest SKUs.
        _productByRank = Enumerable.Range(0, ProductCount).ToArray();
        rng.Shuffle(_productByRank);

        _baseCents = new long[ProductCount];
        for (var i = 0; i < ProductCount; i++)
        {
            var price = Math.Clamp(35.0 * Math.Exp(1.15 * rng.NextGaussian()), 0.99, MaxBasePrice);
            var dollars = Math.Floor(price);
            _baseCents[i] = (long)dollars * 100 + (rng.NextDouble() < 0.6 ? 99 : 49);
        }
    }

    /// <summary>The product's price in US cents, before currency conversion and discounts.</summary>
    public long BaseCents(int product) => _baseCents[product];

    /// <summary>A product drawn by popularity (one draw).</summary>
    public int NextProduct()
    {
        var rank = Array.BinarySearch(_cdf, _rng.NextDouble());
        rank = rank < 0 ? ~rank : rank;
        return _productByRank[Math.Min(rank, ProductCount - 1)];
    }
}
