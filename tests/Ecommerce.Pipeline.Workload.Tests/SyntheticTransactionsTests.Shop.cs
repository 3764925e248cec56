using System.Text;
using System.Text.Json;
using Ecommerce.Pipeline.Core.Parsing;

namespace Ecommerce.Pipeline.Workload.Tests;

public sealed partial class SyntheticTransactionsTests
{
    [Fact]
    public void The_data_looks_like_a_shop()
    {
        var messages = Generate(9, 0, 20_000);
        var products = new Dictionary<string, int>();
        var users = new Dictionary<string, int>();
        var payments = new Dictionary<string, int>();
        var usdPrices = new List<decimal>();
        foreach (var m in messages)
        {
            using var doc = JsonDocument.Parse(m.Value);
            var root = doc.RootElement;
            var product = IdText(Prop(root, "product_id", "productId")!.Value);
            products[product] = products.GetValueOrDefault(product) + 1;
            var user = Encoding.UTF8.GetString(m.Key);
            users[user] = users.GetValueOrDefault(user) + 1;
            var payment = Prop(root, "payment_method", "paymentMethod");
            var canonical = payment is null ? PaymentMethods.Unknown : PaymentMethods.Canonicalize(payment.Value.GetString());
            payments[canonical] = payments.GetValueOrDefault(canonical) + 1;
            if (root.GetProperty("price") is { ValueKind: JsonValueKind.Number } price && !root.TryGetProperty("currency", out _))
            {
                usdPrices.Add(price.GetDecimal());
            }
        }

        // Zipf-like: the 50 best sellers take a large share, and there is a long tail of rarely bought ones.
        var top50 = products.Values.OrderDescending().Take(50).Sum();
        Assert.InRange(top50 / (double)messages.Count, 0.25, 0.7);
        Assert.True(products.Count > 2_500, $"{products.Count} distinct products");

        // Sessions: most messages come from a user who buys more than once.
        var repeat = users.Values.Where(n => n > 1).Sum();
        Assert.True(repeat > messages.Count / 2, $"{repeat} messages from repeat users");

        usdPrices.Sort();
        Assert.InRange(usdPrices[usdPrices.Count / 2], 20m, 60m);
        Assert.True(usdPrices[^1] > 500m && usdPrices[^1] <= 1_000_000m);

        Assert.InRange(payments[PaymentMethods.CreditCard] / (double)messages.Count, 0.40, 0.50);
        Assert.InRange(payments[PaymentMethods.PayPal] / (double)messages.Count, 0.11, 0.19);
        Assert.InRange(payments[PaymentMethods.Crypto] / (double)messages.Count, 0.003, 0.02);
    }
}
