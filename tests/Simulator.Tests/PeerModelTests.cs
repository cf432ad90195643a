using RotationEngine;
using Simulator.Core;
using Simulator.Oracle;
using Simulator.Peers;
using Simulator.Scenarios;
using Simulator.Simulation;

namespace Simulator.Tests;

/// <summary>Each peer strategy against outcomes worked out by hand from the source it cites, on traces of a few
/// presentations of one grant (times in seconds after sign-in; lifetimes of 14 days and 90 days).</summary>
public sealed class PeerModelTests
{
    [Fact]
    public void OpenIddict_mints_a_sibling_within_the_leeway_from_first_use_so_the_lineage_forks_then_revokes_the_authorization()
    {
        var grant = new Grant("openiddict", window: 30);

        var first = grant.Present(grant.Root, at: 0);
        var sibling = grant.Present(grant.Root, at: 29.9);
        var branchA = grant.Present(first.Token, at: 40);
        var branchB = grant.Present(sibling.Token, at: 41);
        var late = grant.Present(grant.Root, at: 60);
        var after = grant.Present(branchA.Token, at: 61);

        Assert.Equal((RotationOutcome.Rotated, 1), (first.Outcome, first.Generation));
        Assert.Equal((RotationOutcome.GraceReplay, 1), (sibling.Outcome, sibling.Generation));
        Assert.NotEqual(first.Token, sibling.Token);
        Assert.Equal((RotationOutcome.Rotated, 2), (branchA.Outcome, branchA.Generation));
        Assert.Equal((RotationOutcome.Rotated, 2), (branchB.Outcome, branchB.Generation));
        Assert.Equal(RotationOutcome.ReuseDetected, late.Outcome);
        Assert.True(grant.Model.Revoked);
        Assert.Equal(RotationOutcome.Revoked, after.Outcome);
    }

    [Fact]
    public void Hydra_accepts_reuse_within_the_grace_period_up_to_its_reuse_count()
    {
        var unlimited = new Grant("hydra", window: 10);
        unlimited.Present(unlimited.Root, at: 0);
        Assert.Equal(RotationOutcome.GraceReplay, unlimited.Present(unlimited.Root, at: 5).Outcome);
        Assert.Equal(RotationOutcome.GraceReplay, unlimited.Present(unlimited.Root, at: 9.999).Outcome);
        Assert.Equal(RotationOutcome.ReuseDetected, unlimited.Present(unlimited.Root, at: 10).Outcome);
        Assert.True(unlimited.Model.Revoked);

        var once = new Grant("hydra", window: 10, maxReuse: 1);
        once.Present(once.Root, at: 0);
        Assert.Equal(RotationOutcome.GraceReplay, once.Present(once.Root, at: 1).Outcome);
        Assert.Equal(RotationOutcome.ReuseDetected, once.Present(once.Root, at: 2).Outcome);
    }

    [Fact]
    public void Supabase_answers_the_parent_of_the_active_token_with_that_token_without_a_time_limit()
    {
        var grant = new Grant("supabase", window: 10);

        var child = grant.Present(grant.Root, at: 0);
        var dayLater = grant.Present(grant.Root, at: 86_400);
        var sibling = grant.Present(grant.Root, at: 5);

        Assert.Equal(RotationOutcome.Rotated, child.Outcome);
        Assert.Equal(RotationOutcome.GraceReplay, dayLater.Outcome);
        Assert.Equal(child.Token, dayLater.Token);
        Assert.Equal(child.Token, sibling.Token);

        // Once the child is used, the root is no longer the parent of an active token: only the reuse interval is left.
        var grandchild = grant.Present(child.Token, at: 100);
        var withinInterval = grant.Present(child.Token, at: 109);
        var rootAfterInterval = grant.Present(grant.Root, at: 200);
        Assert.Equal((RotationOutcome.Rotated, 2), (grandchild.Outcome, grandchild.Generation));
        Assert.Equal(grandchild.Token, withinInterval.Token);
        Assert.Equal(RotationOutcome.ReuseDetected, rootAfterInterval.Outcome);
        Assert.True(grant.Model.Revoked);
    }

    [Fact]
    public void Supabase_mints_a_sibling_for_a_revoked_token_without_an_active_child_only_within_the_reuse_interval()
    {
        var grant = new Grant("supabase", window: 10);
        var child = grant.Present(grant.Root, at: 0);
        grant.Present(child.Token, at: 1);

        var within = grant.Present(grant.Root, at: 9);
        Assert.Equal((RotationOutcome.GraceReplay, 1), (within.Outcome, within.Generation));
        Assert.NotEqual(child.Token, within.Token);
    }

    [Fact]
    public void Keycloak_counts_uses_of_the_current_token_refuses_stale_ones_and_never_revokes_the_session()
    {
        var grant = new Grant("keycloak", maxReuse: 0);

        var second = grant.Present(grant.Root, at: 0);
        var reuse = grant.Present(grant.Root, at: 5);
        var third = grant.Present(second.Token, at: 10);
        var stale = grant.Present(grant.Root, at: 30);

        Assert.Equal(RotationOutcome.Rotated, second.Outcome);
        Assert.Equal(RotationOutcome.Invalid, reuse.Outcome);
        Assert.Equal((RotationOutcome.Rotated, 2), (third.Outcome, third.Generation));
        Assert.Equal(RotationOutcome.Invalid, stale.Outcome);
        Assert.False(grant.Model.Revoked);
        Assert.Equal(RotationOutcome.Rotated, grant.Present(third.Token, at: 3_600).Outcome);

        var twice = new Grant("keycloak", maxReuse: 1);
        Assert.Equal(RotationOutcome.Rotated, twice.Present(twice.Root, at: 0).Outcome);
        Assert.Equal(RotationOutcome.GraceReplay, twice.Present(twice.Root, at: 0.5).Outcome);
        Assert.Equal(RotationOutcome.Invalid, twice.Present(twice.Root, at: 0.9).Outcome);
    }

