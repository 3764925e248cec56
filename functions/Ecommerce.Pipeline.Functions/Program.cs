using Ecommerce.Pipeline.Functions;
using Ecommerce.Pipeline.Hosting;
using Microsoft.Extensions.Hosting;

// Settings come from the environment (local.settings.json Values under `func start`, a ConfigMap on GKE).
var host = new HostBuilder()
    .ConfigureFunctionsWorkerDefaults()
    .ConfigureServices((context, services) => services
        .AddPipelineTelemetry(context.Configuration)
        .AddTransactionPipeline(context.Configuration)
        .AddPrometheusEndpoint())
    .Build();

await host.RunAsync().ConfigureAwait(false);
