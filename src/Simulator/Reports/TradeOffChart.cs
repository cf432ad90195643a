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
    private const int Width = 760;
    private const int Height = 480;
    private const int Left = 90;
    private const int Right = 40;
    private const int Top = 60;
    private const int Bottom = 70;

    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

    public static string Render(ComparisonReport report)
    {
        var points = report.Policies.Select(p => (p.Policy, p.Settings, X: p.AttackerAccessMinutesPerTheft, Y: p.FalseLogoutsPer1000UserDays)).ToList();
        var xMax = NiceCeiling(points.Count == 0 ? 1 : points.Max(p => p.X));
        var yMax = NiceCeiling(points.Count == 0 ? 1 : points.Max(p => p.Y));
        const int plotWidth = Width - Left - Right;
        const int plotHeight = Height - Top - Bottom;
        double Px(double x) => Left + x / xMax * plotWidth;
        double Py(double y) => Top + plotHeight - y / yMax * plotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"Helvetica, Arial, sans-serif\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"26\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">{Escape($"{report.Scenario}: honest users' cost against thieves' gain")}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"46\" text-anchor=\"middle\" font-size=\"12\" fill=\"#555\">{Escape(string.Create(CultureInfo.InvariantCulture, $"seed {report.Seed}, {report.Users:N0} users, {report.DurationDays:0.##} days; lower left is better"))}</text>\n");

        for (var i = 0; i <= 5; i++)
        {
            var xv = xMax * i / 5;
            var yv = yMax * i / 5;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Px(xv):0.#}\" y1=\"{Top}\" x2=\"{Px(xv):0.#}\" y2=\"{Top + plotHeight}\" stroke=\"#e5e5e5\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Py(yv):0.#}\" x2=\"{Left + plotWidth}\" y2=\"{Py(yv):0.#}\" stroke=\"#e5e5e5\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv):0.#}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\" font-size=\"12\">{Tick(xv)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{Py(yv) + 4:0.#}\" text-anchor=\"end\" font-size=\"12\">{Tick(yv)}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 22}\" text-anchor=\"middle\" font-size=\"13\">attacker access per theft (minutes with a working token)</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(24 {Top + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">false logouts per 1,000 user-days</text>\n");

        for (var i = 0; i < points.Count; i++)
        {
            var (name, settings, x, y) = points[i];
            var colour = Colours[i % Colours.Length];
            var px = Px(x);
            var py = Py(y);
            var anchor = px > Left + plotWidth * 0.7 ? "end" : "start";
            var dx = anchor == "end" ? -10 : 10;
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{px:0.#}\" cy=\"{py:0.#}\" r=\"7\" fill=\"{colour}\" fill-opacity=\"0.85\" stroke=\"#222\"><title>{Escape($"{name}: {settings}")}</title></circle>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{px + dx:0.#}\" y=\"{py - 10 - (i % 2) * 14:0.#}\" text-anchor=\"{anchor}\" font-size=\"13\" font-weight=\"bold\" fill=\"{colour}\">{Escape(name)}</text>\n");
        }

        // Legend: the settings behind each name.
        for (var i = 0; i < points.Count; i++)
        {
            var y = Top + 14 + i * 16;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth - 8}\" y=\"{y}\" text-anchor=\"end\" font-size=\"11\" fill=\"{Colours[i % Colours.Length]}\">{Escape($"{points[i].Policy}: {points[i].Settings}")}</text>\n");
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