    [Fact]
    public void Strict_rotation_revokes_on_the_first_reuse_and_no_rotation_never_notices_one()
    {
        var strict = new Grant("strict");
        Assert.Equal(RotationOutcome.Rotated, strict.Present(strict.Root, at: 0).Outcome);
        Assert.Equal(RotationOutcome.ReuseDetected, strict.Present(strict.Root, at: 0.001).Outcome);
        Assert.True(strict.Model.Revoked);

        var none = new Grant("no-rotation");
        for (var i = 0; i < 5; i++)
        {
            var answer = none.Present(none.Root, at: i * 3_600);
            Assert.Equal((RotationOutcome.Rotated, 0, none.Root), (answer.Outcome, answer.Generation, answer.Token));
        }

        // Idle expiry slides from the last use; 14 days of silence end it.
        Assert.Equal(RotationOutcome.Expired, none.Present(none.Root, at: 4 * 3_600 + 14 * 86_400).Outcome);
    }

    [Theory]
    [InlineData("openiddict")]
    [InlineData("hydra")]
    [InlineData("supabase")]
    [InlineData("keycloak")]
    [InlineData("strict")]
    [InlineData("no-rotation")]
    public void Every_peer_refuses_another_client_and_an_altered_handle_without_a_change(string peer)
    {
        var grant = new Grant(peer);

        Assert.Equal((RotationOutcome.Invalid, OutcomeCause.ClientMismatch), Pair(grant.Present(grant.Root, at: 0, clientId: World.OtherClientId)));
        Assert.Equal((RotationOutcome.Invalid, OutcomeCause.Malformed), Pair(grant.Present(grant.Root + "~1", at: 0)));
        Assert.Equal((RotationOutcome.Invalid, OutcomeCause.Malformed), Pair(grant.Present("peer.0.99", at: 0)));
        Assert.Equal(RotationOutcome.Rotated, grant.Present(grant.Root, at: 1).Outcome);
        Assert.False(grant.Model.Revoked);
    }

    [Fact]
    public void The_peers_run_through_the_same_clients_network_and_thieves_as_our_policies()
    {
        // Three uncoordinated tabs racing every ten minutes: strict rotation logs the user out like our strict policy;
        // no rotation never does; a stolen copy is never detected without rotation.
        var scenario = TestScenarios.Clockwork(views: 3, graceSeconds: 0);
        var rows = PeerModel.Standard(scenario.Policies[0]);
        RunResult Run(string name) => TestScenarios.Run(TestScenarios.Spec(scenario) with { Policy = rows.Single(r => r.Name == name) });

        var strictPeer = Run("strict-rotation");
        var ours = TestScenarios.Run(TestScenarios.Spec(scenario));
        var none = Run("no-rotation");

        Assert.True(ours.Metrics.FalseLogouts > 0);
        Assert.Equal(ours.Metrics.FalseLogouts, strictPeer.Metrics.FalseLogouts);
        Assert.Equal(0, none.Metrics.FalseLogouts);
        Assert.Equal(0, none.Metrics.GraceReplays);

        var thefts = TestScenarios.Shipped("stolen-cookie", "default", users: 20, days: 1);
        var noRotation = PeerModel.Standard(thefts.Policy).Single(r => r.Peer == "no-rotation");
        var stolen = TestScenarios.Run(thefts with { Policy = noRotation });
        Assert.True(stolen.Metrics.TheftsUsed > 0);
        Assert.Equal(0, stolen.Metrics.TheftsDetected);
        Assert.True(stolen.Metrics.AttackerAccessMs > 0);
    }

    private static (RotationOutcome, OutcomeCause) Pair(ServerAnswer answer) => (answer.Outcome, answer.Cause);

    /// <summary>One grant on a single peer instance whose clock the test sets.</summary>
    private sealed class Grant
    {
        private readonly VirtualClock _clock = new();
        private readonly PeerServer _server;

        public Grant(string peer, double? window = null, int? maxReuse = null)
        {
            var settings = new PolicySettings { Name = peer, Peer = peer, PeerWindowSeconds = window, PeerMaxReuse = maxReuse };
            var spec = TestScenarios.Spec(TestScenarios.Clockwork(1, 0)) with { Policy = settings };
            _server = new PeerServer(PeerModel.Create(peer, settings), spec, new ServerSettings(), settings.ToRotationPolicy(), _clock, new EventQueue(), new History(true), new RunMetrics());
            Root = _server.Issue(0, "user-1", World.ClientId, null, null).Token;
            Model = new FamilyModel(0, 0, settings.ToRotationPolicy(), World.ClientId, null, 0, Root);
        }

        public string Root { get; }

        public FamilyModel Model { get; }

        public ServerAnswer Present(string? token, double at, string clientId = World.ClientId)
        {
            _clock.NowMs = (long)Math.Round(at * 1000);
            var request = new Request { Token = token, ClientId = clientId, Instance = 0 };
            return _server.Serve(request, Model, 0, out _)!.Value;
        }
    }
}
