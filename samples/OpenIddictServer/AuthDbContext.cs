using Microsoft.EntityFrameworkCore;

namespace OpenIddictServer;

/// <summary>OpenIddict's entities (applications, authorizations, scopes, tokens) on EF Core SQLite.</summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options);
