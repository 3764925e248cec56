using System.CommandLine;
using Ecommerce.Pipeline.Cli.Hosting;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Hosting;

namespace Ecommerce.Pipeline.Cli.Commands;

/// <summary>Which of the write options a verb takes besides the four table options.</summary>
internal enum BigQueryWrites
{
    /// <summary>Only the table options (retention).</summary>
    None,

    /// <summary>Also <c>--bigquery-write-api</c>, which decides the streaming-buffer rule (compact).</summary>
    WriteApi,

    /// <summary>Every write option: the verb writes rows (process, bench, backfill).</summary>
    Rows,
}

/// <summary>The BigQuery options of the verbs that use BigQuery (docs/contract.md, Settings).</summary>
internal sealed class BigQueryOptions
{
    private readonly BigQueryWrites _writes;

    private BigQueryOptions(BigQueryWrites writes) => _writes = writes;

    // No defaults of their own: when not given, the BigQuery__* settings (environment) decide.
    public Option<string?> Project { get; } = new("--bigquery-project") { Description = $"BigQuery project id (default: ${SettingNames.BigQueryProjectId})" };
    public Option<string?> Dataset { get; } = new("--bigquery-dataset") { Description = $"BigQuery dataset id (default: ${SettingNames.BigQueryDatasetId})" };
    public Option<string?> Table { get; } = new("--bigquery-table") { Description = $"BigQuery table id (default: ${SettingNames.BigQueryTableId}, else transactions)" };
    public Option<string?> Endpoint { get; } = new("--bigquery-endpoint") { Description = $"BigQuery REST endpoint override (emulator, proxy); no credentials are sent there unless --bigquery-credentials adc (default: ${SettingNames.BigQueryEndpoint})" };
    public Option<string?> Credentials { get; } = new("--bigquery-credentials") { Description = $"auto (Application Default Credentials unless an endpoint override is given), adc or none (default: ${SettingNames.BigQueryCredentials}, else auto)" };

    public Option<string?> WriteApi { get; } = new("--bigquery-write-api")
    {
        Description = $"How rows reach BigQuery: {BigQueryWriteNames.Storage} (Storage Write API) or {BigQueryWriteNames.InsertAll} (default: ${SettingNames.BigQueryWriteApi}, else {BigQueryWriteNames.Storage})",
        Validators = { r => { if (!BigQueryWriteNames.TryParse(r.GetValueOrDefault<string?>(), out BigQuery.StorageWrite.WriteApi _)) { r.AddError($"--bigquery-write-api must be {BigQueryWriteNames.Storage} or {BigQueryWriteNames.InsertAll}."); } } },
    };

    public Option<string?> Delivery { get; } = new("--bigquery-delivery")
    {
        Description = $"Storage Write API delivery: {BigQueryWriteNames.ExactlyOnce} or {BigQueryWriteNames.AtLeastOnce} (default: ${SettingNames.BigQueryDelivery}, else {BigQueryWriteNames.ExactlyOnce})",
        Validators = { r => { if (!BigQueryWriteNames.TryParse(r.GetValueOrDefault<string?>(), out BigQuery.StorageWrite.DeliveryGuarantee _)) { r.AddError($"--bigquery-delivery must be {BigQueryWriteNames.ExactlyOnce} or {BigQueryWriteNames.AtLeastOnce}."); } } },
    };

    public Option<string?> StorageEndpoint { get; } = new("--bigquery-storage-endpoint") { Description = $"Storage Write API endpoint override (stand-in; http:// is plaintext HTTP/2); credentials as for --bigquery-credentials (default: ${SettingNames.BigQueryStorageEndpoint})" };

    /// <summary>The options of a verb that writes rows.</summary>
    public static BigQueryOptions Create() => new(BigQueryWrites.Rows);

    public static BigQueryOptions Create(BigQueryWrites writes) => new(writes);

    /// <summary>Binds the options to the <c>BigQuery__*</c> settings.</summary>
    public void AddTo(SettingOptions settings)
    {
        settings
            .Add(Project, SettingNames.BigQueryProjectId)
            .Add(Dataset, SettingNames.BigQueryDatasetId)
            .Add(Table, SettingNames.BigQueryTableId)
            .Add(Endpoint, SettingNames.BigQueryEndpoint)
            .Add(Credentials, SettingNames.BigQueryCredentials);
        if (_writes != BigQueryWrites.None)
        {
            settings.Add(WriteApi, SettingNames.BigQueryWriteApi);
        }

        if (_writes == BigQueryWrites.Rows)
        {
            settings.Add(Delivery, SettingNames.BigQueryDelivery).Add(StorageEndpoint, SettingNames.BigQueryStorageEndpoint);
        }
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Project);
        command.Options.Add(Dataset);
        command.Options.Add(Table);
        command.Options.Add(Endpoint);
        command.Options.Add(Credentials);
        if (_writes != BigQueryWrites.None)
        {
            command.Options.Add(WriteApi);
        }

        if (_writes == BigQueryWrites.Rows)
        {
            command.Options.Add(Delivery);
            command.Options.Add(StorageEndpoint);
        }
    }
}
