using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RotationEngine.OpenIddict.Tests.Infrastructure;
using RotationEngine.Storage;
using RotationEngine.Testing.Faults;

namespace RotationEngine.OpenIddict.Tests;

/// <summary>A store fault is "outcome unknown, retry": 503 with Retry-After and <c>temporarily_unavailable</c>, never
/// <c>invalid_grant</c> (which would log the user out); a retry with the same token works.</summary>
public sealed class FaultTests
{
    /// <summary>Where the refresh's store call fails.</summary>
    public enum RefreshFault
    {
        /// <summary>The next store call fails before it reaches the store.</summary>
        BeforeAnyCall,

        /// <summary>The rotation is written, then its answer is lost.</summary>
        AfterRotationWrite,
    }

    [Theory]
    [InlineData(RefreshFault.BeforeAnyCall)]
    [InlineData(RefreshFault.AfterRotationWrite)]
    public async Task A_store_fault_during_a_refresh_is_a_retryable_503_and_the_retry_succeeds(RefreshFault fault)
    {
        var store = NewStore();
        await using var server = await TestServer.StartAsync(o => o.ConfigureServices = s => s.Replace(ServiceDescriptor.Singleton<IFamilyStore>(store)));
        var signIn = await server.SignInAsync();

        if (fault == RefreshFault.BeforeAnyCall)
        {
            store.FailNext();
        }
        else
        {
            store.LoseNextResponse(StoreOperations.Rotate);
        }

        var failed = await server.RefreshAsync(signIn.RefreshToken);
        var retried = await server.RefreshAsync(signIn.RefreshToken);
        var next = await server.RefreshAsync(retried.RefreshToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.HttpStatusCode);
        Assert.Equal("temporarily_unavailable", ErrorOf(failed.Raw));
        Assert.Equal("1", failed.HttpResponse!.Headers.RetryAfter!.ToString());
        Assert.DoesNotContain("Injected fault", failed.Raw, StringComparison.Ordinal);
        Assert.False(retried.IsError, retried.Error);
        Assert.False(next.IsError, next.Error);
    }

    private static FaultInjectingFamilyStore NewStore() => new(new InMemoryFamilyStore());

    // Duende.IdentityModel reads the OAuth error of 400 answers only; a 503 is an HTTP error (ErrorType.Http, which
    // its callers retry), so the body is read here.
    private static string? ErrorOf(string? raw) => System.Text.Json.JsonDocument.Parse(raw!).RootElement.GetProperty("error").GetString();

    [Fact]
    public async Task A_store_fault_at_sign_in_is_a_retryable_503()
    {
        var store = NewStore();
        await using var server = await TestServer.StartAsync(o => o.ConfigureServices = s => s.Replace(ServiceDescriptor.Singleton<IFamilyStore>(store)));

        store.FailNext(StoreOperations.Create);
        var failed = await server.SignInAsync();
        var retried = await server.SignInAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.HttpStatusCode);
        Assert.Equal("temporarily_unavailable", ErrorOf(failed.Raw));
        Assert.False(retried.IsError, retried.Error);
    }

    [Fact]
    public async Task A_store_fault_at_the_revocation_endpoint_is_a_retryable_503()
    {
        var store = NewStore();
        await using var server = await TestServer.StartAsync(o => o.ConfigureServices = s => s.Replace(ServiceDescriptor.Singleton<IFamilyStore>(store)));
        var signIn = await server.SignInAsync();

        store.FailNext();
        var failed = await server.RevokeAsync(signIn.RefreshToken!);
        var retried = await server.RevokeAsync(signIn.RefreshToken!);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.HttpStatusCode);
        Assert.Equal("temporarily_unavailable", ErrorOf(failed.Raw));
        Assert.Equal(HttpStatusCode.OK, retried.HttpStatusCode);
        Assert.Equal("invalid_grant", (await server.RefreshAsync(signIn.RefreshToken)).Error);
    }
}
