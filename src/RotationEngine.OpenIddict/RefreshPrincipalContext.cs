using System.Security.Claims;
using OpenIddict.Server;

namespace RotationEngine.OpenIddict;

/// <summary>What <see cref="IRefreshPrincipalRebuilder.RebuildAsync"/> gets: the principal the sign-in stored and the
/// session it belongs to.</summary>
public sealed class RefreshPrincipalContext
{
    internal RefreshPrincipalContext(ClaimsPrincipal principal, string subject, string clientId, FamilyId familyId, int generation, OpenIddictServerTransaction transaction)
    {
        Principal = principal;
        Subject = subject;
        ClientId = clientId;
        FamilyId = familyId;
        Generation = generation;
        Transaction = transaction;
    }

    /// <summary>The principal restored from the sign-in snapshot (a fresh copy: change it freely).</summary>
    public ClaimsPrincipal Principal { get; }

    /// <summary>The session's user (the <c>sub</c> claim sealed at sign-in).</summary>
    public string Subject { get; }

    /// <summary>The client presenting the refresh token.</summary>
    public string ClientId { get; }

    /// <summary>The session (family) id, for the host's own session records.</summary>
    public FamilyId FamilyId { get; }

    /// <summary>How many times the session has refreshed before this request.</summary>
    public int Generation { get; }

    /// <summary>OpenIddict's transaction (the request, the options, <c>GetHttpRequest()</c> on ASP.NET Core).</summary>
    public OpenIddictServerTransaction Transaction { get; }

    /// <summary>Cancelled when the request is aborted.</summary>
    public CancellationToken CancellationToken => Transaction.CancellationToken;
}
