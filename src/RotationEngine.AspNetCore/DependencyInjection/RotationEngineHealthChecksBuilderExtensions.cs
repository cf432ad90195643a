using Microsoft.Extensions.Diagnostics.HealthChecks;
using RotationEngine.AspNetCore.Hosting;

// The conventional namespace for IServiceCollection extensions, so that they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Adds the token store's health check.</summary>
public static class RotationEngineHealthChecksBuilderExtensions
{
    /// <summary>Adds a check that the engine's store answers (one primary-key read), named <paramref name="name"/>.</summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default <c>rotation-store</c>.</param>
    /// <param name="failureStatus">The status when the store fails. Default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for filtering (for example <c>ready</c>).</param>
    public static IHealthChecksBuilder AddRotationStoreCheck(this IHealthChecksBuilder builder, string name = "rotation-store", HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<RotationStoreHealthCheck>(name, failureStatus, tags ?? []);
    }
}
