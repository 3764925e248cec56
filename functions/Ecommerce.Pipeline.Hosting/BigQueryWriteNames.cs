using Ecommerce.Pipeline.BigQuery.StorageWrite;

namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// The settings' spelling of <see cref="WriteApi"/> (<c>BigQuery__WriteApi</c>) and <see cref="DeliveryGuarantee"/>
/// (<c>BigQuery__Delivery</c>), the same for the environment and the CLI's options (docs/contract.md, Settings).
/// </summary>
public static class BigQueryWriteNames
{
    public const string Storage = "storage";
    public const string InsertAll = "insertall";
    public const string ExactlyOnce = "exactly-once";
    public const string AtLeastOnce = "at-least-once";

    /// <summary><c>storage</c> or <c>insertall</c>, in any case, surrounding blanks ignored.</summary>
    public static bool TryParse(string? text, out WriteApi api)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Storage:
                api = WriteApi.Storage;
                return true;
            case InsertAll:
                api = WriteApi.InsertAll;
                return true;
            default:
                api = default;
                return false;
        }
    }

    /// <summary><c>exactly-once</c> or <c>at-least-once</c>, in any case, surrounding blanks ignored.</summary>
    public static bool TryParse(string? text, out DeliveryGuarantee delivery)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case ExactlyOnce:
                delivery = DeliveryGuarantee.ExactlyOnce;
                return true;
            case AtLeastOnce:
                delivery = DeliveryGuarantee.AtLeastOnce;
                return true;
            default:
                delivery = default;
                return false;
        }
    }

    public static string Name(this WriteApi api) => api == WriteApi.InsertAll ? InsertAll : Storage;

    public static string Name(this DeliveryGuarantee delivery) =>
        delivery == DeliveryGuarantee.AtLeastOnce ? AtLeastOnce : ExactlyOnce;
}
