using System.Globalization;
using System.Net;
using System.Text;
using Simulator.Advisor;

namespace Simulator.Reports;

/// <summary>
/// One self-contained HTML file per run: the policy table, the trade-off chart, each policy's hourly time series
/// (refreshes, grace replays, logouts, detections) and the advisor's Pareto front — inline CSS, inline SVG and a few
/// lines of inline script (click a row to highlight its policy everywhere), nothing fetched at view time. The charts
/// are hand-written SVG: ScottPlot (the well-kept .NET plotting library on the feed) draws through SkiaSharp's
/// native library into raster or static images, which would add a native dependency to a command-line tool for
/// charts that are a few dozen lines of SVG with hover titles here.
/// </summary>
internal static class HtmlReport
{
    private static readonly string[] SeriesColours = ["#1f77b4", "#2ca02c", "#d62728", "#9467bd"];
    private static readonly string[] SeriesNames = ["refreshes", "grace replays", "logouts", "detections"];

    public static string Render(ComparisonReport? comparison, AdviceReport? advice)
    {
        var html = new StringBuilder();
        var title = comparison is not null ? $"Simulator: {comparison.Scenario}, seed {comparison.Seed}" : $"Simulator advisor: {advice!.Scenario}, seed {advice.Seed}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title>\n");
        html.Append("""
            <style>
            body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
            table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
            th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: right; }
            th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
            tr.policy { cursor: pointer; }
            tr.selected, g.selected rect.frame { background: #fff3c4; fill: #fff3c4; }
            .series { display: flex; flex-wrap: wrap; gap: 12px; }
            .legend span { margin-right: 14px; font-size: 13px; }
            h2 { margin-top: 32px; }
            </style>

            """);
        html.Append("</head>\n<body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(title)}</h1>\n");
        if (comparison is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{E(comparison.Description)}<br>{E(string.Create(CultureInfo.InvariantCulture, $"{comparison.Users:N0} users, {comparison.DurationDays:0.###} days, store {comparison.Store}, {comparison.ServerRequests:N0} requests simulated"))}<br><code>{E(comparison.Options)}</code></p>\n");
            PolicyTable(html, comparison);
            html.Append("<h2>Trade-off</h2>\n<div id=\"tradeoff\">\n").Append(TradeOffChart.Render(comparison)).Append("</div>\n");
            TimeSeries(html, comparison);
        }

        if (advice is not null)
        {
            Advice(html, advice);
        }
        else if (comparison is not null)
        {
            // The default command's front: the Pareto front among the policies and peers it compared.
            var points = comparison.Policies.Select(p => new TradeOffPoint(p.Policy, p.Settings, 0, 0, null, false, p.FalseLogoutsPer1000UserDays, p.AttackerAccessMinutesPerTheft, p.DetectionDelayMedianSeconds)).ToList();
            Front(html, "Pareto front of the compared policies", ParetoFront.Of(points), points);
        }

