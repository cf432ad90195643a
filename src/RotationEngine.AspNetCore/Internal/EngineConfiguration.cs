using Microsoft.Extensions.Configuration;
using RotationEngine.AspNetCore.Clients;

namespace RotationEngine.AspNetCore.Internal;

/// <summary>Binds <see cref="RotationEngineOptions"/> and the clients from configuration. Each entry of
/// <c>ClientPolicies</c> starts from the configured <c>DefaultPolicy</c>, so a client names only what differs.</summary>
internal static class EngineConfiguration
{
    private static readonly Action<BinderOptions> Strict = o => o.ErrorOnUnknownConfiguration = true;

    public static void Bind(IConfiguration configuration, RotationEngineOptions options)
    {
        configuration.GetSection("Keys").Bind(options.Keys, Strict);
        if (configuration["CurrentKeyId"] is { } currentKeyId)
        {
            options.CurrentKeyId = currentKeyId;
        }

        if (configuration.GetValue<bool?>("AllowEphemeralKey") is { } allowEphemeral)
        {
            options.AllowEphemeralKey = allowEphemeral;
        }

        if (configuration.GetValue<TimeSpan?>("Retention") is { } retention)
        {
            options.Retention = retention;
        }

        if (configuration.GetValue<int?>("PruneBatchSize") is { } batch)
        {
            options.PruneBatchSize = batch;
        }

        options.DefaultPolicy = BindPolicy(configuration.GetSection("DefaultPolicy"), options.DefaultPolicy);
        foreach (var client in configuration.GetSection("ClientPolicies").GetChildren())
        {
            options.ClientPolicies[client.Key] = BindPolicy(client, options.DefaultPolicy);
        }
    }

    public static void BindClients(IConfiguration section, RotationClientsOptions options)
    {
        foreach (var child in section.GetChildren())
        {
            var client = new ClientOptions();
            child.Bind(client, Strict);
            options.Clients[child.Key] = client;
        }
    }

    public static InMemoryClientRegistry CreateRegistry(RotationClientsOptions options) =>
        new(options.Clients.Select(pair =>
        {
            var digests = pair.Value.Secrets.Select(ClientRegistration.DigestSecret)
                .Concat(pair.Value.SecretDigests.Select(Convert.FromBase64String))
                .ToList();
            return digests.Count == 0
                ? ClientRegistration.Public(pair.Key, pair.Value.AllowRefreshTokenGrant)
                : ClientRegistration.Confidential(pair.Key, digests, pair.Value.AllowRefreshTokenGrant);
        }));

    private static RotationPolicy BindPolicy(IConfigurationSection section, RotationPolicy basis)
    {
        // A copy of the basis, so that the section changes only the keys it names (the binder sets init properties).
        var policy = basis with { };
        section.Bind(policy, Strict);
        return policy;
    }
}
