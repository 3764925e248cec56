namespace Ecommerce.Pipeline.DuckDb;

/// <summary>A warehouse failure with a message fit for a user: a missing or locked file, a SQL error (DuckDB's text).</summary>
public sealed class WarehouseException : Exception
{
    public WarehouseException()
    {
    }

    public WarehouseException(string message) : base(message)
    {
    }

    public WarehouseException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
