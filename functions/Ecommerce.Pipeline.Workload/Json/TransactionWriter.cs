using System.Text.Json;
using Ecommerce.Pipeline.Core.Configuration;
using Ecommerce.Pipeline.Workload.Defects;
using Ecommerce.Pipeline.Workload.Shop;

namespace Ecommerce.Pipeline.Workload.Json;

/// <summary>
/// Writes one transaction object in the session's input forms (docs/contract.md, Input): ids, price and currency,
/// timestamp, payment method, geolocation and a few fields the pipeline ignores, with the given defect in place of
/// the field it concerns.
/// </summary>
internal sealed class TransactionWriter
{
    private readonly Random _rng;
    private readonly MessageBuffer _buffer;
    private readonly Catalogue _catalogue;
    private readonly IdWriter _ids;
    private readonly PriceWriter _prices;
    private readonly TimestampWriter _timestamps;
    private readonly GeolocationWriter _geolocations;
    private readonly FieldDefects _defects;

    public TransactionWriter(Random rng, MessageBuffer buffer, Catalogue catalogue, uint seed)
    {
        _rng = rng;
        _buffer = buffer;
        _catalogue = catalogue;
        var w = buffer.Writer;
        _ids = new IdWriter(rng, w, seed);
        _prices = new PriceWriter(rng, w, catalogue);
        _timestamps = new TimestampWriter(rng, w);
        _geolocations = new GeolocationWriter(rng, w);
        _defects = new FieldDefects(w, seed);
    }

    /// <summary>Appends the object to the buffer; with <see cref="DefectField.OpenEnd"/> it is left unclosed.</summary>
    public void Write(in Session session, DateTimeOffset now, long sequence, Defect defect)
    {
        var w = _buffer.StartJson();
        w.WriteStartObject();
        var camel = session.CamelCase;
        var missingField = defect.MissingField;

        // transaction_id
        var txName = camel ? FieldNames.TransactionIdCamel : FieldNames.TransactionId;
        if (!WriteIdDefect(txName, Defect.FieldTransactionId, defect, sequence))
        {
            _ids.WriteTransactionId(txName, sequence);
        }

        // user_id
        var userName = camel ? FieldNames.UserIdCamel : FieldNames.UserId;
        if (!WriteIdDefect(userName, Defect.FieldUserId, defect, sequence))
        {
            _ids.WriteUserId(userName, session.User);
        }

        // product_id
        var product = _catalogue.NextProduct();
        var productName = camel ? FieldNames.ProductIdCamel : FieldNames.ProductId;
        if (!WriteIdDefect(productName, Defect.FieldProductId, defect, sequence))
        {
            _ids.WriteProductId(productName, product);
        }

        // price and currency
        if (missingField == Defect.FieldPrice)
        {
            _defects.WriteMissing(FieldNames.Price, defect.Variant % 4);
        }
        else if (defect.Field == DefectField.Price)
        {
            _defects.WriteBadPrice(defect.Variant);
        }
        else if (defect.InvalidCurrency)
        {
            // A plain number, so the price check passes and the currency check is the one that fails.
            w.WriteNumber(FieldNames.Price, PriceWriter.Amount(_catalogue.BaseCents(product)));
            w.WriteString(FieldNames.Currency, Garbage.BadCurrencies[defect.Variant - 3 * Garbage.BadIdKinds]);
        }
        else
        {
            _prices.Write(session, product);
        }

        // timestamp
        if (missingField == Defect.FieldTimestamp)
        {
            _defects.WriteMissing(FieldNames.Timestamp, defect.Variant % 4);
        }
        else if (defect.Field == DefectField.Timestamp)
        {
            w.WriteString(FieldNames.Timestamp, Garbage.BadTimestamps[defect.Variant]);
        }
        else
        {
            var at = defect.Field switch
            {
                // Comfortably past the 5-minute tolerance even if processing happens a while later.
                DefectField.Future => now + TimeSpan.FromMinutes(15 + _rng.NextDouble() * 60 * 24 * 3),
                // Older than the retention window by one day to a year.
                DefectField.TooOld => now - TimeSpan.FromDays(Limits.Retention.TotalDays + 1 + _rng.NextDouble() * 357),
                // Clients stamp the event a few milliseconds to a few seconds before it reaches the broker.
                _ => now - TimeSpan.FromMilliseconds(5 + 3_000 * Math.Pow(_rng.NextDouble(), 2)),
            };
            _timestamps.Write(session.TimestampForm, at);
        }

        // payment_method (optional)
        if (session.Payment is { } payment)
        {
            w.WriteString(camel ? FieldNames.PaymentMethodCamel : FieldNames.PaymentMethod, payment);
        }

        // geolocation (optional)
        _geolocations.Write(session);

        // A few fields the pipeline ignores, as real payloads carry them.
        var extras = _rng.NextDouble();
        if (extras < 0.3)
        {
            w.WriteNumber(FieldNames.Quantity, 1 + _rng.Next(3));
        }

        if (extras < 0.15)
        {
            w.WriteString(FieldNames.Channel, Garbage.Channels[_rng.Next(Garbage.Channels.Length)]);
        }

        switch (defect.Field)
        {
            case DefectField.Items:
                w.WritePropertyName(FieldNames.Items);
                w.WriteRawValue(Garbage.HugeItems, skipInputValidation: true);
                break;
            case DefectField.Note:
                w.WritePropertyName(FieldNames.CustomerNote);
                w.WriteRawValue(Garbage.Latin1Notes[defect.Variant], skipInputValidation: true);
                break;
            case DefectField.OpenEnd:
                w.Flush();
                return;
        }

        w.WriteEndObject();
        w.Flush();
    }

    /// <summary>Writes the id field <paramref name="field"/> missing or malformed when the defect says so; false: write it valid.</summary>
    private bool WriteIdDefect(JsonEncodedText name, int field, Defect defect, long sequence)
    {
        if (defect.MissingField == field)
        {
            _defects.WriteMissing(name, defect.Variant % 4);
            return true;
        }

        if (defect.InvalidId == field)
        {
            _defects.WriteBadId(name, defect.Variant % Garbage.BadIdKinds, sequence);
            return true;
        }

        return false;
    }
}
