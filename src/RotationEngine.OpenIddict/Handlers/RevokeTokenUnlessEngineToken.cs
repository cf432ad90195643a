using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using RotationEngine.OpenIddict.Internal;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace RotationEngine.OpenIddict.Handlers;

/// <summary>
/// OpenIddict's own <see cref="OpenIddictServerHandlers.Revocation.RevokeToken"/> (token-entry revocation), in its
/// place and order, skipped when the engine handled the token (<see cref="RevokeEngineRefreshToken"/>): an engine
/// token has no token entry, and OpenIddict's handler would answer <c>unsupported_token_type</c>.
/// </summary>
public sealed class RevokeTokenUnlessEngineToken : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    private readonly OpenIddictServerHandlers.Revocation.RevokeToken _inner;

    private RevokeTokenUnlessEngineToken(OpenIddictServerHandlers.Revocation.RevokeToken inner) => _inner = inner;

    /// <summary>The descriptor: OpenIddict's, with the filter <see cref="RequireNoEngineRevocation"/>.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .Import(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor)
            .AddFilter<RequireNoEngineRevocation>()
            .UseScopedHandler(static provider => new RevokeTokenUnlessEngineToken(
                new OpenIddictServerHandlers.Revocation.RevokeToken(provider.GetRequiredService<IOpenIddictTokenManager>())))
            .Build();

    /// <inheritdoc />
    public ValueTask HandleAsync(HandleRevocationRequestContext context) => _inner.HandleAsync(context);

    /// <summary>Excludes the handler when the engine revoked the request's token.</summary>
    public sealed class RequireNoEngineRevocation : IOpenIddictServerHandlerFilter<HandleRevocationRequestContext>
    {
        /// <inheritdoc />
        public ValueTask<bool> IsActiveAsync(HandleRevocationRequestContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            return new ValueTask<bool>(context.Transaction.GetRevocation() is null);
        }
    }
}
