using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RotationEngine.AspNetCore.Binding;
using RotationEngine.AspNetCore.Clients;

namespace RotationEngine.AspNetCore.DPoP;

/// <summary>
/// The DPoP <see cref="IRefreshTokenBindingSource"/>: a valid proof binds the request to its key's thumbprint; an
/// invalid one refuses the request before the engine is called (no state change); no proof is an unbound request,
/// refused for a client whose policy has <see cref="RotationPolicy.RequireBinding"/>. A bound family presented without a
/// proof, or with another key's, is the engine's <see cref="RotationOutcome.BindingMismatch"/>.
/// </summary>
internal sealed class DPoPBindingSource(DPoPProofValidator validator, IOptions<DPoPOptions> options, IOptions<RotationEngineOptions> engineOptions) : IRefreshTokenBindingSource
{
    private readonly bool _requireNonce = options.Value.RequireNonce;

    public async ValueTask<RefreshTokenBinding> GetBindingAsync(HttpContext context, ClientRegistration client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(client);
        if (_requireNonce)
        {
            context.Response.Headers["DPoP-Nonce"] = validator.Nonces.Current();
        }

        var proof = await validator.ValidateAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (proof.IsValid)
        {
            return new RefreshTokenBinding(proof.Thumbprint);
        }

        if (proof.Error is { } error)
        {
            return RefreshTokenBinding.Refuse(error, proof.ErrorDescription);
        }

        return engineOptions.Value.PolicyFor(client.ClientId).RequireBinding
            ? RefreshTokenBinding.Refuse(DPoPProofResult.InvalidProof, "This client's refresh tokens are DPoP-bound: send a DPoP proof (RFC 9449).")
            : RefreshTokenBinding.None;
    }
}
