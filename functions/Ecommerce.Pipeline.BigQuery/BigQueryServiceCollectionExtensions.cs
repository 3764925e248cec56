using Ecommerce.Pipeline.BigQuery.Rest;
using Microsoft.Extensions.DependencyInjection;

namespace Ecommerce.Pipeline.BigQuery;

/// <summary>Registers the BigQuery client (HttpClient from <c>IHttpClientFactory</c>) and sink for a DI host.</summary>
public static class BigQueryServiceCollectionExtensions
{
    public const string HttpClientName = "bigquery";

    /// <summary>
    /// Adds <see cref="BigQueryClient"/> and <see cref="BigQuerySink"/> as singletons. Tables are checked on the first
    /// write (or call <see cref="BigQuerySink.EnsureTablesAsync"/> at start to fail fast). The host decides whether
    /// the sink is its <c>ITransactionSink</c>.
    /// </summary>
    public static IServiceCollection AddBigQuerySink(this IServiceCollection services, BigQuerySinkOptions sinkOptions,
        BigQueryClientOptions clientOptions)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        services.AddHttpClient(HttpClientName, http => http.Timeout = clientOptions.RequestTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        services.AddSingleton(sp => new BigQueryClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), clientOptions,
            clientOptions.SendsCredentials ? new LazyApplicationDefaultTokenSource() : null));
        services.AddSingleton(sp => new BigQuerySink(sp.GetRequiredService<BigQueryClient>(), sinkOptions));
        return services;
    }
}
