using Microsoft.Extensions.Diagnostics.HealthChecks;
using RotationEngine.Storage;

namespace RotationEngine.AspNetCore.Hosting;

/// <summary>Reports the token store's health by one primary-key read through the engine (a family that never exists):
/// healthy when the store answers, unhealthy (with the fault's type, never its data) when it throws.</summary>
internal sealed class RotationStoreHealthCheck(RefreshTokenEngine engine) : IHealthCheck
{
    private static readonly FamilyId Probe = new(Guid.Empty);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await engine.GetFamilyAsync(Probe, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The token store answers.");
        }
        catch (RotationStoreException exception)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The token store does not answer: " + (exception.InnerException?.GetType().Name ?? exception.GetType().Name) + ".");
        }
    }
}
