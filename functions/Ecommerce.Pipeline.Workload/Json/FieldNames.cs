using System.Text.Json;

namespace Ecommerce.Pipeline.Workload.Json;

/// <summary>The field names the generator writes (snake_case, and the camelCase aliases the contract accepts), encoded once.</summary>
internal static class FieldNames
{
    public static readonly JsonEncodedText TransactionId = JsonEncodedText.Encode("transaction_id");
    public static readonly JsonEncodedText TransactionIdCamel = JsonEncodedText.Encode("transactionId");
    public static readonly JsonEncodedText UserId = JsonEncodedText.Encode("user_id");
    public static readonly JsonEncodedText UserIdCamel = JsonEncodedText.Encode("userId");
    public static readonly JsonEncodedText ProductId = JsonEncodedText.Encode("product_id");
    public static readonly JsonEncodedText ProductIdCamel = JsonEncodedText.Encode("productId");
    public static readonly JsonEncodedText Price = JsonEncodedText.Encode("price");
    public static readonly JsonEncodedText Currency = JsonEncodedText.Encode("currency");
    public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");
    public static readonly JsonEncodedText PaymentMethod = JsonEncodedText.Encode("payment_method");
    public static readonly JsonEncodedText PaymentMethodCamel = JsonEncodedText.Encode("paymentMethod");
    public static readonly JsonEncodedText Geolocation = JsonEncodedText.Encode("geolocation");
    public static readonly JsonEncodedText Lat = JsonEncodedText.Encode("lat");
    public static readonly JsonEncodedText Lon = JsonEncodedText.Encode("lon");
    public static readonly JsonEncodedText Lng = JsonEncodedText.Encode("lng");
    public static readonly JsonEncodedText Quantity = JsonEncodedText.Encode("quantity");
    public static readonly JsonEncodedText Channel = JsonEncodedText.Encode("channel");
    public static readonly JsonEncodedText Items = JsonEncodedText.Encode("items");
    public static readonly JsonEncodedText CustomerNote = JsonEncodedText.Encode("customer_note");
}
