using System.Globalization;
using System.Net;
using System.Text;

namespace Simulator.Reports;

/// <summary>
/// An SVG scatter chart of the trade-off, one point per policy: false logouts per 1,000 user-days (what the
/// policy costs honest users) against attacker access per theft (what it leaves to thieves). Lower-left is better.
/// </summary>
internal static class TradeOffChart
{
    private const int Width = 860;
    private const int Left = 90;
    private const int Right = 40;
    private const int Top = 60;
    private const int PlotHeight = 330;
    private const int LegendLine = 17;

    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

    public static string Render(ComparisonReport report)
    {
        var points = report.Policies.Select(p => (p.Policy, p.Settings, X: p.AttackerAccessMinutesPerTheft, Y: p.FalseLogoutsPer1000UserDays)).ToList();
        var xMax = NiceCeiling(points.Count == 0 ? 1 : points.Max(p => p.X));

        // False logouts span orders of magnitude between strict and generous policies: a log scale (of 1 + y)
        // keeps every point readable, with 0 at the bottom.
        var decades = Math.Max(1, (int)Math.Ceiling(Math.Log10(1 + (points.Count == 0 ? 1 : points.Max(p => p.Y)))));
        const int plotWidth = Width - Left - Right;
        var height = Top + PlotHeight + 70 + points.Count * LegendLine + 10;
        double Px(double x) => Left + x / xMax * plotWidth;
        double Py(double y) => Top + PlotHeight - Math.Log10(1 + Math.Max(0, y)) / decades * PlotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"Helvetica, Arial, sans-serif\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"26\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">{Escape($"{report.Scenario}: honest users' cost against thieves' gain")}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"46\" text-anchor=\"middle\" font-size=\"12\" fill=\"#555\">{Escape(string.Create(CultureInfo.InvariantCulture, $"seed {report.Seed}, {report.Users:N0} users, {report.DurationDays:0.##} days, {report.Store} store; lower left is better"))}</text>\n");

        for (var i = 0; i <= 5; i++)
        {
            var xv = xMax * i / 5;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Px(xv):0.#}\" y1=\"{Top}\" x2=\"{Px(xv):0.#}\" y2=\"{Top + PlotHeight}\" stroke=\"#e5e5e5\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv):0.#}\" y=\"{Top + PlotHeight + 18}\" text-anchor=\"middle\" font-size=\"12\">{Tick(xv)}</text>\n");
        }

        for (var d = 0; d <= decades; d++)
        {
            var yv = d == 0 ? 0 : Math.Pow(10, d) - 1;
            var label = d == 0 ? "0" : Math.Pow(10, d).ToString("N0", CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Py(yv):0.#}\" x2=\"{Left + plotWidth}\" y2=\"{Py(yv):0.#}\" stroke=\"#e5e5e5\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{Py(yv) + 4:0.#}\" text-anchor=\"end\" font-size=\"12\">{label}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth / 2}\" y=\"{Top + PlotHeight + 42}\" text-anchor=\"middle\" font-size=\"13\">attacker access per theft (minutes with a working token)</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(24 {Top + PlotHeight / 2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">false logouts per 1,000 user-days (log scale)</text>\n");

        // Labels: beside each point, moved down until they overlap no earlier label.
        var placed = new List<(double X1, double X2, double Y)>();
        for (var i = 0; i < points.Count; i++)
        {
            var (name, settings, x, y) = points[i];
            var colour = Colours[i % Colours.Length];
            var px = Px(x);
            var py = Py(y);
            var textWidth = name.Length * 8.3;
            var toLeft = px > Left + plotWidth * 0.65;
            var x1 = toLeft ? px - 10 - textWidth : px + 10;
            var ly = py + 4;
            while (placed.Any(b => Math.Abs(b.Y - ly) < 15 && x1 < b.X2 && b.X1 < x1 + textWidth))
            {
                ly += 15;
            }

            placed.Add((x1, x1 + textWidth, ly));
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{px:0.#}\" cy=\"{py:0.#}\" r=\"7\" fill=\"{colour}\" fill-opacity=\"0.85\" stroke=\"#222\"><title>{Escape($"{name}: {settings}")}</title></circle>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x1:0.#}\" y=\"{ly:0.#}\" font-size=\"13\" font-weight=\"bold\" fill=\"{colour}\">{Escape(name)}</text>\n");
        }

        // Legend under the chart: the settings and the two numbers behind each point.
        for (var i = 0; i < points.Count; i++)
        {
            var y = Top + PlotHeight + 70 + i * LegendLine;
            var (name, settings, x, yValue) = points[i];
            var line = string.Create(CultureInfo.InvariantCulture, $"{name} ({settings}): {yValue:0.##} false logouts per 1,000 user-days, {x:0.#} min of access per theft");
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Left + 5}\" cy=\"{y - 4}\" r=\"5\" fill=\"{Colours[i % Colours.Length]}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 16}\" y=\"{y}\" font-size=\"11\">{Escape(line)}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Tick(double value) => value >= 100 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The smallest of 1, 2, 2.5, 5 × 10^k at or above <paramref name="value"/> (and above zero).</summary>
    public static double NiceCeiling(double value)
    {
        if (value <= 0 || double.IsNaN(value))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= value * 1.05)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }
}
