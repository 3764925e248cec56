#!/usr/bin/env python3
"""Builds functions/Ecommerce.Pipeline.Core/Geo/Data/countries.bin from country-coder's borders.json.

Usage:
    python3 tools/geo/build_geo_data.py PATH/TO/borders.json [OUTPUT.bin]

PATH/TO/borders.json is `package/src/data/borders.json` of the npm package @rapideditor/country-coder
(`npm pack @rapideditor/country-coder@5.6.1 && tar xzf rapideditor-country-coder-5.6.1.tgz`).
Standard library only.

What is derived (mirrors country-coder's own rules, see its src/country-coder.ts):
- Each geometry feature is assigned the ISO 3166-1 alpha-2 code that country-coder's `iso1A2Code(loc,
  {level: 'territory'})` gives: walk the feature, then its groups ordered by level, and take the first one at
  territory level or above that has an `iso1A2`. One deliberate difference: codes that are not ISO-assigned
  (isoStatus `excRes`: EA Ceuta/Melilla, IC, AC, TA, DG, CP, FX, ...) are skipped, so those areas roll up to
  their parent (ES, SH, FR, ...). XK (user-assigned, Kosovo) is kept. Features that reach no code (Northern
  Cyprus, Bir Tawil) are dropped: a point there has no country, as in country-coder.
- Continent (AF AN AS EU NA OC SA) from the UN M49 groups of the country's geometry features, the largest
  area winning when parts lie on different continents (e.g. ES: Peninsular Spain outweighs Ceuta/Melilla):
  002 Africa -> AF, 150 Europe -> EU, 142 Asia -> AS, 009 Oceania -> OC, 005 South America -> SA,
  021 Northern America / 013 Central America / 029 Caribbean -> NA, AQ -> AN. So Turkey, Cyprus and the
  Caucasus are AS (M49 145 Western Asia), Egypt AF, Mexico and Panama NA, Greenland NA. The one override
  is RU -> EU: M49 files the whole Russian Federation under Eastern Europe (151) although the dataset splits
  it into European and (larger) Asian Russia.
- Names: English name, the dataset's aliases, the names/aliases/codes of sub-features that roll up to the
  country (England -> GB, Hawaii -> US, Canary Islands -> ES, ...), plus the curated EXTRA_ALIASES below.
  Stored raw; the C# loader normalises them (case, spaces, punctuation, accents, and/the/of).

Binary format (version 1). The whole file is one zlib stream (RFC 1950, .NET ZLibStream); inside it,
little-endian, `varint` = unsigned LEB128, `zigzag` = signed varint with zigzag encoding,
`str` = varint byte length + UTF-8 bytes:
    magic   4 bytes  b"CCGB"
    version varint   1
    scale   varint   coordinate quantum per degree (100000: 1e-5 degree, about 1 m)
    count   varint   number of countries
    per country, in alpha-2 order:
        alpha2 str, alpha3 str (may be empty), name str, continent str,
        aliasCount varint, aliases str * aliasCount,
        polygonCount varint, per polygon:
            ringCount varint (first ring is the shell, the rest are holes), per ring:
                pointCount varint (closing point omitted), then pointCount pairs
                (zigzag dLon, zigzag dLat) of quantised degrees, each delta from the previous point
                in the file (the running position starts at 0,0 and never resets).
Rings are split at the antimeridian in the source (no edge spans more than 180 degrees of longitude, except
Antarctica's box from -180 to 180), so a planar point-in-polygon test is correct; the script checks that.
"""
import json
import math
import struct
import sys
import zlib
from pathlib import Path

SCALE = 100_000
LEVELS = ['subterritory', 'territory', 'subcountryGroup', 'country', 'sharedLandform', 'intermediateRegion',
          'subregion', 'region', 'subunion', 'union', 'unitedNations', 'world']
