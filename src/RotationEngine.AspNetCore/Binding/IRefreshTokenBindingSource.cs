using Microsoft.AspNetCore.Http;
using RotationEngine.AspNetCore.Clients;

namespace RotationEngine.AspNetCore.Binding;

/// <summary>Where the binding passed to <see cref="RefreshTokenEngine.RotateAsync"/> comes from: the one seam for
/// sender-constrained refresh tokens (a DPoP proof's key thumbprint, RFC 9449; an mTLS certificate, RFC 8705).
/// The default registration returns no binding.</summary>
public interface IRefreshTokenBindingSource
{
    /// <summary>The binding the request proves, or a refusal.</summary>
    /// <param name="context">The request.</param>
    /// <param name="client">The authenticated client.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    ValueTask<RefreshTokenBinding> GetBindingAsync(HttpContext context, ClientRegistration client, CancellationToken cancellationToken = default);
}

/// <summary>The binding of one request, or the OAuth error that refuses it.</summary>
/// <param name="Value">The binding (for example a key thumbprint), or null for an unbound request.</param>
/// <param name="Error">The OAuth error that refuses the request (for example <c>invalid_dpop_proof</c>), or null.</param>
/// <param name="ErrorDescription">A description of the refusal, or null.</param>
public readonly record struct RefreshTokenBinding(string? Value, string? Error = null, string? ErrorDescription = null)
{
    /// <summary>No binding.</summary>
    public static RefreshTokenBinding None => default;

    /// <summary>A refusal with the given OAuth error.</summary>
    /// <param name="error">The error code.</param>
    /// <param name="description">Its description.</param>
    public static RefreshTokenBinding Refuse(string error, string? description = null) => new(null, error, description);
}

/// <summary>The default <see cref="IRefreshTokenBindingSource"/>: every request is unbound.</summary>
internal sealed class NoBindingSource : IRefreshTokenBindingSource
{
    public ValueTask<RefreshTokenBinding> GetBindingAsync(HttpContext context, ClientRegistration client, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(RefreshTokenBinding.None);
}
