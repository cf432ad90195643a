using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Simulator.Reports;

/// <summary>Writes a comparison as a console table, JSON and CSV. Only counts and settings: no token, no secret.</summary>
internal static class ReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The comparison as a table: one row per policy (and peer strategy), counts right-aligned.</summary>
    public static Table Table(ComparisonReport report)
    {
        var table = new Table().Border(TableBorder.Minimal);
        table.AddColumn(new TableColumn("policy"));
        table.AddColumn(new TableColumn("settings"));
        foreach (var header in new[] { "refreshes", "success", "false logouts\n/1k user-days", "thefts", "detected", "delay\np50", "delay\np95", "thief\naccess", "grace\nreplays", "store ops" })
        {
            table.AddColumn(new TableColumn(header).RightAligned());
        }

        foreach (var p in report.Policies)
        {
            table.AddRow(
                Markup.Escape(p.Policy),
                Markup.Escape(p.Settings),
                Count(p.HonestRefreshes),
                (p.SuccessRate * 100).ToString("0.000", Invariant) + "%",
                p.FalseLogoutsPer1000UserDays.ToString("0.00", Invariant),
                Count(p.Thefts),
                Count(p.TheftsDetected),
                Seconds(p.DetectionDelayMedianSeconds),
                Seconds(p.DetectionDelayP95Seconds),
                p.AttackerAccessHours.ToString("0.0", Invariant) + " h",
                Count(p.GraceReplays),
                Count(p.StoreOperations));
        }

        return table;
    }

    public static string ToJson(ComparisonReport report) => JsonSerializer.Serialize(report, JsonOptions);

    public static string ToCsv(ComparisonReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("scenario,seed,policy,settings,honest_refreshes,honest_ok,honest_failed,honest_unknown,success_rate,user_days,false_logouts,false_logouts_per_1000_user_days,theft_logouts,expiry_logouts,thefts,thefts_used,thefts_detected,detection_delay_median_s,detection_delay_p95_s,attacker_access_hours,attacker_access_minutes_per_theft,grace_replays,reuse_detections,store_operations,server_requests,history_hash");
        foreach (var p in report.Policies)
        {
            string[] cells =
            [
                report.Scenario, report.Seed.ToString(Invariant), p.Policy, p.Settings,
                N(p.HonestRefreshes), N(p.HonestOk), N(p.HonestFailed), N(p.HonestUnknown), D(p.SuccessRate), D(p.UserDays),
                N(p.FalseLogouts), D(p.FalseLogoutsPer1000UserDays), N(p.TheftLogouts), N(p.ExpiryLogouts),
                N(p.Thefts), N(p.TheftsUsed), N(p.TheftsDetected),
                p.DetectionDelayMedianSeconds is double m ? D(m) : "", p.DetectionDelayP95Seconds is double q ? D(q) : "",
                D(p.AttackerAccessHours), D(p.AttackerAccessMinutesPerTheft), N(p.GraceReplays), N(p.ReuseDetections),
                N(p.StoreOperations), N(p.ServerRequests), p.HistoryHash,
            ];
            text.AppendLine(string.Join(',', cells.Select(Escape)));
        }

        return text.ToString();
    }

    private static string N(long value) => value.ToString(Invariant);

    private static string D(double value) => value.ToString("0.######", Invariant);

    private static string Escape(string cell) => cell.Contains(',', StringComparison.Ordinal) || cell.Contains('"', StringComparison.Ordinal)
        ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : cell;

    public static string Count(long value) => value switch
    {
        >= 10_000_000 => (value / 1_000_000.0).ToString("0.0", Invariant) + "M",
        >= 100_000 => (value / 1_000.0).ToString("0", Invariant) + "k",
        _ => value.ToString("N0", Invariant),
    };

    public static string Seconds(double? seconds) => seconds switch
    {
        null => "-",
        >= 7200 => (seconds.Value / 3600).ToString("0.0", Invariant) + " h",
        >= 120 => (seconds.Value / 60).ToString("0.0", Invariant) + " min",
        _ => seconds.Value.ToString("0.0", Invariant) + " s",
    };
}
