namespace Ecommerce.Pipeline.Workload.Shop;

// The input forms a client uses for a field (docs/contract.md, Input). A session keeps its client's forms.

/// <summary>How the price is written: a JSON number, a numeric string, a symbol, or an ISO code after or before.</summary>
internal enum PriceForm : byte { Number, NumericString, Symbol, CodeAfter, CodeBefore }

/// <summary>How the timestamp is written: ISO 8601 (Z, offset, none), space separated, epoch seconds or ms, digits.</summary>
internal enum TimestampForm : byte { IsoZulu, IsoOffset, IsoNoOffset, SpaceSeparated, EpochSeconds, EpochMilliseconds, NumericString }

/// <summary>How the geolocation is written: absent, coordinates (text or object), or a place text.</summary>
internal enum GeoForm : byte
{
    Missing, PairText, PairTextSpaced, ObjectLon, ObjectLng, CityAlpha2, CityAlpha3, CityName, CityRegionCountry, BareCode, BareName,
}
