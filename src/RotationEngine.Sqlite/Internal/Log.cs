using Microsoft.Extensions.Logging;

namespace RotationEngine.Sqlite.Internal;

/// <summary>Every log entry of the SQLite store, with stable event ids. None takes a path, a connection string,
/// a token or a parameter value.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, EventName = "SqliteSchemaMigrated", Level = LogLevel.Information,
        Message = "SQLite family store: schema migrated from version {FromVersion} to {ToVersion}")]
    public static partial void SchemaMigrated(ILogger logger, int fromVersion, int toVersion);

    [LoggerMessage(EventId = 3002, EventName = "SqliteStoreOpened", Level = LogLevel.Debug,
        Message = "SQLite family store opened: schema version {Version}, journal mode {JournalMode}, synchronous {Synchronous}, pool size {PoolSize}")]
    public static partial void Opened(ILogger logger, int version, string journalMode, string synchronous, int poolSize);

    [LoggerMessage(EventId = 3003, EventName = "SqliteConnectionDiscarded", Level = LogLevel.Debug,
        Message = "SQLite family store: a connection was closed after a fault during {Operation}")]
    public static partial void ConnectionDiscarded(ILogger logger, string operation);
}
