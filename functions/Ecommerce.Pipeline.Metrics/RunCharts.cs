using System.Globalization;
using System.Net;
using System.Text;

namespace Ecommerce.Pipeline.Metrics;

/// <summary>One observation of a run: cumulative counters, the group's lag, and the latency of the last interval.</summary>
/// <param name="At">When it was taken.</param>
/// <param name="Consumed">Messages consumed so far.</param>
/// <param name="Stored">Rows stored so far.</param>
/// <param name="DeadLetters">Dead letters so far.</param>
/// <param name="Lag">Total consumer lag, or −1 when unknown.</param>
/// <param name="P50Ms">End-to-end latency p50 of the interval, in ms, if any row was stored.</param>
/// <param name="P99Ms">End-to-end latency p99 of the interval, in ms, if any row was stored.</param>
public sealed record RunSample(DateTimeOffset At, long Consumed, long Stored, long DeadLetters, long Lag, double? P50Ms, double? P99Ms);

/// <summary>
/// The key charts of a local run (throughput, lag, latency over time) as one self-contained HTML page: where Grafana
/// is not at hand, <c>pipeline dev</c> still leaves something to look at next to the warehouse. No external scripts
/// or styles, so it opens offline; a few lines of inline script draw the SVG charts from the embedded samples.
/// </summary>
public sealed class RunCharts
{
    private readonly Lock _gate = new();
    private readonly List<RunSample> _samples = [];

    public void Add(RunSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        lock (_gate)
        {
            _samples.Add(sample);
        }
    }

    public IReadOnlyList<RunSample> Samples
    {
        get
        {
            lock (_gate)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Writes the page; the directory must exist.</summary>
    public void WriteHtml(string path, string title) => File.WriteAllText(path, ToHtml(title), Encoding.UTF8);

    public string ToHtml(string title)
    {
        var samples = Samples;
        var inv = CultureInfo.InvariantCulture;
        var data = new StringBuilder("[");
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            data.Append(inv, $"{(i == 0 ? string.Empty : ",")}{{\"t\":{s.At.ToUnixTimeMilliseconds()},\"c\":{s.Consumed},\"s\":{s.Stored},")
                .Append(inv, $"\"d\":{s.DeadLetters},\"l\":{(s.Lag < 0 ? "null" : s.Lag.ToString(inv))},")
                .Append(inv, $"\"p50\":{Num(s.P50Ms)},\"p99\":{Num(s.P99Ms)}}}");
        }

        data.Append(']');
        var encodedTitle = WebUtility.HtmlEncode(title);
        return Template.Replace("{{TITLE}}", encodedTitle, StringComparison.Ordinal)
            .Replace("{{DATA}}", data.ToString(), StringComparison.Ordinal);

        static string Num(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.###", CultureInfo.InvariantCulture) : "null";
    }

    // Each chart: an <svg> the script fills with one <polyline data-series=.. data-points=N> per series.
    private const string Template = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>{{TITLE}}</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
          h1 { font-size: 1.3rem; } h2 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
          svg { background: #fafafa; border: 1px solid #ddd; }
          .legend span { margin-right: 1rem; } .axis { font-size: 11px; fill: #666; }
        </style>
        </head>
        <body>
        <h1>{{TITLE}}</h1>
        <p id="summary"></p>
        <div class="chart" id="throughput"><h2>Throughput (messages/s)</h2></div>
        <div class="chart" id="lag"><h2>Consumer lag (messages)</h2></div>
        <div class="chart" id="latency"><h2>End-to-end latency (ms)</h2></div>
        <script type="application/json" id="run-data">{{DATA}}</script>
        <script>
        (function () {
          const d = JSON.parse(document.getElementById('run-data').textContent);
          const W = 900, H = 220, P = 40;
          function rate(key) {
            const out = [];
            for (let i = 1; i < d.length; i++) {
              const dt = (d[i].t - d[i - 1].t) / 1000;
              if (dt > 0) out.push([d[i].t, (d[i][key] - d[i - 1][key]) / dt]);
            }
            return out;
          }
          function raw(key) { return d.filter(s => s[key] !== null).map(s => [s.t, s[key]]); }
          function chart(id, series) {
            const all = series.flatMap(s => s.points);
            const host = document.getElementById(id);
            const ns = 'http://www.w3.org/2000/svg';
            const svg = document.createElementNS(ns, 'svg');
            svg.setAttribute('width', W); svg.setAttribute('height', H);
            host.appendChild(svg);
            const legend = document.createElement('div'); legend.className = 'legend'; host.appendChild(legend);
            if (all.length === 0) { legend.textContent = 'no data'; return; }
            const t0 = Math.min(...all.map(p => p[0])), t1 = Math.max(...all.map(p => p[0]));
            const vmax = Math.max(1, ...all.map(p => p[1]));
            const x = t => P + (t1 > t0 ? (t - t0) / (t1 - t0) : 0) * (W - 2 * P);
            const y = v => H - P + 10 - (v / vmax) * (H - 2 * P);
            const label = (text, lx, ly) => {
              const e = document.createElementNS(ns, 'text'); e.setAttribute('x', lx); e.setAttribute('y', ly);
              e.setAttribute('class', 'axis'); e.textContent = text; svg.appendChild(e);
            };
            label(vmax.toFixed(vmax < 10 ? 1 : 0), 2, P - 5); label('0', 2, H - P + 10);
            label(((t1 - t0) / 1000).toFixed(0) + ' s', W - P, H - 5);
            for (const s of series) {
              const line = document.createElementNS(ns, 'polyline');
              line.setAttribute('fill', 'none'); line.setAttribute('stroke', s.color); line.setAttribute('stroke-width', '2');
              line.setAttribute('points', s.points.map(p => x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1)).join(' '));
              line.setAttribute('data-series', s.name); line.setAttribute('data-points', s.points.length);
              svg.appendChild(line);
              const key = document.createElement('span'); key.style.color = s.color; key.textContent = '\u25A0 ' + s.name;
              legend.appendChild(key);
            }
          }
          chart('throughput', [{ name: 'consumed', color: '#1f77b4', points: rate('c') },
                               { name: 'stored', color: '#2ca02c', points: rate('s') },
                               { name: 'dead letters', color: '#d62728', points: rate('d') }]);
          chart('lag', [{ name: 'total lag', color: '#ff7f0e', points: raw('l') }]);
          chart('latency', [{ name: 'p50', color: '#2ca02c', points: raw('p50') },
                            { name: 'p99', color: '#9467bd', points: raw('p99') }]);
          const last = d[d.length - 1];
          document.getElementById('summary').textContent = last
            ? `${d.length} samples over ${((last.t - d[0].t) / 1000).toFixed(0)} s: consumed ${last.c}, stored ${last.s}, dead letters ${last.d}.`
            : 'No samples.';
        })();
        </script>
        </body>
        </html>
        """;
}
