using Ecommerce.Pipeline.Core.Parsing;

namespace Ecommerce.Pipeline.Core.Tests.Parsing;

public sealed class CurrencySymbolTests
{
    [Theory]
    [InlineData("USD", "$")]
    [InlineData("EUR", "€")]
    [InlineData("GBP", "£")]
    [InlineData("JPY", "¥")]
    public void A_default_currency_has_the_symbol_that_parses_back_to_it(string code, string symbol)
    {
        Assert.Equal(symbol, Currencies.SymbolFor(code));
        Assert.Equal(code, Currencies.FromSymbol(symbol[0]));
    }

    [Theory]
    [InlineData("CAD")]
    [InlineData("AUD")]
    [InlineData("CNY")]
    [InlineData("XYZ")]
    public void A_currency_no_symbol_means_on_its_own_has_none(string code) => Assert.Null(Currencies.SymbolFor(code));

    [Fact]
    public void Every_accepted_symbol_names_a_known_code()
    {
        Assert.All(Currencies.Symbols, s => Assert.Contains(Currencies.FromSymbol(s)!, Currencies.All));
    }
}