TERRITORY = LEVELS.index('territory')
ISO_STATUSES = ('official', 'usrAssn')
NAME_LEVELS = ('subterritory', 'territory', 'country')   # features whose names may name a country
M49_CONTINENT = [('002', 'AF'), ('150', 'EU'), ('142', 'AS'), ('009', 'OC'), ('005', 'SA'),
                 ('021', 'NA'), ('013', 'NA'), ('029', 'NA')]
CONTINENT_OVERRIDES = {'AQ': 'AN', 'RU': 'EU'}
EXTRA_ALIASES = {
    'US': ['United States', 'America', 'United States America', 'U.S.', 'U.S.A.'],
    'GB': ['Great Britain', 'Britain', 'United Kingdom of Great Britain and Northern Ireland', 'U.K.'],
    'RU': ['Russian Federation'],
    'KR': ['Korea', 'Republic of Korea', 'Korea Republic', 'Korea South'],
    'KP': ["Democratic People's Republic of Korea", 'DPRK', 'Korea DPR', 'Korea North'],
    'CZ': ['Czech Republic'],
    'CI': ['Ivory Coast', "Cote d'Ivoire"],
    'CN': ['China', 'PRC'],
    'TW': ['Republic of China', 'Chinese Taipei'],
    'IE': ['Ireland', 'Eire'],
    'CY': ['Cyprus'],
    'NL': ['Netherlands', 'Holland'],
    'DK': ['Denmark'],
    'VN': ['Viet Nam'],
    'LA': ['Lao PDR', "Lao People's Democratic Republic"],
    'SY': ['Syrian Arab Republic'],
    'IR': ['Islamic Republic of Iran', 'Persia'],
    'MK': ['Macedonia', 'Republic of North Macedonia'],
    'CV': ['Cabo Verde'],
    'CD': ['DR Congo', 'DRC', 'Congo-Kinshasa', 'Congo Kinshasa', 'Zaire'],
    'CG': ['Congo', 'Congo-Brazzaville', 'Congo Brazzaville'],
    'AE': ['UAE', 'Emirates', 'U.A.E.'],
    'TR': ['Turkiye', 'Türkiye', 'Republic of Turkey'],
    'BN': ['Brunei Darussalam'],
    'VA': ['Vatican', 'Holy See (Vatican City State)'],
    'PS': ['State of Palestine', 'Palestinian Territories'],
    'FM': ['Micronesia'],
    'BO': ['Plurinational State of Bolivia'],
    'VE': ['Bolivarian Republic of Venezuela'],
    'TZ': ['United Republic of Tanzania'],
    'MD': ['Republic of Moldova'],
    'BA': ['Bosnia', 'Bosnia-Herzegovina'],
    'TT': ['Trinidad'],
    'FK': ['Falklands', 'Falkland Islands (Malvinas)', 'Malvinas'],
    'JE': ['Jersey'],
    'GG': ['Guernsey'],
    'MO': ['Macao SAR', 'Macau SAR'],
    'HK': ['Hong Kong SAR'],
    'SZ': ['Kingdom of Eswatini'],
    'MM': ['Republic of the Union of Myanmar'],
    'DE': ['Federal Republic of Germany', 'Deutschland'],
    'FR': ['French Republic'],
    'ES': ['Espana', 'España', 'Kingdom of Spain'],
    'IT': ['Italia'],
    'CH': ['Swiss Confederation', 'Schweiz', 'Suisse'],
    'AT': ['Österreich', 'Osterreich'],
    'MX': ['Mexico', 'México', 'United Mexican States'],
    'BR': ['Brasil'],
    'JP': ['Nippon', 'Nihon'],
    'IN': ['Republic of India', 'Bharat'],
    'SA': ['KSA', 'Kingdom of Saudi Arabia'],
    'PH': ['Republic of the Philippines'],
    'ZA': ['Republic of South Africa', 'RSA'],
    'NZ': ['Aotearoa'],
    'AU': ['Commonwealth of Australia'],
    'TL': ['Timor Leste'],
    'GM': ['Gambia'],
    'BS': ['Bahamas'],
    'SX': ['St. Maarten'],
    'MF': ['St. Martin'],
    'BL': ['St. Barthelemy', 'St. Barts', 'Saint Barts'],
    'PM': ['St. Pierre and Miquelon'],
    'SH': ['Saint Helena'],
}


