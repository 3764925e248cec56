using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Benchmarks;

/// <summary>
/// A BigQuery REST stand-in that answers at once (or after a fixed or log-normal delay), for measuring the sink's throughput without measuring a
/// server: every table exists, every insertAll is accepted after its body has been read in full. It runs as its own
/// process (like the real service, it is not in the processor's address space) and prints
/// <c>endpoint=http://127.0.0.1:PORT</c> as its first line and <c>storage-endpoint=http://127.0.0.1:PORT</c> (the
/// Storage Write API, plaintext HTTP/2, <see cref="AnswerAtOnceStorageWrite"/>) as its second; jobs.query answers
/// "no rows" (an exactly-once writer's watermark query finds nothing stored). <c>GET /stats</c> and SIGTERM report the
/// requests, rows and bytes each API received, so a run can report bytes on the wire per row.
/// The contract-checking stand-in (request validation, faults, exactly-once bookkeeping) is in the BigQuery tests.
/// </summary>
internal static class AnswerAtOnceBigQuery
{
    private const string Tables = "/bigquery/v2/projects/{project}/datasets/{dataset}/tables/{table}";

    public static async Task<int> RunAsync(string[] args)
    {
        var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 0;
        var storagePort = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
        // An optional delay per insertAll stands in for the real service's round trip: a fixed number of milliseconds,
        // or lognormal:MEDIAN_MS[:SIGMA] for a right-skewed distribution around that median.
        var latencyArg = args.Length > 1 ? args[1] : "0";
        var latency = Ecommerce.Pipeline.TestSupport.LogNormalLatency.Parse(latencyArg);
        var fixedDelay = latency is null ? TimeSpan.FromMilliseconds(int.Parse(latencyArg, CultureInfo.InvariantCulture)) : TimeSpan.Zero;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        await using var app = builder.Build();

        long requests = 0, bytes = 0, rows = 0;
        var storage = new AnswerAtOnceStorageWrite(() => latency?.Next() ?? fixedDelay);
        await using var storageApp = AnswerAtOnceStorageWriteHost.Build(storage, storagePort);
        app.MapGet(Tables, (string project, string dataset, string table) => Results.Text(
            $$$"""{"kind":"bigquery#table","id":"{{{project}}}:{{{dataset}}}.{{{table}}}","tableReference":{"projectId":"{{{project}}}","datasetId":"{{{dataset}}}","tableId":"{{{table}}}"}}""",
            "application/json"));
        app.MapPost(Tables + "/insertAll", async (HttpContext ctx) =>
        {
            var buffer = new byte[64 * 1024];
            long read = 0;
            int n;
            long count = 0;
            var carry = 0;
            while ((n = await ctx.Request.Body.ReadAsync(buffer.AsMemory(carry), ctx.RequestAborted)) > 0)
            {
                read += n;
                // Rows are counted by their "insertId" keys; a key split across two reads is kept for the next one.
                var span = buffer.AsSpan(0, carry + n);
                count += CountInsertIds(span);
                carry = Math.Min(InsertId.Length - 1, span.Length);
                span[^carry..].CopyTo(buffer);
            }

            var delay = latency?.Next() ?? fixedDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, ctx.RequestAborted);
            }

            Interlocked.Increment(ref requests);
            Interlocked.Add(ref bytes, read);
            Interlocked.Add(ref rows, count);
            ctx.Response.ContentType = "application/json; charset=UTF-8";
            await ctx.Response.Body.WriteAsync("{\"kind\":\"bigquery#tableDataInsertAllResponse\"}"u8.ToArray(), ctx.RequestAborted);
        });

        app.MapPost("/bigquery/v2/projects/{project}/queries", (string project) => Results.Text(
            $$$"""{"kind":"bigquery#queryResponse","jobComplete":true,"jobReference":{"projectId":"{{{project}}}","jobId":"bench"},"schema":{"fields":[{"name":"kafka_partition","type":"INTEGER"},{"name":"max_offset","type":"INTEGER"}]},"totalRows":"0"}""",
            "application/json"));
        string Stats() => string.Create(CultureInfo.InvariantCulture,
            $"insertall: requests={Interlocked.Read(ref requests)} rows={Interlocked.Read(ref rows)} bytes={Interlocked.Read(ref bytes)}\n" +
            $"storage: appends={storage.Appends} rows={storage.Rows} bytes={storage.Bytes}\n");
        app.MapGet("/stats", () => Results.Text(Stats()));

        await app.StartAsync();
        await storageApp.StartAsync();
        Console.Out.WriteLine($"endpoint={Address(app)}");
        Console.Out.WriteLine($"storage-endpoint={Address(storageApp)}");
        Console.Out.Flush();

        var stopped = new TaskCompletionSource();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopped.TrySetResult(); });
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stopped.TrySetResult(); });
        await stopped.Task;
        await app.StopAsync();
        await storageApp.StopAsync();
        Console.Out.Write(Stats());
        return 0;
    }

    private static ReadOnlySpan<byte> InsertId => "\"insertId\""u8;

    private static long CountInsertIds(ReadOnlySpan<byte> span)
    {
        long count = 0;
        int at;
        while ((at = span.IndexOf(InsertId)) >= 0)
        {
            count++;
            span = span[(at + InsertId.Length)..];
        }

        return count;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
}
