using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.BigQuery.Tests;

/// <summary>One request the stand-in received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string MethodId, byte[] Body, string? Authorization)
{
    public string Text => Encoding.UTF8.GetString(Body);
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A local BigQuery REST stand-in on 127.0.0.1 (Kestrel, ephemeral port). It routes by the discovery document's
/// path templates, validates each request body against the method's request schema, answers with bodies that
/// validate against the response schema, stores rows by insertId (as BigQuery's dedup would, exactly), and
/// injects faults: HTTP errors with a reason, connection resets, and per-row <c>invalid</c> errors (the other rows
/// of that request come back <c>stopped</c>, as with skipInvalidRows=false). The switches that make it behave as the
/// real service does (new-table 404s, silent drops, payload limit, token expiry, throttling, best-effort dedup,
/// latency) are in BigQueryStandInRealism.cs, all off by default.
/// </summary>
internal sealed partial class BigQueryStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, RecordedRequest, Task<bool>>> _faults = new();
    private readonly object _gate = new();

    public BigQueryStandIn()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        _app = builder.Build();
        _app.Run(async ctx =>
        {
            try
            {
                await HandleAsync(ctx);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A stand-in bug must fail the test, not pass as a retried 500; nor may it be retried at all: a
                // client whose retry waits run on a fake clock would wait for ever. No client retries a 400.
                ContractViolations.Enqueue($"stand-in failed: {ex}");
                if (ctx.Response.HasStarted)
                {
                    throw;
                }

                await WriteErrorAsync(ctx, 400, "invalid", $"stand-in failed: {ex.Message}");
            }
        });
    }

    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;

    public Uri Endpoint { get; private set; } = null!;

    private long _acceptedAtOnce;

    /// <summary>Answer insertAll at once without parsing or storing (a sink throughput measurement); tables still work.</summary>
    public bool AnswerAtOnce { get; set; }

    public long AcceptedAtOnce => Interlocked.Read(ref _acceptedAtOnce);

    /// <summary>Schema-check every request body (on by default; a throughput measurement may turn it off).</summary>
    public bool ValidateRequests { get; set; } = true;

    /// <summary>insertAll requests are held until this many are in flight together (0: answer at once).</summary>
    public int HoldUntilInFlight { get; set; }

    /// <summary>The most insertAll requests seen in flight at once.</summary>
    public int MaxInFlight { get; private set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public ConcurrentQueue<string> ContractViolations { get; } = new();

    /// <summary>Existing tables, "dataset.table" → the Table JSON as created.</summary>
    public ConcurrentDictionary<string, JsonNode> Tables { get; } = new();

    /// <summary>Stored rows per "dataset.table": insertId → row JSON.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, JsonElement>> Rows { get; } = new();

    /// <summary>insertAll row deliveries per insertId (a second delivery is what insertId dedup absorbs).</summary>
    public ConcurrentDictionary<string, int> Deliveries { get; } = new();

    /// <summary>Rows whose json this says is invalid get an <c>invalid</c> row error.</summary>
    public Func<JsonElement, bool> IsInvalidRow { get; set; } = _ => false;

    /// <summary>
    /// Answers jobs.query when set and not null: a QueryResponse body, or a Google error envelope (<c>{"error":
    /// {"code": …}}</c>, sent with that status). Otherwise the default answer (a row count).
    /// </summary>
    public Func<RecordedRequest, JsonNode?>? AnswerQuery { get; set; }

    /// <summary>Answers jobs.getQueryResults (a GetQueryResultsResponse or an error envelope); unset: 501.</summary>
    public Func<RecordedRequest, JsonNode?>? AnswerGetQueryResults { get; set; }

    /// <summary>Datasets that exist; table creation elsewhere gets 404 notFound.</summary>
    public HashSet<string> Datasets { get; } = ["ds"];

    public static async Task<BigQueryStandIn> StartAsync()
    {
        // The statement first: if it cannot be read, the test fails here with why, before any client waits on us.
        _ = DiscoveryDocument.Default;
        var standIn = new BigQueryStandIn();
        await standIn._app.StartAsync();
        var address = standIn._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return standIn;
    }

    public void CreateTable(string dataset, string table) => Tables[$"{dataset}.{table}"] = new JsonObject();

    public IReadOnlyList<RecordedRequest> InsertAlls => [.. Requests.Where(r => r.MethodId == "bigquery.tabledata.insertAll")];

    /// <summary>The next request gets this HTTP error with the Google error envelope.</summary>
    public void FailNext(int status, string reason, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue(async (ctx, _) =>
            {
                await WriteErrorAsync(ctx, status, reason, $"injected {reason}");
                return true;
            });
        }
    }

    /// <summary>Drops every fault still queued.</summary>
    public void ClearFaults() => _faults.Clear();

    /// <summary>The next request's connection is reset before any answer.</summary>
    public void ResetNext() => _faults.Enqueue((ctx, _) =>
    {
        ctx.Abort();
        return Task.FromResult(true);
    });

    private async Task HandleAsync(HttpContext ctx)
    {
        if (ctx.Request.Path == TokenPath && ctx.Request.Method == "POST")
        {
            await HandleTokenRequestAsync(ctx);
            return;
        }

        using var body = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(body);
        var path = ctx.Request.Path.Value ?? "";
        var rawTarget = ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? path;
        var match = DiscoveryDocument.Default.Match(ctx.Request.Method, rawTarget.Split('?')[0]);
        var recorded = new RecordedRequest(ctx.Request.Method, rawTarget, match?.Id ?? "?", body.ToArray(),
            ctx.Request.Headers.Authorization.FirstOrDefault());
        Requests.Enqueue(recorded);
        if (match is null)
        {
            ContractViolations.Enqueue($"{ctx.Request.Method} {rawTarget}: no such method in the discovery document");
            await WriteErrorAsync(ctx, 404, "notFound", "no such method");
            return;
        }

        if (await RefuseCredentialsAsync(ctx, recorded))
        {
            return;
        }

        // Query-string parameters must be ones the method declares (standard ones such as alt/fields are not used here).
        foreach (var name in ctx.Request.Query.Keys.Where(k => !DiscoveryDocument.Default.QueryParameters(match.Value.Id).Contains(k)))
        {
            ContractViolations.Enqueue($"{match.Value.Id}: unknown query parameter '{name}'");
        }

        if (ValidateRequests && match.Value.Request is { } requestSchema)
        {
            List<string> errors;
            try
            {
                errors = DiscoveryDocument.Default.Validate(recorded.Json, requestSchema);
            }
            catch (JsonException ex)
            {
                errors = [$"not JSON: {ex.Message}"];
            }

            if (errors.Count > 0)
            {
                foreach (var e in errors)
                {
                    ContractViolations.Enqueue($"{match.Value.Id} {requestSchema}: {e}");
                }

                await WriteErrorAsync(ctx, 400, "invalid", string.Join("; ", errors));
                return;
            }
        }

        if (AnswerAtOnce && match.Value.Id == "bigquery.tabledata.insertAll")
        {
            // Throughput mode: record nothing, parse nothing, accept everything.
            Requests.TryDequeue(out _);
            Interlocked.Increment(ref _acceptedAtOnce);
            ctx.Response.ContentType = "application/json; charset=UTF-8";
            await ctx.Response.Body.WriteAsync("{\"kind\":\"bigquery#tableDataInsertAllResponse\"}"u8.ToArray());
            return;
        }

        if (_faults.TryDequeue(out var fault) && await fault(ctx, recorded))
        {
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        // bigquery v2 projects {p} datasets {d} tables {t} ...
        switch (match.Value.Id)
        {
            case "bigquery.tables.get":
                if (Tables.TryGetValue($"{segments[5]}.{segments[7]}", out var table))
                {
                    await WriteJsonAsync(ctx, 200, table.DeepClone(), "Table");
                }
                else
                {
                    await WriteErrorAsync(ctx, 404, "notFound", $"Not found: Table {segments[3]}:{segments[5]}.{segments[7]}");
                }

                return;
            case "bigquery.tables.insert":
                var created = JsonNode.Parse(recorded.Body)!;
                var tableId = created["tableReference"]!["tableId"]!.GetValue<string>();
                if (!Datasets.Contains(segments[5]))
                {
                    await WriteErrorAsync(ctx, 404, "notFound", $"Not found: Dataset {segments[3]}:{segments[5]}");
                }
                else if (!Tables.TryAdd($"{segments[5]}.{tableId}", created))
                {
                    await WriteErrorAsync(ctx, 409, "duplicate", "Already Exists");
                }
                else
                {
                    TableCreated($"{segments[5]}.{tableId}");
                    await WriteJsonAsync(ctx, 200, created.DeepClone(), "Table");
                }

                return;
            case "bigquery.tabledata.insertAll":
                var inFlight = Interlocked.Increment(ref _inFlight);
                try
                {
                    lock (_gate)
                    {
                        MaxInFlight = Math.Max(MaxInFlight, inFlight);
                    }

                    if (HoldUntilInFlight > 0)
                    {
                        if (inFlight >= HoldUntilInFlight)
                        {
                            _released.TrySetResult();
                        }

                        // Bounded: a client that never reaches the count still gets answers, and the test sees MaxInFlight.
                        await _released.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
                    }

                    if (!await BeforeInsertAllAsync(ctx, $"{segments[5]}.{segments[7]}", recorded))
                    {
                        await InsertAllAsync(ctx, $"{segments[5]}.{segments[7]}", recorded.Json);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }

                return;
            case "bigquery.tables.patch":
                // Patch semantics: the fields sent replace those stored; the answer is the whole table.
                if (Tables.TryGetValue($"{segments[5]}.{segments[7]}", out var patched))
                {
                    foreach (var (name, value) in JsonNode.Parse(recorded.Body)!.AsObject())
                    {
                        patched[name] = value?.DeepClone();
                    }

                    await WriteJsonAsync(ctx, 200, patched.DeepClone(), "Table");
                }
                else
                {
                    await WriteErrorAsync(ctx, 404, "notFound", $"Not found: Table {segments[3]}:{segments[5]}.{segments[7]}");
                }

                return;
            case "bigquery.jobs.query" when AnswerQuery?.Invoke(recorded) is { } answer:
                await WriteAnswerAsync(ctx, answer, "QueryResponse");
                return;
            case "bigquery.jobs.getQueryResults":
                if (AnswerGetQueryResults?.Invoke(recorded) is { } results)
                {
                    await WriteAnswerAsync(ctx, results, "GetQueryResultsResponse");
                }
                else
                {
                    await WriteErrorAsync(ctx, 501, "notImplemented", match.Value.Id);
                }

                return;
            case "bigquery.jobs.query" when AnswerWatermark(recorded, segments[3]) is { } watermark:
                await WriteJsonAsync(ctx, 200, watermark, "QueryResponse");
                return;
            case "bigquery.jobs.query":
                var count = Rows.Values.Sum(r => r.Count);
                await WriteJsonAsync(ctx, 200, new JsonObject
                {
                    ["kind"] = "bigquery#queryResponse",
                    ["jobComplete"] = true,
                    ["jobReference"] = new JsonObject { ["projectId"] = segments[3], ["jobId"] = "job_1", ["location"] = "EU" },
                    ["schema"] = new JsonObject { ["fields"] = new JsonArray(new JsonObject { ["name"] = "n", ["type"] = "INTEGER", ["mode"] = "NULLABLE" }) },
                    ["rows"] = new JsonArray(new JsonObject { ["f"] = new JsonArray(new JsonObject { ["v"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture) }) }),
                    ["totalRows"] = "1",
                }, "QueryResponse");
                return;
            default:
                await WriteErrorAsync(ctx, 501, "notImplemented", match.Value.Id);
                return;
        }
    }

    private async Task InsertAllAsync(HttpContext ctx, string table, JsonElement request)
    {
        if (!Tables.ContainsKey(table))
        {
            await WriteErrorAsync(ctx, 404, "notFound", $"Not found: Table {table}");
            return;
        }

        var rows = request.GetProperty("rows").EnumerateArray().ToList();
        var skipInvalid = request.TryGetProperty("skipInvalidRows", out var s) && s.GetBoolean();
        var invalid = rows.Select((r, i) => (r, i)).Where(x => IsInvalidRow(x.r.GetProperty("json"))).Select(x => x.i).ToHashSet();
        var errors = new JsonArray();
        lock (_gate)
        {
            var stored = Rows.GetOrAdd(table, _ => new());
            for (var i = 0; i < rows.Count; i++)
            {
                if (invalid.Contains(i))
                {
                    errors.Add(RowError(i, "invalid", "json.price", "Cannot convert value to numeric."));
                }
                else if (invalid.Count > 0 && !skipInvalid)
                {
                    errors.Add(RowError(i, "stopped", null, ""));
                }
                else
                {
                    var id = rows[i].GetProperty("insertId").GetString()!;
                    Deliveries.AddOrUpdate(id, 1, (_, n) => n + 1);
                    Store(table, stored, id, rows[i].GetProperty("json").Clone());
                }
            }
        }

        var response = new JsonObject { ["kind"] = "bigquery#tableDataInsertAllResponse" };
        if (errors.Count > 0)
        {
            response["insertErrors"] = errors;
        }

        await WriteJsonAsync(ctx, 200, response, "TableDataInsertAllResponse");
    }

    private static JsonObject RowError(int index, string reason, string? location, string message)
    {
        var error = new JsonObject { ["reason"] = reason, ["message"] = message };
        if (location is not null)
        {
            error["location"] = location;
        }

        return new JsonObject { ["index"] = index, ["errors"] = new JsonArray(error) };
    }

    private async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode body, string schema)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        // The stand-in's own answers must keep to the contract too, or the client would be tested against fiction.
        foreach (var e in DiscoveryDocument.Default.Validate(JsonDocument.Parse(bytes).RootElement, schema))
        {
            ContractViolations.Enqueue($"stand-in response {schema}: {e}");
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=UTF-8";
        await ctx.Response.Body.WriteAsync(bytes);
    }

    private Task WriteAnswerAsync(HttpContext ctx, JsonNode answer, string schema) =>
        answer["error"] is { } error
            ? WriteErrorAsync(ctx, error["code"]!.GetValue<int>(), error["errors"]![0]!["reason"]!.GetValue<string>(), error["message"]!.GetValue<string>())
            : WriteJsonAsync(ctx, 200, answer, schema);

    private static async Task WriteErrorAsync(HttpContext ctx, int status, string reason, string message)
    {
        var envelope = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = status,
                ["message"] = message,
                ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason }),
                ["status"] = status switch { 400 => "INVALID_ARGUMENT", 401 => "UNAUTHENTICATED", 403 => "PERMISSION_DENIED", 404 => "NOT_FOUND", 409 => "ALREADY_EXISTS", 429 => "RESOURCE_EXHAUSTED", _ => "UNAVAILABLE" },
            },
        };
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=UTF-8";
        await ctx.Response.WriteAsync(envelope.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
