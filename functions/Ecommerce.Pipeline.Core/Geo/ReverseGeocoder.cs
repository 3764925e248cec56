using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;

namespace Ecommerce.Pipeline.Core.Geo;

/// <summary>
/// Point → country over the border polygons. A quarter-degree grid is the spatial index: a cell that no border
/// crosses answers directly (its country, or the sea), which is most lookups; a cell a border crosses keeps the
/// short list of polygons that can contain its points, each tested with an indexed point-in-polygon locator.
/// The borders are split at the antimeridian in the data, so plain longitude/latitude geometry is exact; a
/// longitude of exactly 180 is looked up as -180. Immutable and thread-safe.
/// </summary>
public sealed class ReverseGeocoder
{
    private const int CellsPerDegree = 4;
    private const int Width = 360 * CellsPerDegree;
    private const int Height = 180 * CellsPerDegree;
    // Cell values below this are 0 (sea) or country index + 1; from it up, BorderFlag | candidate-set index.
    private const int BorderFlag = 0x8000;

    private readonly Country[] _countries;
    private readonly ushort[] _cells;
    private readonly Part[][] _candidates;

    internal ReverseGeocoder(IReadOnlyList<CountryData> data)
    {
        _countries = data.Select(d => d.Country).ToArray();
        var parts = new List<Part>();
        for (var c = 0; c < data.Count; c++)
        {
            foreach (var polygon in data[c].Polygons)
            {
                parts.Add(new Part(c, _countries[c], polygon));
            }
        }

        if (_countries.Length >= BorderFlag || parts.Count > ushort.MaxValue)
        {
            throw new InvalidDataException("Too many countries or polygons for the grid encoding.");
        }

        (_cells, _candidates) = BuildGrid(parts);
        PartCount = parts.Count;
        BorderCellCount = _cells.Count(v => v >= BorderFlag);
    }

    /// <summary>Number of polygons (islands, exclaves and mainlands count separately).</summary>
    internal int PartCount { get; }

    /// <summary>Grid cells that need a point-in-polygon test (a border or coast crosses them).</summary>
    internal int BorderCellCount { get; }

    /// <summary>ISO alpha-2 code of the country or territory at the point; null at sea or out of range.</summary>
    public string? CountryAt(double latitude, double longitude) => FindCountry(latitude, longitude)?.Alpha2;

