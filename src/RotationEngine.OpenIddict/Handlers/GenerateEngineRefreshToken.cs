using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using RotationEngine.OpenIddict.Internal;
using RotationEngine.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace RotationEngine.OpenIddict.Handlers;

/// <summary>
/// Makes every refresh token OpenIddict hands out an engine token: the rotated one for a refresh-token grant, a new
/// family (one row, whose metadata is the sign-in principal) for any other sign-in. Runs before OpenIddict would
/// create a token entry, and tells it not to (<see cref="GenerateTokenContext.CreateTokenEntry"/>): OpenIddict stores
/// no row per refresh token; its JWT generation is skipped because the token is already attached.
/// </summary>
public sealed class GenerateEngineRefreshToken : IOpenIddictServerHandler<GenerateTokenContext>
{
    private readonly RefreshTokenEngine _engine;
    private readonly ILogger _logger;

    private GenerateEngineRefreshToken(RefreshTokenEngine engine, ILogger logger)
    {
        _engine = engine;
        _logger = logger;
    }

    /// <summary>The descriptor: singleton, ordered after OpenIddict resolves its credentials and before it creates
    /// a token entry (<see cref="OpenIddictServerHandlers.Protection.CreateTokenEntry"/>).</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler(static provider => new GenerateEngineRefreshToken(Services.Engine(provider), Services.Logger(provider)))
            .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    /// <inheritdoc />
    public async ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.Equals(context.TokenType, TokenTypeIdentifiers.RefreshToken, StringComparison.Ordinal) || !string.IsNullOrEmpty(context.Token))
        {
            return;
        }

        context.CreateTokenEntry = false;
        context.PersistTokenPayload = false;
        context.IsReferenceToken = false;

        if (context.EndpointType == OpenIddictServerEndpointType.Token && context.Request?.IsRefreshTokenGrantType() == true
            && context.Transaction.GetRefresh() is { } refresh)
        {
            context.Token = refresh.NextToken ?? throw new InvalidOperationException(
                $"The refresh token of this refresh-token grant was not rotated before OpenIddict generated its successor: {nameof(RotateEngineRefreshToken)} "
                + "must run in ProcessSignInContext before GenerateRefreshToken (was it removed or reordered?).");
            return;
        }

        var subject = context.Principal?.GetClaim(Claims.Subject);
        if (string.IsNullOrEmpty(subject))
        {
            throw new InvalidOperationException("A refresh token is being issued for a principal without a 'sub' claim; RotationEngine families belong to a subject.");
        }

        if (string.IsNullOrEmpty(context.ClientId))
        {
            throw new InvalidOperationException(
                "A refresh token is being issued to an anonymous client (AcceptAnonymousClients). RotationEngine binds every refresh token to its client: "
                + "require client identification (send client_id) for grants that return refresh tokens.");
        }

        var metadata = PrincipalSnapshot.Capture(context.Principal!);
        try
        {
            var issued = await _engine.IssueAsync(subject, context.ClientId, metadata: metadata, cancellationToken: context.CancellationToken).ConfigureAwait(false);
            Log.FamilyIssued(_logger, issued.FamilyId, context.ClientId, metadata.Length);
            context.Token = issued.Token;
        }
        catch (RotationStoreException exception)
        {
            Refusals.StoreUnavailable(context, _logger, exception, "issue");
        }
    }
}