        html.Append("""
            <script>
            (function () {
              function select(name) {
                document.querySelectorAll('[data-policy]').forEach(function (e) {
                  e.classList.toggle('selected', e.getAttribute('data-policy') === name);
                });
              }
              document.querySelectorAll('tr.policy').forEach(function (row) {
                row.addEventListener('click', function () { select(row.getAttribute('data-policy')); });
              });
              document.body.setAttribute('data-ready', document.querySelectorAll('svg').length.toString());
            })();
            </script>

            """);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void PolicyTable(StringBuilder html, ComparisonReport report)
    {
        html.Append("<h2>Policies</h2>\n<table id=\"policies\">\n<thead><tr><th>policy</th><th>settings</th><th>refreshes</th><th>success</th><th>false logouts / 1k user-days</th><th>thefts</th><th>detected</th><th>delay p50</th><th>delay p95</th><th>thief access</th><th>grace replays</th><th>store ops</th></tr></thead>\n<tbody>\n");
        foreach (var p in report.Policies)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr class=\"policy\" data-policy=\"{E(p.Policy)}\"><td>{E(p.Policy)}</td><td>{E(p.Settings)}</td><td>{p.HonestRefreshes:N0}</td><td>{p.SuccessRate * 100:0.000}%</td><td>{p.FalseLogoutsPer1000UserDays:0.00}</td><td>{p.Thefts:N0}</td><td>{p.TheftsDetected:N0}</td><td>{E(ReportWriter.Seconds(p.DetectionDelayMedianSeconds))}</td><td>{E(ReportWriter.Seconds(p.DetectionDelayP95Seconds))}</td><td>{p.AttackerAccessHours:0.0} h</td><td>{p.GraceReplays:N0}</td><td>{p.StoreOperations:N0}</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static void TimeSeries(StringBuilder html, ComparisonReport report)
    {
        html.Append("<h2>Per hour</h2>\n<p class=\"legend\">");
        for (var s = 0; s < SeriesNames.Length; s++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<span style=\"color:{SeriesColours[s]}\">&#9632; {SeriesNames[s]}</span>");
        }

        html.Append("(each on its own scale: the figure at the top right of a chart is its largest hourly count)</p>\n<div class=\"series\">\n");
        foreach (var p in report.Policies)
        {
            html.Append(SeriesChart(p));
        }

        html.Append("</div>\n");
    }

