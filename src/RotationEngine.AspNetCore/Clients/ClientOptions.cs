namespace RotationEngine.AspNetCore.Clients;

/// <summary>One client as configured under <c>Clients:&lt;id&gt;</c>, read into the <see cref="InMemoryClientRegistry"/>.
/// A client with neither <see cref="Secrets"/> nor <see cref="SecretDigests"/> is public.</summary>
public sealed class ClientOptions
{
    /// <summary>Secrets in clear text (hashed when read, then dropped). Prefer <see cref="SecretDigests"/> outside development.</summary>
    public IList<string> Secrets { get; } = new List<string>();

    /// <summary>Base64 SHA-256 digests of the secrets' UTF-8 bytes (<c>echo -n "$SECRET" | sha256sum | xxd -r -p | base64</c>).</summary>
    public IList<string> SecretDigests { get; } = new List<string>();

    /// <summary>Whether the client may use the refresh grant. Default true.</summary>
    public bool AllowRefreshTokenGrant { get; set; } = true;
}
