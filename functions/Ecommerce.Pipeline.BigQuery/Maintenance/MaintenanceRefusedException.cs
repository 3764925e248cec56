namespace Ecommerce.Pipeline.BigQuery.Maintenance;

/// <summary>
/// A maintenance step that must not go ahead, or found the warehouse not as required (a partition still in the
/// streaming buffer, a table missing or not partitioned, an expiration that differs): one message fit for a user.
/// </summary>
public sealed class MaintenanceRefusedException : Exception
{
    public MaintenanceRefusedException()
    {
    }

    public MaintenanceRefusedException(string message) : base(message)
    {
    }

    public MaintenanceRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
