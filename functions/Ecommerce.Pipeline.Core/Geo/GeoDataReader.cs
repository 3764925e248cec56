using System.IO.Compression;
using System.Text;
using NetTopologySuite.Geometries;

namespace Ecommerce.Pipeline.Core.Geo;

/// <summary>One country of the data file: the country, its extra names and its border polygons.</summary>
internal sealed record CountryData(Country Country, IReadOnlyList<string> Aliases, IReadOnlyList<Polygon> Polygons);

/// <summary>
/// Reads <c>Geo/Data/countries.bin</c>, written by <c>tools/geo/build_geo_data.py</c> (whose docstring is the
/// format's specification): a zlib stream of varint-coded country records with delta-coded quantised rings.
/// </summary>
internal static class GeoDataReader
{
    private static ReadOnlySpan<byte> Magic => "CCGB"u8;

    public static IReadOnlyList<CountryData> Read(Stream stream)
    {
        byte[] bytes;
        using (var zlib = new ZLibStream(stream, CompressionMode.Decompress, leaveOpen: true))
        using (var buffer = new MemoryStream())
        {
            zlib.CopyTo(buffer);
            bytes = buffer.ToArray();
        }

        var reader = new Reader(bytes);
        if (!reader.Take(Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a geo data file (bad magic).");
        }

        var version = reader.Varint();
        if (version != 1)
        {
            throw new InvalidDataException($"Unsupported geo data version {version}.");
        }

        double scale = reader.Varint();
        var factory = new GeometryFactory();
        var countries = new CountryData[reader.Varint()];
        long x = 0, y = 0;
        for (var c = 0; c < countries.Length; c++)
        {
            var country = new Country(reader.String(), reader.String(), reader.String(), reader.String());
            var aliases = new string[reader.Varint()];
            for (var a = 0; a < aliases.Length; a++)
            {
                aliases[a] = reader.String();
            }

            var polygons = new Polygon[reader.Varint()];
            for (var p = 0; p < polygons.Length; p++)
            {
                var rings = new LinearRing[reader.Varint()];
                for (var r = 0; r < rings.Length; r++)
                {
                    var points = new Coordinate[reader.Varint() + 1];
                    for (var i = 0; i < points.Length - 1; i++)
                    {
                        x += reader.ZigZag();
                        y += reader.ZigZag();
                        points[i] = new Coordinate(x / scale, y / scale);
                    }

                    points[^1] = points[0].Copy();   // the file omits the closing point
                    rings[r] = factory.CreateLinearRing(points);
                }

                polygons[p] = factory.CreatePolygon(rings[0], rings[1..]);
            }

            countries[c] = new CountryData(country, aliases, polygons);
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("Trailing bytes in geo data file.");
        }

        return countries;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _data.Length - _position)
            {
                throw new InvalidDataException("Truncated geo data file.");
            }

            var slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }

        public int Varint()
        {
            var value = ULongVarint();
            return value <= int.MaxValue ? (int)value : throw new InvalidDataException("Geo data count out of range.");
        }

        public long ZigZag()
        {
            var value = ULongVarint();
            return (long)(value >> 1) ^ -(long)(value & 1);
        }

        public string String() => Encoding.UTF8.GetString(Take(Varint()));

        private ulong ULongVarint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Take(1)[0];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("Malformed varint in geo data file.");
        }
    }
}
