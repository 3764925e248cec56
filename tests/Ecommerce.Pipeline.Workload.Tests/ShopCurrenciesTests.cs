using System.Text;
using Ecommerce.Pipeline.Core.Parsing;
using Ecommerce.Pipeline.Workload.Shop;

namespace Ecommerce.Pipeline.Workload.Tests;

public sealed class ShopCurrenciesTests
{
    [Fact]
    public void Every_shop_currency_is_a_code_the_pipeline_accepts_and_its_symbol_parses_back_to_it()
    {
        foreach (var currency in ShopCurrencies.All)
        {
            Assert.True(Currencies.TryNormalize(currency.Code, out var code));
            Assert.Equal(code, currency.Code);
            if (currency.SymbolUtf8 is { } symbol)
            {
                Assert.Equal(currency.Code, Currencies.FromSymbol(Encoding.UTF8.GetString(symbol).Single()));
            }
        }

        // '$' on its own means USD, so the other dollars are never written with a symbol alone.
        Assert.Equal(["USD", "EUR", "GBP", "JPY"], ShopCurrencies.All.Where(c => c.SymbolUtf8 is not null).Select(c => c.Code));
    }

    [Fact]
    public void A_code_the_pipeline_would_refuse_is_not_a_shop_currency()
    {
        Assert.Throws<ArgumentException>(() => new ShopCurrency("DOLLARS", 1, whole: false));
    }

    [Theory]
    [InlineData(1_000L, false, 1_049L)]
    [InlineData(1_060L, false, 1_099L)]
    [InlineData(10L, false, 49L)]
    [InlineData(152_340L, true, 152_000L)]
    [InlineData(500L, true, 1_000L)]
    public void Prices_are_rounded_the_way_shops_price(long hundredths, bool whole, long expected)
    {
        Assert.Equal(expected, new ShopCurrency(whole ? "JPY" : "USD", 1, whole).Round(hundredths));
    }
}
