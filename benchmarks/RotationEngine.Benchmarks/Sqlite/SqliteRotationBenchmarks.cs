using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using RotationEngine.Benchmarks.Infrastructure;
using RotationEngine.Benchmarks.Peers;
#if SQLITE_STORE
using RotationEngine.Storage;
#endif

namespace RotationEngine.Benchmarks.Sqlite;

/// <summary>
/// One rotation on a SQLite file (WAL; synchronous NORMAL, the store's default, or FULL), one thread, in one run:
/// the raw-UPDATE limit (the store's conditional UPDATE as a prepared ADO.NET command, no engine, no RETURNING),
/// the engine on the SQLite store, the hand-written token-per-row design (Dapper) and OpenIddict's token manager
/// (EF Core). Each has its own file in the same directory, with the same settings.
/// </summary>
[MemoryDiagnoser]
public class SqliteRotationBenchmarks
{
    private const int Families = 256;
    private string _directory = null!;
    private TokenPerRowDesign _tokenPerRow = null!;
    private OpenIddictPeer _openIddict = null!;
    private string[] _rowTokens = [];
    private string[] _referenceIds = [];
    private int _nextRow;
    private int _nextReference;
#if SQLITE_STORE
    private BenchmarkStore _store = null!;
    private TokenPool _engineTokens = null!;
    private RawUpdateLimit _raw = null!;
#endif

    [Params(StoreKind.SqliteNormal, StoreKind.SqliteFull)]
    public StoreKind Synchronous { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var full = Synchronous == StoreKind.SqliteFull;
        _directory = SqliteFiles.NewDirectory();
        _tokenPerRow = new TokenPerRowDesign(SqliteFiles.Open(Path.Combine(_directory, "token-per-row.db"), full));
        _rowTokens = Enumerable.Range(0, Families).Select(_ => _tokenPerRow.Issue(EngineFixture.Subject, EngineFixture.Rolling)).ToArray();
        _openIddict = new OpenIddictPeer(SqliteFiles.Open(Path.Combine(_directory, "openiddict.db"), full));
        _openIddict.InitializeAsync().GetAwaiter().GetResult();
        _referenceIds = Enumerable.Range(0, Families).Select(_ => _openIddict.IssueAsync().GetAwaiter().GetResult()).ToArray();
#if SQLITE_STORE
        _store = BenchmarkStore.Create(Synchronous);
        var engine = EngineFixture.Create(_store.Store);
        _engineTokens = new TokenPool(engine, Families);
        _raw = new RawUpdateLimit(_store.Store, SqliteFiles.Open(_store.DatabasePath!, full), Families);
#endif
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tokenPerRow.Dispose();
        _openIddict.Dispose();
#if SQLITE_STORE
        _raw.Dispose();
        _store.Dispose();
#endif
        SqliteFiles.Delete(_directory);
    }

#if SQLITE_STORE
    [Benchmark(Baseline = true, Description = "SQLite limit (raw prepared UPDATE)")]
    public int RawUpdate() => _raw.RotateNext();

    [Benchmark(Description = "Engine Rotate (SQLite store)")]
    public ValueTask<string> EngineRotate() => _engineTokens.RotateNextAsync();
#endif

    [Benchmark(Description = "Token-per-row (Dapper)")]
    public string TokenPerRow()
    {
        var i = _nextRow;
        _nextRow = i + 1 == Families ? 0 : i + 1;
        return _rowTokens[i] = _tokenPerRow.Rotate(_rowTokens[i]) ?? throw new InvalidOperationException("The token-per-row rotation failed.");
    }

    [Benchmark(Description = "OpenIddict 7.8 token manager (EF Core)")]
    public async Task<string> OpenIddict()
    {
        var i = _nextReference;
        _nextReference = i + 1 == Families ? 0 : i + 1;
        return _referenceIds[i] = await _openIddict.RotateAsync(_referenceIds[i]) ?? throw new InvalidOperationException("The OpenIddict rotation failed.");
    }
}
