// Writes tests/Ecommerce.Pipeline.Core.Tests/Geo/reference_points.csv: points with the code country-coder itself
// gives them, so the C# reverse geocoder is checked against the library whose borders it embeds.
// Usage (any scratch directory):
//   npm install @rapideditor/country-coder@5.6.1
//   node /path/to/repo/tools/geo/make_reference_points.js /path/to/repo/tests/Ecommerce.Pipeline.Core.Tests/Geo/reference_points.csv
// Codes are country-coder's iso1A2Code(loc, {level: 'territory'}), with EA (Ceuta/Melilla, not an ISO-assigned
// code) rolled up to ES as build_geo_data.py does. Deterministic: a fixed-seed generator.
'use strict';
const path = require('path');
const fs = require('fs');
const cc = require(require.resolve('@rapideditor/country-coder', { paths: [process.cwd()] }));

const target = process.argv[2];
if (!target) {
  console.error('usage: node make_reference_points.js OUTPUT.csv');
  process.exit(2);
}

let seed = 20240611;
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const round = (v) => Math.round(v * 1e5) / 1e5;

const vertices = [];
for (const f of cc.borders.features) {
  if (!f.geometry) continue;
  for (const polygon of f.geometry.coordinates) for (const ring of polygon) for (const p of ring) vertices.push(p);
}

const points = [];
// Uniform over the sphere: mostly sea and large interiors.
for (let i = 0; i < 500; i++) {
  points.push([round(Math.asin(2 * random() - 1) * 180 / Math.PI), round(random() * 360 - 180)]);
}
// Within ~0.3 degree of a border vertex: coasts and land borders, where the polygon test runs.
while (points.length < 1500) {
  const v = vertices[Math.floor(random() * vertices.length)];
  let lon = v[0] + (random() - 0.5) * 0.6;
  const lat = v[1] + (random() - 0.5) * 0.6;
  if (lon > 180) lon -= 360;
  if (lon < -180) lon += 360;
  if (lat > 90 || lat < -90) continue;
  points.push([round(lat), round(lon)]);
}

const lines = ['latitude,longitude,country'];
for (const [lat, lon] of points) {
  let code = cc.iso1A2Code([lon, lat], { level: 'territory' });
  if (code === 'EA') code = 'ES';
  lines.push(`${lat},${lon},${code || ''}`);
}
fs.writeFileSync(path.resolve(target), lines.join('\n') + '\n');
console.log(`${target}: ${points.length} points`);