    /// <summary>The country or territory at the point; null at sea or out of range.</summary>
    public Country? FindCountry(double latitude, double longitude)
    {
        // Written so that NaN fails too.
        if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180))
        {
            return null;
        }

        if (longitude == 180)
        {
            longitude = -180;
        }

        int value = _cells[CellIndex(longitude, latitude)];
        if (value < BorderFlag)
        {
            return value == 0 ? null : _countries[value - 1];
        }

        Coordinate? point = null;
        foreach (var part in _candidates[value - BorderFlag])
        {
            if (longitude >= part.MinX && longitude <= part.MaxX && latitude >= part.MinY && latitude <= part.MaxY)
            {
                point ??= new Coordinate(longitude, latitude);
                if (part.Locator.Locate(point) != Location.Exterior)
                {
                    return part.Country;
                }
            }
        }

        return null;
    }

    private static int Column(double longitude) => Math.Clamp((int)Math.Floor((longitude + 180) * CellsPerDegree), 0, Width - 1);

    private static int Row(double latitude) => Math.Clamp((int)Math.Floor((latitude + 90) * CellsPerDegree), 0, Height - 1);

    private static int CellIndex(double longitude, double latitude) => (Row(latitude) * Width) + Column(longitude);

    private static (ushort[] Cells, Part[][] Candidates) BuildGrid(List<Part> parts)
    {
        // 1. Cells touched by an edge (conservatively: every cell of the edge's bounding box) are border cells;
        //    remember which polygons touch each, as (cell << 16 | part).
        var touches = new List<long>(200_000);
        // 2. Scanline at each row's centre latitude: where each polygon's edges cross it, to find which polygon
        //    holds each cell centre. A cell no edge touches lies wholly in that polygon, or wholly in the sea.
        var crossings = new List<Crossing>(200_000);
        for (var p = 0; p < parts.Count; p++)
        {
            foreach (var ring in Rings(parts[p].Polygon))
            {
                var points = ring.CoordinateSequence;
                for (var k = 0; k + 1 < points.Count; k++)
                {
                    double x1 = points.GetX(k), y1 = points.GetY(k), x2 = points.GetX(k + 1), y2 = points.GetY(k + 1);
                    AddTouches(touches, p, x1, y1, x2, y2);
                    AddCrossings(crossings, parts.Count, p, x1, y1, x2, y2);
                }
            }
        }

        var owner = new ushort[Width * Height];   // part + 1 holding the cell centre, 0 for none
        crossings.Sort();
        for (var start = 0; start < crossings.Count;)
        {
            var end = start;
            while (end < crossings.Count && crossings[end].Key == crossings[start].Key)
            {
                end++;
            }

            var row = (int)(crossings[start].Key / parts.Count);
            var part = (ushort)((crossings[start].Key % parts.Count) + 1);
            // Even-odd rule: holes' edges are in the same list, so they close the intervals they cut out.
            for (var k = start; k + 1 < end; k += 2)
            {
                FillCentres(owner, row, crossings[k].X, crossings[k + 1].X, part);
            }

            start = end;
        }

        var cells = new ushort[Width * Height];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = owner[i] == 0 ? (ushort)0 : (ushort)(parts[owner[i] - 1].CountryIndex + 1);
        }

        touches.Sort();
        var sets = new Dictionary<string, int>(StringComparer.Ordinal);
        var candidates = new List<Part[]>();
        var members = new List<ushort>(8);
        for (var start = 0; start < touches.Count;)
        {
            var cell = (int)(touches[start] >> 16);
            members.Clear();
            if (owner[cell] != 0)
            {
                members.Add((ushort)(owner[cell] - 1));   // most points of the cell are in it: test it first
            }

            for (; start < touches.Count && (int)(touches[start] >> 16) == cell; start++)
            {
                var part = (ushort)(touches[start] & 0xFFFF);
                if (!members.Contains(part))
                {
                    members.Add(part);
                }
            }

            // Many coastal cells share one candidate list: store each distinct list once.
            var key = new string(members.Select(m => (char)m).ToArray());
            if (!sets.TryGetValue(key, out var set))
            {
                set = candidates.Count;
                if (set >= BorderFlag)
                {
                    throw new InvalidDataException("Too many distinct border cell lists for the grid encoding.");
                }

                sets.Add(key, set);
                candidates.Add(members.Select(m => parts[m]).ToArray());
            }

            cells[cell] = (ushort)(BorderFlag + set);
        }

        return (cells, candidates.ToArray());
    }

    private static IEnumerable<LineString> Rings(Polygon polygon)
    {
        yield return polygon.Shell;
        foreach (var hole in polygon.Holes)
        {
            yield return hole;
        }
    }

    private static void AddTouches(List<long> touches, int part, double x1, double y1, double x2, double y2)
    {
        // Row by row, the cells under the part of the segment inside that row's latitude band (the country-coder
        // borders include long straight maritime lines, whose bounding boxes would cover whole oceans).
        int r0 = Row(Math.Min(y1, y2)), r1 = Row(Math.Max(y1, y2));
        for (var r = r0; r <= r1; r++)
        {
            double xa = x1, xb = x2;
            if (y1 != y2)
            {
                var bandLow = Math.Max(Math.Min(y1, y2), ((double)r / CellsPerDegree) - 90);
                var bandHigh = Math.Min(Math.Max(y1, y2), ((double)(r + 1) / CellsPerDegree) - 90);
                xa = x1 + ((bandLow - y1) * (x2 - x1) / (y2 - y1));
                xb = x1 + ((bandHigh - y1) * (x2 - x1) / (y2 - y1));
            }

            // The margin keeps rounding from missing a cell the segment only grazes.
            int c0 = Column(Math.Min(xa, xb) - 1e-9), c1 = Column(Math.Max(xa, xb) + 1e-9);
            for (var c = c0; c <= c1; c++)
            {
                touches.Add(((long)((r * Width) + c) << 16) | (uint)part);
            }
        }
    }

    private static void AddCrossings(List<Crossing> crossings, int partCount, int part, double x1, double y1, double x2, double y2)
    {
        if (y1 == y2)
        {
            return;
        }

        // Rows whose centre latitude yc satisfies min <= yc < max (half-open, so a vertex is counted once).
        var first = Math.Max(0, (int)Math.Ceiling(((Math.Min(y1, y2) + 90) * CellsPerDegree) - 0.5) - 1);
        var last = Math.Min(Height - 1, (int)Math.Floor(((Math.Max(y1, y2) + 90) * CellsPerDegree) - 0.5) + 1);
        for (var row = first; row <= last; row++)
        {
            var yc = RowCentre(row);
            if ((y1 > yc) != (y2 > yc))
            {
                var x = x1 + ((yc - y1) * (x2 - x1) / (y2 - y1));
                crossings.Add(new Crossing(((long)row * partCount) + part, x));
            }
        }
    }

    private static void FillCentres(ushort[] owner, int row, double fromX, double toX, ushort part)
    {
        // Columns whose centre longitude xc satisfies fromX <= xc < toX.
        var first = Math.Max(0, (int)Math.Ceiling(((fromX + 180) * CellsPerDegree) - 0.5));
        var last = Math.Min(Width - 1, (int)Math.Ceiling(((toX + 180) * CellsPerDegree) - 0.5) - 1);
        var offset = row * Width;
        for (var column = first; column <= last; column++)
        {
            if (owner[offset + column] == 0)
            {
                owner[offset + column] = part;
            }
        }
    }

    private static double RowCentre(int row) => ((row + 0.5) / CellsPerDegree) - 90;

    private readonly record struct Crossing(long Key, double X) : IComparable<Crossing>
    {
        public int CompareTo(Crossing other) => Key != other.Key ? Key.CompareTo(other.Key) : X.CompareTo(other.X);
    }

    private sealed class Part
    {
        public Part(int countryIndex, Country country, Polygon polygon)
        {
            CountryIndex = countryIndex;
            Country = country;
            Polygon = polygon;
            var envelope = polygon.EnvelopeInternal;
            (MinX, MaxX, MinY, MaxY) = (envelope.MinX, envelope.MaxX, envelope.MinY, envelope.MaxY);
            Locator = new IndexedPointInAreaLocator(polygon);
            // The locator packs its interval tree on the first query: do that now, at load, not on a hot concurrent path.
            Locator.Locate(new Coordinate(MinX, MinY));
        }

        public int CountryIndex { get; }

        public Country Country { get; }

        public Polygon Polygon { get; }

        public IndexedPointInAreaLocator Locator { get; }

        public double MinX { get; }

        public double MaxX { get; }

        public double MinY { get; }

        public double MaxY { get; }
    }
}
