using System.Diagnostics.CodeAnalysis;

namespace Ecommerce.Pipeline.Core.Geo;

/// <summary>
/// Looks countries up by ISO alpha-2, alpha-3, English name or alias. Matching ignores case, spaces, punctuation,
/// Latin accents and the words "and/the/of" (see <see cref="NameKey"/>). Immutable and thread-safe.
/// </summary>
public sealed class CountryCatalog
{
    private readonly Dictionary<string, Country> _byKey;
    private readonly Dictionary<string, Country>.AlternateLookup<ReadOnlySpan<char>> _byKeySpan;
    private readonly Dictionary<string, Country> _byAlpha2;

    /// <param name="countries">The countries, each with its extra names (aliases).</param>
    internal CountryCatalog(IReadOnlyList<(Country Country, IReadOnlyList<string> Aliases)> countries)
    {
        _byAlpha2 = new Dictionary<string, Country>(countries.Count, StringComparer.OrdinalIgnoreCase);
        _byKey = new Dictionary<string, Country>(countries.Count * 6, StringComparer.Ordinal);
        // Codes first, then names, then aliases: on a clash the more authoritative meaning wins.
        foreach (var (country, _) in countries)
        {
            _byAlpha2.Add(country.Alpha2, country);
            Add(country.Alpha2, country);
        }

        foreach (var (country, _) in countries)
        {
            Add(country.Alpha3, country);
        }

        foreach (var (country, _) in countries)
        {
            Add(country.Name, country);
        }

        foreach (var (country, aliases) in countries)
        {
            foreach (var alias in aliases)
            {
                Add(alias, country);
            }
        }

        _byKeySpan = _byKey.GetAlternateLookup<ReadOnlySpan<char>>();
        All = countries.Select(c => c.Country).ToArray();
    }

    /// <summary>Every country, in alpha-2 order.</summary>
    public IReadOnlyCollection<Country> All { get; }

    /// <summary>The country with this alpha-2 code (any case), or null.</summary>
    public Country? ByAlpha2(string alpha2)
    {
        ArgumentNullException.ThrowIfNull(alpha2);
        return _byAlpha2.GetValueOrDefault(alpha2);
    }

    /// <summary>Resolves an alpha-2 or alpha-3 code, an English name or a common alias. Does not allocate.</summary>
    public bool TryResolve(ReadOnlySpan<char> nameOrCode, [NotNullWhen(true)] out Country? country)
    {
        Span<char> key = stackalloc char[NameKey.MaxLength];
        var length = NameKey.Write(nameOrCode, key);
        if (length > 0)
        {
            return _byKeySpan.TryGetValue(key[..length], out country);
        }

        country = null;
        return false;
    }

    private void Add(string name, Country country)
    {
        var key = NameKey.Of(name);
        if (key.Length is > 0 and <= NameKey.MaxLength)
        {
            _byKey.TryAdd(key, country);
        }
    }
}
