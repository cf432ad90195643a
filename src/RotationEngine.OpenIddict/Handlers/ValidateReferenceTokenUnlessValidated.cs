using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace RotationEngine.OpenIddict.Handlers;

/// <summary>
/// OpenIddict's own <see cref="OpenIddictServerHandlers.Protection.ValidateReferenceTokenIdentifier"/>, in its place
/// and order, skipped when an earlier handler already validated the token (attached a principal): without it, every
/// engine refresh token would cost a reference-token database lookup that cannot find anything.
/// </summary>
public sealed class ValidateReferenceTokenUnlessValidated : IOpenIddictServerHandler<ValidateTokenContext>
{
    private readonly OpenIddictServerHandlers.Protection.ValidateReferenceTokenIdentifier _inner;

    private ValidateReferenceTokenUnlessValidated(OpenIddictServerHandlers.Protection.ValidateReferenceTokenIdentifier inner) => _inner = inner;

    /// <summary>The descriptor: OpenIddict's, with the filter <see cref="RequireNoPrincipal"/>.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .Import(OpenIddictServerHandlers.Protection.ValidateReferenceTokenIdentifier.Descriptor)
            .AddFilter<RequireNoPrincipal>()
            .UseScopedHandler(static provider => new ValidateReferenceTokenUnlessValidated(
                new OpenIddictServerHandlers.Protection.ValidateReferenceTokenIdentifier(provider.GetRequiredService<IOpenIddictTokenManager>())))
            .Build();

    /// <inheritdoc />
    public ValueTask HandleAsync(ValidateTokenContext context) => _inner.HandleAsync(context);

    /// <summary>Excludes the handler when the token already has a principal.</summary>
    public sealed class RequireNoPrincipal : IOpenIddictServerHandlerFilter<ValidateTokenContext>
    {
        /// <inheritdoc />
        public ValueTask<bool> IsActiveAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            return new ValueTask<bool>(context.Principal is null);
        }
    }
}
