using System.Collections.Concurrent;
using System.Security.Claims;
using OpenIddict.Abstractions;

namespace RotationEngine.OpenIddict.Tests.Infrastructure;

/// <summary>A principal hook that keeps what it was given and changes nothing.</summary>
internal sealed class RecordingRebuilder : IRefreshPrincipalRebuilder
{
    public ConcurrentQueue<ClaimsPrincipal> Seen { get; } = new();

    public ValueTask<ClaimsPrincipal?> RebuildAsync(RefreshPrincipalContext context)
    {
        Seen.Enqueue(context.Principal.Clone(static _ => true));
        return ValueTask.FromResult<ClaimsPrincipal?>(context.Principal);
    }
}