    /// <summary>One policy's four hourly series as lines, each scaled to its own maximum.</summary>
    private static string SeriesChart(PolicyReport policy)
    {
        const int width = 300, height = 150, left = 8, right = 8, top = 22, bottom = 18;
        var hourly = policy.Hourly;
        IReadOnlyList<int>[] series = hourly is null ? [[], [], [], []] : [hourly.Refreshes, hourly.GraceReplays, hourly.Logouts, hourly.Detections];
        var hours = Math.Max(1, series[0].Count);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"hourly\" data-policy=\"{E(policy.Policy)}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<g data-policy=\"{E(policy.Policy)}\"><rect class=\"frame\" x=\"0.5\" y=\"0.5\" width=\"{width - 1}\" height=\"{height - 1}\" fill=\"white\" stroke=\"#ccc\"/></g>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"14\" font-weight=\"bold\">{E(policy.Policy)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 5}\" fill=\"#777\">hour 0</text><text x=\"{width - right}\" y=\"{height - 5}\" text-anchor=\"end\" fill=\"#777\">hour {hours}</text>");
        var maxima = new List<string>();
        for (var s = 0; s < series.Length; s++)
        {
            var values = series[s];
            var max = values.Count == 0 ? 0 : values.Max();
            maxima.Add(max.ToString("N0", CultureInfo.InvariantCulture));
            if (values.Count == 0)
            {
                continue;
            }

            var points = new StringBuilder();
            for (var h = 0; h < values.Count; h++)
            {
                var x = left + (values.Count == 1 ? 0 : (double)h / (values.Count - 1) * (width - left - right));
                var y = top + (height - top - bottom) * (1 - (max == 0 ? 0 : (double)values[h] / max));
                points.Append(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#} ");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series-{s}\" fill=\"none\" stroke=\"{SeriesColours[s]}\" stroke-width=\"1.5\" points=\"{points.ToString().TrimEnd()}\"><title>{E($"{SeriesNames[s]} per hour, at most {max:N0}")}</title></polyline>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right}\" y=\"14\" text-anchor=\"end\" fill=\"#555\">max {E(string.Join(" / ", maxima))}</text>");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Advice(StringBuilder html, AdviceReport advice)
    {
        html.Append(CultureInfo.InvariantCulture, $"<p>{E(string.Create(CultureInfo.InvariantCulture, $"{advice.Points.Count} policies on {advice.Users:N0} users for {advice.DurationDays:0.###} days; target {advice.MaxFalseLogoutsPer1000UserDays} false logouts per 1,000 user-days"))}<br><code>{E(advice.Replay)}</code></p>\n");
        foreach (var (label, point) in new[] { ("recommended", advice.Recommended), ("recommended without binding", advice.RecommendedUnbound) })
        {
            html.Append(CultureInfo.InvariantCulture, $"<p id=\"{(label == "recommended" ? "recommended" : "recommended-unbound")}\"><b>{E(label)}:</b> {E(point is null ? "no policy of the grid meets the target" : $"{point.Policy} ({point.Settings})")}</p>\n");
        }

        Front(html, "Advisor: Pareto front", advice.Front, advice.Points);
    }

    /// <summary>The front as a table and a scatter chart of every point (front points filled).</summary>
    private static void Front(StringBuilder html, string heading, IReadOnlyList<TradeOffPoint> front, IReadOnlyList<TradeOffPoint> all)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(heading)}</h2>\n<table id=\"front\">\n<thead><tr><th>policy</th><th>settings</th><th>false logouts / 1k user-days</th><th>thief access per theft</th><th>detection delay p50</th></tr></thead>\n<tbody>\n");
        foreach (var p in front)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr class=\"policy\" data-policy=\"{E(p.Policy)}\"><td>{E(p.Policy)}</td><td>{E(p.Settings)}</td><td>{p.FalseLogoutsPer1000UserDays:0.00}</td><td>{p.ThiefAccessMinutesPerTheft:0.0} min</td><td>{E(ReportWriter.Seconds(p.DetectionDelayMedianSeconds))}</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
        const int width = 640, height = 360, left = 70, right = 20, top = 20, bottom = 50;
        var xMax = Math.Max(1, all.Count == 0 ? 1 : all.Max(p => p.ThiefAccessMinutesPerTheft)) * 1.05;
        var decades = Math.Max(1, (int)Math.Ceiling(Math.Log10(1 + (all.Count == 0 ? 1 : all.Max(p => p.FalseLogoutsPer1000UserDays)))));
        double Px(double x) => left + x / xMax * (width - left - right);
        double Py(double y) => top + (height - top - bottom) * (1 - Math.Log10(1 + y) / decades);
        html.Append(CultureInfo.InvariantCulture, $"<svg id=\"front-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">");
        html.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{width - left - right}\" height=\"{height - top - bottom}\" fill=\"white\" stroke=\"#333\"/>");
        for (var d = 0; d <= decades; d++)
        {
            var y = d == 0 ? 0 : Math.Pow(10, d) - 1;
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{Py(y) + 4:0.#}\" text-anchor=\"end\">{(d == 0 ? "0" : Math.Pow(10, d).ToString("N0", CultureInfo.InvariantCulture))}</text>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height - 28}\">0</text><text x=\"{width - right}\" y=\"{height - 28}\" text-anchor=\"end\">{xMax:0} min</text>");
        html.Append(CultureInfo.InvariantCulture, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 10}\" text-anchor=\"middle\">thief access per theft (minutes)</text>");
        html.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16 {(top + height - bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">false logouts / 1k user-days (log)</text>");
        var onFront = front.Select(p => p.Policy).ToHashSet(StringComparer.Ordinal);
        foreach (var p in all)
        {
            var filled = onFront.Contains(p.Policy);
            html.Append(CultureInfo.InvariantCulture,
                $"<circle class=\"{(filled ? "front" : "dominated")}\" data-policy=\"{E(p.Policy)}\" cx=\"{Px(p.ThiefAccessMinutesPerTheft):0.#}\" cy=\"{Py(p.FalseLogoutsPer1000UserDays):0.#}\" r=\"{(filled ? 5 : 3.5)}\" fill=\"{(filled ? "#d62728" : "none")}\" stroke=\"{(filled ? "#d62728" : "#888")}\"><title>{E($"{p.Policy}: {p.FalseLogoutsPer1000UserDays:0.00} false logouts, {p.ThiefAccessMinutesPerTheft:0.0} min per theft, detection {ReportWriter.Seconds(p.DetectionDelayMedianSeconds)}")}</title></circle>");
        }

        html.Append("</svg>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
