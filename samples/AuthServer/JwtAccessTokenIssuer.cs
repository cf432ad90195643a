using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RotationEngine.AspNetCore.AccessTokens;

namespace AuthServer;

/// <summary>
/// The sample's access tokens: ES256-signed JWTs (RFC 9068 claims: iss, sub, aud, client_id, scope, jti, iat, exp, plus
/// sid = the refresh-token family) made by Microsoft.IdentityModel.JsonWebTokens. The family's metadata is the granted
/// scope (set at sign-in); a refresh may ask for less, never more (RFC 6749 §6).
/// </summary>
public sealed class JwtAccessTokenIssuer : IAccessTokenIssuer
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials;
    private readonly SampleSettings _settings;
    private readonly TimeProvider _time;

    /// <summary>Creates the issuer with the given key.</summary>
    public JwtAccessTokenIssuer(SigningKey key, IOptions<SampleSettings> settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(settings);
        _credentials = new SigningCredentials(key.Key, SecurityAlgorithms.EcdsaSha256);
        _settings = settings.Value;
        _time = time;
    }

    /// <inheritdoc />
    public ValueTask<AccessTokenResult> IssueAsync(AccessTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var granted = request.Metadata ?? "";
        var scope = granted;
        if (request.RequestedScope is { } requested)
        {
            var allowed = granted.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            if (!requested.Split(' ').All(allowed.Contains))
            {
                return ValueTask.FromResult(AccessTokenResult.InvalidScope());
            }

            scope = requested;
        }

        return ValueTask.FromResult(AccessTokenResult.Success(Mint(request.Subject, request.ClientId, request.FamilyId.ToString(), scope), _settings.AccessTokenLifetime, scope.Length == 0 ? null : scope));
    }

    /// <summary>Mints one access token (also used by the sign-in endpoint and the benchmark).</summary>
    public string Mint(string subject, string clientId, string sessionId, string scope)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            Issuer = _settings.Issuer,
            Audience = _settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _settings.AccessTokenLifetime,
            SigningCredentials = _credentials,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = subject,
                ["client_id"] = clientId,
                ["sid"] = sessionId,
                ["scope"] = scope,
                ["jti"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            },
        });
    }
}

/// <summary>The signing key of the access tokens (ES256), with its key id.</summary>
public sealed class SigningKey
{
    /// <summary>Wraps a P-256 key.</summary>
    public SigningKey(ECDsa ecdsa)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var thumbprint = SHA256.HashData([.. parameters.Q.X!, .. parameters.Q.Y!]);
        Key = new ECDsaSecurityKey(ecdsa) { KeyId = Base64UrlEncoder.Encode(thumbprint.AsSpan(0, 12).ToArray()) };
    }

    /// <summary>The key.</summary>
    public ECDsaSecurityKey Key { get; }

    /// <summary>The public key as a JWK set (for <c>/.well-known/jwks.json</c>).</summary>
    public object Jwks()
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(Key);
        return new { keys = new[] { new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = jwk.Kid, use = "sig", alg = "ES256" } } };
    }
}
