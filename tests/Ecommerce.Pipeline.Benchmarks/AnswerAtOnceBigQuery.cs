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
/// <c>endpoint=http://127.0.0.1:PORT</c> as its first line; on SIGTERM it prints what it accepted.
/// The contract-checking stand-in (request validation, faults, exactly-once bookkeeping) is in the BigQuery tests.
/// </summary>
internal static class AnswerAtOnceBigQuery
{
    private const string Tables = "/bigquery/v2/projects/{project}/datasets/{dataset}/tables/{table}";

    public static async Task<int> RunAsync(string[] args)
    {
        var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 0;
        // An optional delay per insertAll stands in for the real service's round trip: a fixed number of milliseconds,
        // or lognormal:MEDIAN_MS[:SIGMA] for a right-skewed distribution around that median.
        var latencyArg = args.Length > 1 ? args[1] : "0";
        var latency = Ecommerce.Pipeline.TestSupport.LogNormalLatency.Parse(latencyArg);
        var fixedDelay = latency is null ? TimeSpan.FromMilliseconds(int.Parse(latencyArg, CultureInfo.InvariantCulture)) : TimeSpan.Zero;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        await using var app = builder.Build();

        long requests = 0, bytes = 0;
        app.MapGet(Tables, (string project, string dataset, string table) => Results.Text(
            $$$"""{"kind":"bigquery#table","id":"{{{project}}}:{{{dataset}}}.{{{table}}}","tableReference":{"projectId":"{{{project}}}","datasetId":"{{{dataset}}}","tableId":"{{{table}}}"}}""",
            "application/json"));
        app.MapPost(Tables + "/insertAll", async (HttpContext ctx) =>
        {
            var buffer = new byte[64 * 1024];
            long read = 0;
            int n;
            while ((n = await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
            {
                read += n;
            }

            var delay = latency?.Next() ?? fixedDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, ctx.RequestAborted);
            }

            Interlocked.Increment(ref requests);
            Interlocked.Add(ref bytes, read);
            ctx.Response.ContentType = "application/json; charset=UTF-8";
            await ctx.Response.Body.WriteAsync("{\"kind\":\"bigquery#tableDataInsertAllResponse\"}"u8.ToArray(), ctx.RequestAborted);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.Out.WriteLine($"endpoint={address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)}");
        Console.Out.Flush();

        var stopped = new TaskCompletionSource();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopped.TrySetResult(); });
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stopped.TrySetResult(); });
        await stopped.Task;
        await app.StopAsync();
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accepted: requests={Interlocked.Read(ref requests)} bytes={Interlocked.Read(ref bytes)}"));
        return 0;
    }
}
