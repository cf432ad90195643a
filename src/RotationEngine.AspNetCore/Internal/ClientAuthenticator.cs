using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RotationEngine.AspNetCore.Clients;

namespace RotationEngine.AspNetCore.Internal;

/// <summary>The outcome of client authentication: the client, or the §5.2 error to answer.</summary>
internal readonly record struct ClientAuthentication(ClientRegistration? Client, string? Error, string? Description, bool UsedBasic)
{
    public bool Succeeded => Client is not null;
}

/// <summary>
/// Authenticates the client of a token or revocation request (RFC 6749 §2.3.1, §3.2.1): HTTP Basic with the id and
/// secret form-urlencoded before base64, or <c>client_id</c>/<c>client_secret</c> in the body, never both; a public
/// client by its <c>client_id</c> alone (also as <c>Basic base64("id:")</c>, which Duende.IdentityModel sends).
/// </summary>
internal sealed class ClientAuthenticator(IClientRegistry registry, ILogger<ClientAuthenticator> logger)
{
    /// <summary>The longest Authorization header read; a longer one is refused without decoding it.</summary>
    public const int MaxAuthorizationLength = 4096;

    private static readonly ClientRegistration TimingDecoy = ClientRegistration.Confidential("decoy", [new byte[32]]);

    public async ValueTask<ClientAuthentication> AuthenticateAsync(HttpRequest request, OAuthForm form, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Authorization;
        string? id;
        string? secret;
        var usedBasic = false;
        if (headers.Count > 1)
        {
            return Refuse("invalid_request", "The request has more than one Authorization header.");
        }

        if (headers.Count == 1)
        {
            usedBasic = true;
            switch (ParseBasic(headers[0]))
            {
                case (null, var error, var unsupported):
                    return unsupported
                        ? new ClientAuthentication(null, "invalid_client", error, UsedBasic: true)
                        : Refuse("invalid_request", error);
                case (var credentials, _, _):
                    (id, secret) = credentials.Value;
                    break;
            }

            if (form.Contains("client_secret"))
            {
                return Refuse("invalid_request", "The client used both HTTP Basic and client_secret in the body; use one (RFC 6749 section 2.3).");
            }

            if (form["client_id"] is { } bodyId && !string.Equals(bodyId, id, StringComparison.Ordinal))
            {
                return Refuse("invalid_request", "The client_id in the body differs from the one in the Authorization header.");
            }
        }
        else
        {
            id = form["client_id"];
            secret = form["client_secret"];
            if (id is null)
            {
                return secret is null
                    ? new ClientAuthentication(null, "invalid_client", "No client authentication: send client_id (public client) or HTTP Basic credentials.", UsedBasic: false)
                    : Refuse("invalid_request", "client_secret was sent without client_id.");
            }
        }

        if (id.Length is 0 or > RefreshTokenEngine.MaxClientIdLength || !OAuthForm.IsVisibleAscii(id) || (secret is not null && !OAuthForm.IsVisibleAscii(secret)))
        {
            return Fail(usedBasic, "unknown");
        }

        var client = await registry.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            TimingDecoy.VerifySecret(secret ?? "");
            return Fail(usedBasic, "unknown");
        }

        if (client.IsPublic)
        {
            // A public client has no secret: an empty one (Basic "id:") is no secret; a non-empty one is wrong.
            return string.IsNullOrEmpty(secret) ? new ClientAuthentication(client, null, null, usedBasic) : Fail(usedBasic, "public-with-secret");
        }

        return !string.IsNullOrEmpty(secret) && client.VerifySecret(secret)
            ? new ClientAuthentication(client, null, null, usedBasic)
            : Fail(usedBasic, secret is null or "" ? "no-secret" : "wrong-secret");

        static ClientAuthentication Refuse(string error, string? description) => new(null, error, description, UsedBasic: false);

        ClientAuthentication Fail(bool basic, string reason)
        {
            Log.ClientAuthenticationFailed(logger, reason, basic ? "basic" : "body");
            return new ClientAuthentication(null, "invalid_client", "Client authentication failed.", basic);
        }
    }

    /// <summary>Parses <c>Basic base64(urlencode(id) ":" urlencode(secret))</c>. The third value says the scheme is not Basic.</summary>
    internal static ((string Id, string Secret)? Credentials, string? Error, bool UnsupportedScheme) ParseBasic(string? header)
    {
        const string Malformed = "The Authorization header is not valid Basic credentials (RFC 7617, with id and secret form-urlencoded as RFC 6749 section 2.3.1 says).";
        if (string.IsNullOrEmpty(header) || header.Length > MaxAuthorizationLength)
        {
            return (null, Malformed, false);
        }

        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? header : header[..space];
        if (!scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "Only HTTP Basic client authentication is supported in the Authorization header.", true);
        }

        var encoded = space < 0 ? "" : header.AsSpan(space + 1).Trim(' ');
        Span<byte> decoded = stackalloc byte[(MaxAuthorizationLength / 4 * 3) + 3];
        if (encoded.IsEmpty || !Convert.TryFromBase64Chars(encoded, decoded, out var length))
        {
            return (null, Malformed, false);
        }

        var bytes = decoded[..length];
        var colon = bytes.IndexOf((byte)':');
        if (colon < 0
            || OAuthForm.Decode(bytes[..colon]) is not { Length: > 0 } id
            || OAuthForm.Decode(bytes[(colon + 1)..]) is not { } secret
            || !OAuthForm.IsVisibleAscii(id) || !OAuthForm.IsVisibleAscii(secret))
        {
            return (null, Malformed, false);
        }

        return ((id, secret), null, false);
    }
}
