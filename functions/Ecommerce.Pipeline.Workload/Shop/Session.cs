namespace Ecommerce.Pipeline.Workload.Shop;

/// <summary>A user's short burst of purchases from one device: the client's formats stay the same within it.</summary>
internal struct Session
{
    public int Remaining;
    public int User;
    public int City;
    public int Currency;
    public bool CamelCase;
    public string? Payment;
    public PriceForm PriceForm;
    public TimestampForm TimestampForm;
    public GeoForm GeoForm;
}
