using OpenIddict.Server;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>What the handlers of one request hand to each other, kept in OpenIddict's transaction properties (one
/// request, one process: the token strings never leave memory).</summary>
internal static class TransactionState
{
    private const string Prefix = "RotationEngine.OpenIddict:";
    private const string RefreshKey = Prefix + "Refresh";
    private const string RevocationKey = Prefix + "Revocation";
    private const string UnavailableKey = Prefix + "StoreUnavailable";

    public static PendingRefresh? GetRefresh(this OpenIddictServerTransaction transaction) => transaction.GetProperty<PendingRefresh>(RefreshKey);

    public static void SetRefresh(this OpenIddictServerTransaction transaction, PendingRefresh refresh) => transaction.SetProperty(RefreshKey, refresh);

    public static PendingRevocation? GetRevocation(this OpenIddictServerTransaction transaction) => transaction.GetProperty<PendingRevocation>(RevocationKey);

    public static void SetRevocation(this OpenIddictServerTransaction transaction, PendingRevocation revocation) => transaction.SetProperty(RevocationKey, revocation);

    public static bool IsStoreUnavailable(this OpenIddictServerTransaction transaction) => transaction.GetProperty<object>(UnavailableKey) is not null;

    public static void MarkStoreUnavailable(this OpenIddictServerTransaction transaction) => transaction.SetProperty<object>(UnavailableKey, true);
}

/// <summary>A refresh-token grant whose engine token passed validation: rotated when OpenIddict signs in.</summary>
/// <param name="Token">The presented refresh token (never logged).</param>
/// <param name="ClientId">The client presenting it.</param>
/// <param name="FamilyId">Its family.</param>
/// <param name="Subject">The family's sealed subject.</param>
/// <param name="AuthorizationId">The OpenIddict authorization the sign-in attached, if any.</param>
internal sealed record PendingRefresh(string Token, string ClientId, FamilyId FamilyId, string Subject, string? AuthorizationId)
{
    /// <summary>The rotated (or replayed) token, once the sign-in rotated it.</summary>
    public string? NextToken { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"PendingRefresh {{ FamilyId = {FamilyId}, ClientId = {ClientId} }}";
}

/// <summary>An engine token at the revocation endpoint, revoked when OpenIddict handles the request.</summary>
internal sealed record PendingRevocation(string Token, string? ClientId, FamilyId FamilyId, string? AuthorizationId)
{
    /// <summary>Set once the engine has handled the revocation, so OpenIddict's own token-entry revocation is skipped.</summary>
    public bool Handled { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"PendingRevocation {{ FamilyId = {FamilyId}, ClientId = {ClientId} }}";
}
