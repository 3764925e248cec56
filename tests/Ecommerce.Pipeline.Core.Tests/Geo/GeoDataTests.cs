using System.IO.Compression;
using System.Runtime.CompilerServices;
using Ecommerce.Pipeline.Core.Geo;

namespace Ecommerce.Pipeline.Core.Tests.Geo;

public sealed class GeoDataTests
{
    [Fact]
    public void Default_is_one_shared_instance_even_when_first_used_concurrently()
    {
        var instances = new GeoResolver[8];
        Parallel.For(0, instances.Length, i => instances[i] = GeoResolver.Default);

        Assert.All(instances, instance => Assert.Same(GeoResolver.Default, instance));
    }

    [Fact]
    public void Load_reads_the_checked_in_data_file()
    {
        using var stream = File.OpenRead(DataFile());

        var geo = GeoResolver.Load(stream);

        Assert.Equal(GeoResolver.Default.Countries.All.Count, geo.Countries.All.Count);
        Assert.Equal("FR", geo.Borders.CountryAt(48.8566, 2.3522));
        Assert.InRange(new FileInfo(DataFile()).Length, 50_000, 400_000);
    }

    [Fact]
    public void Load_rejects_a_file_that_is_not_geo_data()
    {
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write("NOPE and more bytes"u8);
        }

        buffer.Position = 0;

        Assert.Throws<InvalidDataException>(() => GeoResolver.Load(buffer));
    }

    [Fact]
    public void Load_rejects_a_truncated_file()
    {
        var raw = Decompress(File.ReadAllBytes(DataFile()));
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(raw.AsSpan(0, raw.Length / 2));
        }

        buffer.Position = 0;

        Assert.Throws<InvalidDataException>(() => GeoResolver.Load(buffer));
    }

    private static byte[] Decompress(byte[] bytes)
    {
        using var zlib = new ZLibStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        zlib.CopyTo(output);
        return output.ToArray();
    }

    private static string DataFile([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "../../../functions/Ecommerce.Pipeline.Core/Geo/Data/countries.bin"));
}
