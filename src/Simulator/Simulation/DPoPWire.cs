using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RotationEngine;
using RotationEngine.AspNetCore.Binding;
using RotationEngine.AspNetCore.Clients;
using RotationEngine.Client.DPoP;
using RotationEngine.DPoP;
using Simulator.Core;

namespace Simulator.Simulation;

/// <summary>
/// The glue between a bound policy's run and the shipped DPoP code (RFC 9449): every device and every thief with a key
/// holds a real P-256 key in the shipped client's <see cref="DPoPProofProvider"/> on the virtual clock, each sign-in
/// and each refresh carries a fresh proof, and each arrival is checked by the <see cref="IRefreshTokenBindingSource"/>
/// that <c>AddRotationEngine(…).AddDPoP()</c> registers (its <c>DPoPProofValidator</c> on the serving instance's
/// clock, one replay cache shared by the instances), whose thumbprint is the binding the engine gets. The simulator's
/// labels (<c>device-3-0</c>, <c>thief-7</c>) stay the oracle's ground truth: one key per label, so two labels are equal
/// exactly when their thumbprints are. Signatures, <c>jti</c>s and thumbprints are random: none of them may reach the
/// history, the metrics or the report, only the counts below.
/// </summary>
internal sealed class DPoPWire : IDisposable
{
    private static readonly Uri TokenEndpoint = new("https://auth.simulator.test/connect/token");

    private readonly TimeProvider _clientClock;
    private readonly RotationPolicy _policy;
    private readonly Action<IServiceCollection>? _configure;
    private readonly IDPoPReplayCache _replays = new InMemoryDPoPReplayCache();
    private readonly Dictionary<string, DPoPProofProvider> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClientRegistration> _clients = new(StringComparer.Ordinal);
    private readonly List<ServiceProvider> _containers = [];
    private IRefreshTokenBindingSource[] _sources = [];

    /// <param name="clock">The clients' clock (the virtual clock; the instances' offsets are the servers' own).</param>
    /// <param name="policy">The policy the engine's options carry (the binding source asks it for RequireBinding).</param>
    /// <param name="configure">A change to the registration after <c>AddDPoP()</c>: a test breaks the binding source on
    /// purpose to prove that the oracle notices; null in every real run.</param>
    public DPoPWire(VirtualClock clock, RotationPolicy policy, Action<IServiceCollection>? configure)
    {
        _clientClock = new InstanceTimeProvider(clock, 0);
        _policy = policy;
        _configure = configure;
    }

    /// <summary>Proofs the clients made (sign-ins and refreshes).</summary>
    public long ProofsMade { get; private set; }

    /// <summary>Arrivals the binding source checked (with or without a proof).</summary>
    public long Checks { get; private set; }

    /// <summary>Arrivals the binding source refused before the engine was called (a replayed proof: a duplicate on the wire).</summary>
    public long Refusals { get; private set; }

    /// <summary>One container per instance, each with that instance's clock, as one host per instance would have.</summary>
    public void StartServers(IReadOnlyList<TimeProvider> instanceClocks)
    {
        _sources = new IRefreshTokenBindingSource[instanceClocks.Count];
        for (var i = 0; i < instanceClocks.Count; i++)
        {
            var services = new ServiceCollection();
            services.AddSingleton(instanceClocks[i]);
            services.AddSingleton(_replays);
            services.AddRotationEngine(options => options.DefaultPolicy = _policy).AddDPoP();
            _configure?.Invoke(services);
            var container = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false });
            _containers.Add(container);
            _sources[i] = container.GetRequiredService<IRefreshTokenBindingSource>();
        }
    }

    /// <summary>A fresh proof for a token request by the holder of <paramref name="label"/>'s key (made on first use).</summary>
    public string Prove(string label)
    {
        if (!_keys.TryGetValue(label, out var key))
        {
            key = new DPoPProofProvider(_clientClock);
            _keys.Add(label, key);
        }

        ProofsMade++;
        return key.CreateProof(HttpMethod.Post, TokenEndpoint);
    }

    /// <summary>The thumbprint of <paramref name="label"/>'s key, or null if it has none yet (for tests).</summary>
    public string? Thumbprint(string label) => _keys.TryGetValue(label, out var key) ? key.Thumbprint : null;

    /// <summary>What <paramref name="instance"/>'s binding source makes of a token request carrying
    /// <paramref name="proof"/> (none when null) from <paramref name="clientId"/>.</summary>
    /// <exception cref="RotationEngine.Storage.RotationStoreException">The replay cache cannot answer.</exception>
    public RefreshTokenBinding Check(int instance, string? proof, string clientId)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Post;
        request.Scheme = TokenEndpoint.Scheme;
        request.Host = new HostString(TokenEndpoint.Host);
        request.Path = TokenEndpoint.AbsolutePath;
        if (proof is not null)
        {
            request.Headers["DPoP"] = proof;
        }

        if (!_clients.TryGetValue(clientId, out var client))
        {
            client = ClientRegistration.Public(clientId);
            _clients.Add(clientId, client);
        }

        Checks++;
        var pending = _sources[instance].GetBindingAsync(context, client);
        if (!pending.IsCompleted)
        {
            throw new InvalidOperationException("The DPoP binding source did not complete synchronously; the deterministic loop cannot wait for it.");
        }

        var binding = pending.Result;
        if (binding.Error is not null)
        {
            Refusals++;
        }

        return binding;
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        foreach (var container in _containers)
        {
            container.Dispose();
        }
    }
}
