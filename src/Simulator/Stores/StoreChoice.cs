using RotationEngine.Storage;
using RotationEngine.Testing.BrokenStores;

namespace Simulator.Stores;

/// <summary>The <c>--store</c> option: <c>memory</c>; <c>sqlite</c> with an optional directory for the files;
/// <c>postgres=CONNECTION-STRING</c>; <c>redis=CONFIGURATION</c>.</summary>
internal sealed record StoreChoice(string Kind, string? Path)
{
    public static StoreChoice Memory { get; } = new("memory", null);

    public static StoreChoice Parse(string text)
    {
        var (kind, path) = text.IndexOf('=', StringComparison.Ordinal) is var i and >= 0 ? (text[..i], text[(i + 1)..]) : (text, null);
        return kind switch
        {
            "memory" when path is null => Memory,
            "sqlite" => new StoreChoice("sqlite", string.IsNullOrEmpty(path) ? null : path),
            "postgres" or "redis" when !string.IsNullOrEmpty(path) => new StoreChoice(kind, path),
            _ => throw new ArgumentException($"Unknown store '{Redact(text)}': use memory, sqlite[=DIRECTORY], postgres=CONNECTION-STRING or redis=CONFIGURATION."),
        };
    }

    /// <summary>The choice for printing: connection strings may hold passwords, so only SQLite shows its path.</summary>
    public override string ToString() => Kind switch
    {
        "postgres" => "postgres='<connection string>'",
        "redis" => "redis='<configuration>'",
        _ => Path is null ? Kind : $"{Kind}={Path}",
    };

    private static string Redact(string text) => text.IndexOf('=', StringComparison.Ordinal) is var i and >= 0 ? text[..i] + "=…" : text;
}

/// <summary>
/// Opens handles onto one store's data. Every engine instance, and every restart of one, opens its own
/// handle: for a database that is a new connection to the same file, so nothing survives a restart but
/// what the store holds.
/// </summary>
internal interface IStoreProvider : IDisposable
{
    /// <summary>Whether every call completes synchronously (the deterministic loop then never blocks).</summary>
    bool CompletesSynchronously { get; }

    /// <summary>Opens a handle onto the store's data.</summary>
    IFamilyStore Open();

    /// <summary>Closes a handle opened by <see cref="Open"/> (an engine restart).</summary>
    void Close(IFamilyStore handle);
}

/// <summary>The in-memory store (or a sabotaged one): one object that every instance shares, like an external database.</summary>
internal sealed class MemoryStoreProvider(Sabotage sabotage) : IStoreProvider
{
    private readonly IFamilyStore _store = sabotage == Sabotage.None ? new InMemoryFamilyStore() : BrokenStore.Create(SabotageNames.Flaw(sabotage));

    public bool CompletesSynchronously => true;

    public IFamilyStore Open() => _store;

    public void Close(IFamilyStore handle)
    {
    }

    public void Dispose()
    {
    }
}

/// <summary>Creates the provider for a <see cref="StoreChoice"/>.</summary>
internal static class StoreProviders
{
    /// <param name="choice">The store.</param>
    /// <param name="sabotage">A deliberate flaw (memory only).</param>
    /// <param name="runName">Names the run's database file, so that parallel runs never share one.</param>
    public static IStoreProvider Create(StoreChoice choice, Sabotage sabotage, string runName)
    {
        if (choice.Kind == "memory")
        {
            return new MemoryStoreProvider(sabotage);
        }

        if (sabotage != Sabotage.None)
        {
            throw new ArgumentException("--sabotage needs --store memory: the flawed stores are in-memory ones.");
        }

        return choice.Kind switch
        {
            "postgres" => new PostgresStoreProvider(choice.Path!, runName),
            "redis" => new RedisStoreProvider(choice.Path!, runName),
            _ => SqliteStoreProvider.Create(choice.Path, runName),
        };
    }
}
