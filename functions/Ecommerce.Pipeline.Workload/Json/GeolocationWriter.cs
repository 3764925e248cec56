using System.Globalization;
using System.Text.Json;
using Ecommerce.Pipeline.Workload.Shop;

namespace Ecommerce.Pipeline.Workload.Json;

/// <summary>Writes the session's city in its geolocation form: a GPS fix (text or object) or a place text.</summary>
internal sealed class GeolocationWriter(Random rng, Utf8JsonWriter writer)
{
    public void Write(in Session session)
    {
        var city = Cities.All[session.City];
        var places = PlaceTexts.ForCity[session.City];
        var w = writer;
        switch (session.GeoForm)
        {
            case GeoForm.Missing:
                return;
            case GeoForm.PairText:
            case GeoForm.PairTextSpaced:
            {
                // A phone's GPS fix: a few hundred metres around the centre.
                var lat = city.Latitude + (rng.NextDouble() - 0.5) * 0.02;
                var lon = city.Longitude + (rng.NextDouble() - 0.5) * 0.02;
                Span<byte> text = stackalloc byte[48];
                lat.TryFormat(text, out var n, "F5", CultureInfo.InvariantCulture);
                text[n++] = (byte)',';
                if (session.GeoForm == GeoForm.PairTextSpaced)
                {
                    text[n++] = (byte)' ';
                }

                lon.TryFormat(text[n..], out var m, "F5", CultureInfo.InvariantCulture);
                w.WriteString(FieldNames.Geolocation, text[..(n + m)]);
                return;
            }

            case GeoForm.ObjectLon:
            case GeoForm.ObjectLng:
                w.WritePropertyName(FieldNames.Geolocation);
                w.WriteStartObject();
                w.WriteNumber(FieldNames.Lat, Math.Round(city.Latitude + (rng.NextDouble() - 0.5) * 0.02, 5));
                w.WriteNumber(session.GeoForm == GeoForm.ObjectLon ? FieldNames.Lon : FieldNames.Lng, Math.Round(city.Longitude + (rng.NextDouble() - 0.5) * 0.02, 5));
                w.WriteEndObject();
                return;
            case GeoForm.CityAlpha2:
                w.WriteString(FieldNames.Geolocation, places.CityAlpha2);
                return;
            case GeoForm.CityAlpha3:
                w.WriteString(FieldNames.Geolocation, places.CityAlpha3);
                return;
            case GeoForm.CityName:
                w.WriteString(FieldNames.Geolocation, places.CityName);
                return;
            case GeoForm.CityRegionCountry:
                w.WriteString(FieldNames.Geolocation, places.CityRegionCountry);
                return;
            case GeoForm.BareCode:
                w.WriteString(FieldNames.Geolocation, rng.NextDouble() < 0.7 ? places.Alpha2 : places.Alpha3);
                return;
            default:
                w.WriteString(FieldNames.Geolocation, places.CountryName);
                return;
        }
    }
}
