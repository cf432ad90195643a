using Npgsql;

namespace RotationEngine.Postgres;

/// <summary>Where and how <see cref="PostgresFamilyStore"/> keeps families.</summary>
public sealed class PostgresFamilyStoreOptions
{
    /// <summary>The default <see cref="TableName"/>.</summary>
    public const string DefaultTableName = "rotation_families";

    /// <summary>An Npgsql connection string. The store builds (and disposes) a pooled
    /// <see cref="NpgsqlDataSource"/> from it. Ignored when <see cref="DataSource"/> is set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A data source the host owns (the store does not dispose it), for example one shared with
    /// the rest of the application. Takes precedence over <see cref="ConnectionString"/>.</summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>The schema holding the table; it must exist. A lower-case letter or underscore, then lower-case
    /// letters, digits and underscores, at most 48 characters. Default <c>public</c>.</summary>
    public string Schema { get; set; } = "public";

    /// <summary>The families table. The store also creates <c>{TableName}_migrations</c> beside it.
    /// A lower-case letter or underscore, then lower-case letters, digits and underscores, at most 48 characters.
    /// Default <c>rotation_families</c>.</summary>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>Whether the store creates and migrates its schema when the host starts
    /// (<see cref="PostgresFamilyStore.InitializeAsync"/>) or before its first operation (default true). Turn it off
    /// when a deployment step runs <see cref="PostgresFamilyStore.MigrateAsync"/> instead: the start then only checks
    /// that the schema is at this build's version.</summary>
    public bool MigrateSchema { get; set; } = true;
}
