using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace RotationEngine.Benchmarks.Peers;

/// <summary>
/// The peer: OpenIddict 7's token manager on EF Core SQLite doing what its server does for a rolling refresh
/// with reference tokens, one DI scope per request: find the presented token by its reference id, validate
/// it (type, status, expiry), redeem it (an optimistic-concurrency update), and create its successor under the
/// same application and authorization. Not included (which favours the peer): the token payload (OpenIddict
/// stores the encrypted token there), the claims principal, and the access token a real response also carries.
/// </summary>
internal sealed class OpenIddictPeer : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time = TimeProvider.System;
    private string _applicationId = "";
    private string _authorizationId = "";

    public OpenIddictPeer(SqliteConnection connection)
    {
        _connection = connection;
        var services = new ServiceCollection();
        services.AddLogging();
        // A pooled context over the one open connection (the file settings are per connection).
        services.AddDbContextPool<PeerDbContext>(options => options.UseSqlite(connection).UseOpenIddict());
        services.AddOpenIddict().AddCore(options => options.UseEntityFrameworkCore().UseDbContext<PeerDbContext>());
        _services = services.BuildServiceProvider();
    }

    public async Task InitializeAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PeerDbContext>().Database.EnsureCreatedAsync();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = "web",
            ClientType = ClientTypes.Public,
            DisplayName = "Benchmark client",
        });
        _applicationId = (await applications.GetIdAsync(application))!;
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        var authorization = await authorizations.CreateAsync(new OpenIddictAuthorizationDescriptor
        {
            ApplicationId = _applicationId,
            CreationDate = _time.GetUtcNow(),
            Status = Statuses.Valid,
            Subject = "user-0001",
            Type = AuthorizationTypes.Permanent,
        });
        _authorizationId = (await authorizations.GetIdAsync(authorization))!;
    }

    public async Task<string> IssueAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        return await CreateAsync(tokens, "user-0001");
    }

    /// <summary>The successor's reference id, or null when the presented one is refused.</summary>
    public async Task<string?> RotateAsync(string referenceId)
    {
        await using var scope = _services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var token = await tokens.FindByReferenceIdAsync(referenceId);
        if (token is null
            || !await tokens.HasTypeAsync(token, TokenTypeIdentifiers.RefreshToken)
            || !await tokens.HasStatusAsync(token, Statuses.Valid)
            || await tokens.GetExpirationDateAsync(token) is not { } expires
            || expires <= _time.GetUtcNow()
            || !await tokens.TryRedeemAsync(token))
        {
            return null;
        }

        return await CreateAsync(tokens, await tokens.GetSubjectAsync(token) ?? "");
    }

    public void Dispose()
    {
        _services.Dispose();
        _connection.Dispose();
    }

    private async Task<string> CreateAsync(IOpenIddictTokenManager tokens, string subject)
    {
        var now = _time.GetUtcNow();
        var referenceId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await tokens.CreateAsync(new OpenIddictTokenDescriptor
        {
            ApplicationId = _applicationId,
            AuthorizationId = _authorizationId,
            CreationDate = now,
            ExpirationDate = now.AddDays(14),
            ReferenceId = referenceId,
            Status = Statuses.Valid,
            Subject = subject,
            Type = TokenTypeIdentifiers.RefreshToken,
        });
        return referenceId;
    }

    internal sealed class PeerDbContext(DbContextOptions<PeerDbContext> options) : DbContext(options);
}
