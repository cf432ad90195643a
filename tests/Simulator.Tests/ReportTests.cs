using Simulator.Reports;
using Simulator.Simulation;

namespace Simulator.Tests;

/// <summary>Each report field on worlds small enough to count by hand (see <see cref="TestScenarios.Clockwork"/>).</summary>
public sealed class ReportTests
{
    [Fact]
    public void Two_uncoordinated_tabs_under_strict_rotation_log_the_user_out_on_every_refresh()
    {
        // Sign-in at session start t0; both tabs refresh at t0 + 10 min with the same token: the first rotates,
        // the second is a reuse (no grace) and revokes the family. The user signs in again 60 s after the failure
        // (20 ms after the refresh), so the cycle repeats every 660.02 s: pairs at t0 + 600 s, 1260.02 s,
        // 1920.04 s, 2580.06 s and 3240.08 s fit in the one-hour session, the sixth (3900.1 s) does not.
        var report = PolicyReport.From(TestScenarios.Run(TestScenarios.Spec(TestScenarios.Clockwork(views: 2, graceSeconds: 0))));

        Assert.Equal(10, report.HonestRefreshes);
        Assert.Equal(5, report.HonestOk);
        Assert.Equal(5, report.HonestFailed);
        Assert.Equal(0, report.HonestUnknown);
        Assert.Equal(0.5, report.SuccessRate);
        Assert.Equal(1.0, report.UserDays);
        Assert.Equal(5, report.FalseLogouts);
        Assert.Equal(5000.0, report.FalseLogoutsPer1000UserDays);
        Assert.Equal(0, report.TheftLogouts);
        Assert.Equal(0, report.ExpiryLogouts);
        Assert.Equal(6, report.SignIns);
        Assert.Equal(5, report.ReuseDetections);
        Assert.Equal(0, report.GraceReplays);
        Assert.Equal(10, report.ServerRequests);

        // Per sign-in one Create; per pair: TryRotate for the first; TryRotate, Find, TryRevoke for the reuse.
        Assert.Equal(6 + 5 * 4, report.StoreOperations);
        Assert.Equal(0, report.Thefts);
        Assert.Null(report.DetectionDelayMedianSeconds);
        Assert.Equal(0, report.AttackerAccessHours);
        Assert.Contains("GraceReplay", report.NeverExercised);
        Assert.Contains("Expired", report.NeverExercised);
        Assert.DoesNotContain("ReuseDetected", report.NeverExercised);
    }

    [Fact]
    public void A_grace_window_turns_the_second_tab_into_a_replay()
    {
        // Same world with 10 s of grace: the second tab gets the current token back, nobody is logged out, and
        // both tabs refresh again 600.02 s later: pairs at t0 + 600 s, 1200.02 s, … 3000.08 s (5 pairs).
        var report = PolicyReport.From(TestScenarios.Run(TestScenarios.Spec(TestScenarios.Clockwork(views: 2, graceSeconds: 10))));

        Assert.Equal(10, report.HonestRefreshes);
        Assert.Equal(10, report.HonestOk);
        Assert.Equal(1.0, report.SuccessRate);
        Assert.Equal(0, report.FalseLogouts);
        Assert.Equal(1, report.SignIns);
        Assert.Equal(5, report.GraceReplays);
        Assert.Equal(0, report.ReuseDetections);

        // One Create; per pair: TryRotate; then TryRotate, Find and TryRecordReplay for the replay.
        Assert.Equal(1 + 5 * 4, report.StoreOperations);
    }

    [Fact]
    public void A_single_tab_refreshes_five_times_in_an_hour()
    {
        var report = PolicyReport.From(TestScenarios.Run(TestScenarios.Spec(TestScenarios.Clockwork(views: 1, graceSeconds: 0))));

        Assert.Equal(5, report.HonestRefreshes);
        Assert.Equal(5, report.HonestOk);
        Assert.Equal(1 + 5, report.StoreOperations);
        Assert.Equal(0, report.FalseLogouts);
    }

    [Fact]
    public void A_token_that_outlives_its_idle_lifetime_is_an_expiry_logout_not_a_false_one()
    {
        // Tokens live 1 hour; the user is idle for 23 hours between two one-hour sessions. Day 1: 5 refreshes.
        // Day 2: the first refresh finds the token expired (logout by expiry), the user signs in again 60.02 s
        // later, and refreshes at +660.02 s, +1260.04 s, … +3060.1 s: 5 more.
        var scenario = TestScenarios.Clockwork(views: 1, graceSeconds: 0);
        scenario.DurationDays = 2;
        scenario.Policies[0].TokenLifetimeHours = 1;
        var report = PolicyReport.From(TestScenarios.Run(TestScenarios.Spec(scenario)));

        Assert.Equal(11, report.HonestRefreshes);
        Assert.Equal(10, report.HonestOk);
        Assert.Equal(1, report.HonestFailed);
        Assert.Equal(1, report.ExpiryLogouts);
        Assert.Equal(0, report.FalseLogouts);
        Assert.Equal(2, report.SignIns);
        Assert.Equal(2.0, report.UserDays);
        Assert.Equal(1, report.Outcomes["Expired"]);
        Assert.DoesNotContain("Expired", report.NeverExercised);
    }

