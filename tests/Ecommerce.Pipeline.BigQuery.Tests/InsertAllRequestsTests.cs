namespace Ecommerce.Pipeline.BigQuery.Tests;

public sealed class InsertAllRequestsTests
{
    [Fact]
    public void Split_honours_rows_and_bytes_and_keeps_order()
    {
        byte[][] encoded = [.. Enumerable.Range(0, 10).Select(i => new byte[10 * (i + 1)])];
        var prefix = InsertAllRequests.Prefix(false);

        var chunks = InsertAllRequests.Split(encoded, [.. Enumerable.Range(0, 10)], prefix.Length, maxRows: 3,
            maxBytes: prefix.Length + 2 + 100);

        Assert.Equal(Enumerable.Range(0, 10), chunks.SelectMany(c => c));
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, 3));
        Assert.All(chunks.Where(c => c.Length > 1), c =>
            Assert.True(InsertAllRequests.Body(prefix, encoded, c).Length <= prefix.Length + 2 + 100));
        // Rows over the byte limit on their own still go, alone.
        Assert.Contains(chunks, c => c is [9]);
    }

    [Fact]
    public void Body_is_the_prefix_the_rows_and_the_suffix()
    {
        byte[][] encoded = ["{\"insertId\":\"a\",\"json\":{}}"u8.ToArray(), "{\"insertId\":\"b\",\"json\":{}}"u8.ToArray()];

        var body = InsertAllRequests.Body(InsertAllRequests.Prefix(true), encoded, [1, 0]);

        Assert.Equal("{\"skipInvalidRows\":true,\"ignoreUnknownValues\":false,\"rows\":[{\"insertId\":\"b\",\"json\":{}},{\"insertId\":\"a\",\"json\":{}}]}",
            System.Text.Encoding.UTF8.GetString(body));
    }
}
