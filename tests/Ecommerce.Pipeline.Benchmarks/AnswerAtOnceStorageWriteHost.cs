using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ecommerce.Pipeline.Benchmarks;

/// <summary>Hosts <see cref="AnswerAtOnceStorageWrite"/> on 127.0.0.1, plaintext HTTP/2 (gRPC needs it; no TLS to negotiate).</summary>
internal static class AnswerAtOnceStorageWriteHost
{
    public static WebApplication Build(AnswerAtOnceStorageWrite service, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        // Requests up to the service's 10 MB limit (gRPC's own default is 4 MB).
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 16 * 1024 * 1024);
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<AnswerAtOnceStorageWrite>();
        return app;
    }
}