    [Fact]
    public void Lost_requests_are_unknown_outcomes_retried_until_the_session_ends()
    {
        // Every request is lost: the first refresh at t0 + 600 s times out after 5 s, the retry follows 1 s later,
        // so attempts go out every 6 s while the session lasts: 600 s + 6 s × k < 3,600 s gives 500 attempts.
        var scenario = TestScenarios.Clockwork(views: 1, graceSeconds: 0);
        scenario.Network.RequestLossRate = 1;
        var report = PolicyReport.From(TestScenarios.Run(TestScenarios.Spec(scenario)));

        Assert.Equal(500, report.HonestRefreshes);
        Assert.Equal(500, report.HonestUnknown);
        Assert.Equal(0, report.HonestOk + report.HonestFailed);
        Assert.Equal(0, report.ServerRequests);
        Assert.Equal(1, report.StoreOperations);
    }

    [Fact]
    public void Theft_figures_follow_from_the_history()
    {
        var scenario = TestScenarios.Clockwork(views: 1, graceSeconds: 0);
        scenario.Attackers = new Scenarios.AttackerSettings
        {
            TheftsPerThousandUserDays = 2000,
            Strategies = new(StringComparer.OrdinalIgnoreCase) { ["immediate"] = 1 },
            ForgeryShare = 0,
        };
        scenario.DurationDays = 3;
        var run = TestScenarios.Run(TestScenarios.Spec(scenario, seed: 3) with { RecordFullHistory = true });
        var report = PolicyReport.From(run);
        var history = run.History;

        var thefts = history.Where(e => e.Type == EntryType.Theft).ToList();
        Assert.Equal(thefts.Count, report.Thefts);
        Assert.True(report.Thefts > 0, "the seed must produce a theft");

        // A theft is used once its thief's first request reaches a server; no forgeries were asked for.
        Assert.Equal(history.Where(e => e.Type == EntryType.Serve && e.Process >= HistoryEntry.ThiefBase).Select(e => e.Process).Distinct().Count(), report.TheftsUsed);
        Assert.Equal(0, report.ForgedAttempts);

        // Strict rotation: a theft is detected when its family is revoked; the delay runs from the theft.
        var delays = new List<long>();
        foreach (var theft in thefts)
        {
            var revocation = history.FirstOrDefault(e => e.Type == EntryType.Serve && e.Family == theft.Family && e.Time >= theft.Time
                && e.Outcome is RotationEngine.RotationOutcome.ReuseDetected);
            if (revocation != default)
            {
                delays.Add(revocation.Time - theft.Time);
            }
        }

        Assert.Equal(delays.Count, report.TheftsDetected);
        Assert.Equal(PolicyReport.Percentile([.. delays.Order()], 0.5), report.DetectionDelayMedianSeconds);
        Assert.Equal(PolicyReport.Percentile([.. delays.Order()], 0.95), report.DetectionDelayP95Seconds);

        // Every successful thief refresh gives 10 minutes of access; the union of those intervals is the access time.
        var successes = history.Where(e => e.Type == EntryType.Ok && e.Process >= HistoryEntry.ThiefBase)
            .GroupBy(e => e.Process)
            .Sum(g =>
            {
                long total = 0, until = 0;
                foreach (var e in g.OrderBy(e => e.Time))
                {
                    total += e.Time >= until ? 600_000 : e.Time + 600_000 - until;
                    until = e.Time + 600_000;
                }

                return total;
            });
        Assert.Equal(successes / 3_600_000.0, report.AttackerAccessHours, precision: 9);
        Assert.Equal(successes / 60_000.0 / report.Thefts, report.AttackerAccessMinutesPerTheft, precision: 9);

        // A victim logged out by a detected theft is not a false logout.
        var logouts = history.Count(e => e.Type == EntryType.Logout);
        Assert.Equal(logouts, report.FalseLogouts + report.TheftLogouts + report.ExpiryLogouts);
    }

    [Fact]
    public void Percentiles_use_the_nearest_rank()
    {
        long[] samples = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000];

        Assert.Equal(5.0, PolicyReport.Percentile(samples, 0.5));
        Assert.Equal(10.0, PolicyReport.Percentile(samples, 0.95));
        Assert.Null(PolicyReport.Percentile([], 0.5));
    }
}
