using System.Collections.Concurrent;

namespace OpenIddictServer;

/// <summary>The sample's user store: in memory, mutable, so that tests can change a user between refreshes.</summary>
public sealed class TestUsers
{
    private readonly ConcurrentDictionary<string, TestUser> _users = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces a user.</summary>
    public void Put(TestUser user) => _users[user.Id] = user;

    /// <summary>The user with this id, or null.</summary>
    public TestUser? Find(string id) => _users.TryGetValue(id, out var user) ? user : null;

    /// <summary>The user with this name and password, or null.</summary>
    public TestUser? FindByCredentials(string? name, string? password) =>
        _users.Values.FirstOrDefault(u => u.Name == name && u.Password == password && !u.LockedOut);

    /// <summary>Changes a user (e-mail, lock-out) as an administrator would.</summary>
    public void Update(string id, Func<TestUser, TestUser> change) => _users.AddOrUpdate(id, _ => throw new KeyNotFoundException(id), (_, user) => change(user));
}

/// <summary>A user of the sample.</summary>
public sealed record TestUser(string Id, string Name, string Password, string Email, IReadOnlyList<string> Roles, bool LockedOut = false);