def fail(message):
    sys.exit(f'build_geo_data: {message}')


def varint(out, value):
    if value < 0:
        fail(f'negative varint {value}')
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return


def zigzag(out, value):
    varint(out, (value << 1) if value >= 0 else ((-value << 1) - 1))


def string(out, text):
    data = text.encode('utf-8')
    varint(out, len(data))
    out.extend(data)


def derive(features):
    """Adds id/level/isoStatus/groups the way country-coder's loadDerivedDataAndCaches does."""
    by_code = {}
    for f in features:
        p = f['properties']
        if not p.get('m49') and p.get('iso1N3'):
            p['m49'] = p['iso1N3']
        p['id'] = p.get('iso1A2') or p.get('m49') or p['wikidata']
        if not p.get('isoStatus') and p.get('iso1A2'):
            p['isoStatus'] = 'official'
        if not p.get('level'):
            if not p.get('country'):
                p['level'] = 'country'
            elif not p.get('iso1A2') or p['isoStatus'] == 'official':
                p['level'] = 'territory'
            else:
                p['level'] = 'subterritory'
        groups = list(p.get('groups') or [])
        if f['geometry'] and p.get('country'):
            groups.append(p['country'])
        if p.get('m49') != '001':
            groups.append('001')
        p['groups'] = groups
        for key in ('iso1A2', 'iso1A3', 'm49', 'wikidata', 'nameEn'):
            if p.get(key):
                by_code[p[key]] = f
        for alias in p.get('aliases') or []:
            by_code[alias] = f
    for f in features:
        p = f['properties']
        p['groups'] = [by_code[g]['properties']['id'] for g in p['groups']]
    by_id = {f['properties']['id']: f for f in features}
    for f in features:
        # JS sort is stable, like Python's.
        f['properties']['groups'].sort(key=lambda g: LEVELS.index(by_id[g]['properties']['level']))
    return by_id


def resolve_code(feature, by_id):
    """country-coder's territory-level walk, restricted to ISO-assigned codes."""
    for f in [feature] + [by_id[g] for g in feature['properties']['groups']]:
        p = f['properties']
        if LEVELS.index(p['level']) >= TERRITORY and p.get('iso1A2') and p.get('isoStatus') in ISO_STATUSES:
            return p['iso1A2']
    return None


def ring_area(ring):
    # Planar shoelace in degrees, scaled by cos(latitude): only used to rank a country's parts.
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        total += (x1 * y2 - x2 * y1) * math.cos(math.radians((y1 + y2) / 2))
    return abs(total) / 2


def continent_of(groups):
    for code, continent in M49_CONTINENT:
        if code in groups:
            return continent
    return None


