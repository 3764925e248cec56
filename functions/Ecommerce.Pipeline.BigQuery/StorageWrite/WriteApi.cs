namespace Ecommerce.Pipeline.BigQuery.StorageWrite;

/// <summary>Which BigQuery API the sink writes rows through.</summary>
public enum WriteApi
{
    /// <summary>The Storage Write API (gRPC AppendRows).</summary>
    Storage,

    /// <summary>The legacy streaming API (<c>tabledata.insertAll</c>).</summary>
    InsertAll,
}