def main():
    if len(sys.argv) not in (2, 3):
        fail('usage: build_geo_data.py BORDERS_JSON [OUTPUT_BIN]')
    source = Path(sys.argv[1])
    repo = Path(__file__).resolve().parents[2]
    target = Path(sys.argv[2]) if len(sys.argv) == 3 else repo / 'functions/Ecommerce.Pipeline.Core/Geo/Data/countries.bin'
    features = json.loads(source.read_text(encoding='utf-8'))['features']
    by_id = derive(features)

    countries = {}
    for f in features:
        p = f['properties']
        if p.get('iso1A2') and p['isoStatus'] in ISO_STATUSES and p['level'] in ('country', 'territory', 'region'):
            countries[p['iso1A2']] = {'alpha2': p['iso1A2'], 'alpha3': p.get('iso1A3') or '', 'name': p['nameEn'],
                                      'aliases': [], 'polygons': [], 'areas': {}, 'groups': p['groups']}

    dropped = []
    for f in features:
        p = f['properties']
        code = resolve_code(f, by_id)
        if code is None or code not in countries:
            if f['geometry']:
                dropped.append(p['nameEn'])
            continue
        country = countries[code]
        if p['level'] in NAME_LEVELS:
            names = [p['nameEn']] + list(p.get('aliases') or [])
            if p.get('iso1A2') != code:
                names += [p[k] for k in ('iso1A2', 'iso1A3') if p.get(k)]
            country['aliases'].extend(names)
        if not f['geometry']:
            continue
        if f['geometry']['type'] != 'MultiPolygon':
            fail(f"{p['nameEn']}: unexpected geometry {f['geometry']['type']}")
        continent = continent_of(p['groups'])
        for polygon in f['geometry']['coordinates']:
            rings = []
            for ring in polygon:
                if ring[0] != ring[-1] or len(ring) < 4:
                    fail(f"{p['nameEn']}: ring not closed")
                for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
                    # Antarctica is a plain box from -180 to 180; anything else spanning > 180 degrees would
                    # be a ring meant to wrap round the antimeridian, which a planar lookup gets wrong.
                    if abs(x2 - x1) > 180 and not (abs(x1) == 180 and abs(x2) == 180):
                        fail(f"{p['nameEn']}: edge crosses the antimeridian")
                    if not (-180 <= x1 <= 180 and -90 <= y1 <= 90):
                        fail(f"{p['nameEn']}: coordinate out of range")
                rings.append(ring[:-1])
            country['polygons'].append(rings)
            if continent:
                country['areas'][continent] = country['areas'].get(continent, 0.0) + ring_area(polygon[0])

    for code, names in EXTRA_ALIASES.items():
        countries[code]['aliases'].extend(names)
    for country in countries.values():
        # "St. Lucia" is also written "Saint Lucia".
        for name in [country['name']] + country['aliases']:
            if name.startswith('St. '):
                country['aliases'].append('Saint ' + name[4:])
        # Numeric M49 aliases (e.g. Wake Island's 872) would make a bare number a place: drop them.
        seen = {country['alpha2'], country['alpha3'], country['name']}
        country['aliases'] = [a for a in country['aliases'] if not a.isdigit()]
        country['aliases'] = [a for a in country['aliases'] if not (a in seen or seen.add(a))]
        if country['alpha2'] in CONTINENT_OVERRIDES:
            country['continent'] = CONTINENT_OVERRIDES[country['alpha2']]
        elif country['areas']:
            country['continent'] = max(country['areas'].items(), key=lambda kv: kv[1])[0]
        else:
            country['continent'] = continent_of(country['groups'])
        if not country['continent']:
            fail(f"{country['alpha2']}: no continent")

    out = bytearray(b'CCGB')
    varint(out, 1)
    varint(out, SCALE)
    varint(out, len(countries))
    last_x = last_y = 0
    points = 0
    for code in sorted(countries):
        c = countries[code]
        for text in (c['alpha2'], c['alpha3'], c['name'], c['continent']):
            string(out, text)
        varint(out, len(c['aliases']))
        for alias in c['aliases']:
            string(out, alias)
        varint(out, len(c['polygons']))
        for rings in c['polygons']:
            varint(out, len(rings))
            for ring in rings:
                varint(out, len(ring))
                points += len(ring)
                for lon, lat in ring:
                    x, y = round(lon * SCALE), round(lat * SCALE)
                    zigzag(out, x - last_x)
                    zigzag(out, y - last_y)
                    last_x, last_y = x, y
    packed = zlib.compress(bytes(out), 9)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(packed)
    without = sum(1 for c in countries.values() if not c['polygons'])
    print(f'{target}: {len(packed)} bytes ({len(out)} raw), {len(countries)} countries '
          f'({without} without borders), {points} points; dropped (no ISO code): {", ".join(dropped) or "none"}')


if __name__ == '__main__':
    main()
