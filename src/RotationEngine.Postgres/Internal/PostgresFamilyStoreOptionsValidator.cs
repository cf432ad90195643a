using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace RotationEngine.Postgres.Internal;

/// <summary>
/// Checks <see cref="PostgresFamilyStoreOptions"/>: <c>UsePostgresStore</c> runs it when the host starts, and the
/// store's constructor runs it too. Each message names the option and what it allows; none repeats a connection string.
/// </summary>
internal sealed partial class PostgresFamilyStoreOptionsValidator : IValidateOptions<PostgresFamilyStoreOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PostgresFamilyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem of <paramref name="options"/>.</summary>
    internal static void ThrowIfInvalid(PostgresFamilyStoreOptions options)
    {
        var errors = Errors(options).ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(PostgresFamilyStoreOptions), errors);
        }
    }

    /// <summary>Whether <paramref name="name"/> is a schema or table name the store accepts: a lower-case letter or
    /// underscore, then up to 47 lower-case letters, digits or underscores (so that the quoted name never needs
    /// escaping and <c>{table}_migrations</c> stays within PostgreSQL's 63 bytes).</summary>
    internal static bool IsIdentifier(string? name) => name is not null && IdentifierPattern().IsMatch(name);

    private static IEnumerable<string> Errors(PostgresFamilyStoreOptions options)
    {
        const string Prefix = nameof(PostgresFamilyStoreOptions) + ".";
        if (options.DataSource is null)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                yield return $"Set {Prefix}{nameof(PostgresFamilyStoreOptions.ConnectionString)} (an Npgsql connection string) or {Prefix}{nameof(PostgresFamilyStoreOptions.DataSource)} (a host-owned NpgsqlDataSource).";
            }
            else if (!IsConnectionString(options.ConnectionString))
            {
                // Neither the value nor the driver's message: either could carry the password.
                yield return $"{Prefix}{nameof(PostgresFamilyStoreOptions.ConnectionString)} is not a valid Npgsql connection string (keyword=value pairs separated by ';').";
            }
        }

        if (!IsIdentifier(options.Schema))
        {
            yield return $"{Prefix}{nameof(PostgresFamilyStoreOptions.Schema)} is '{options.Schema}'; it must be 1 to 48 characters: a lower-case letter or underscore, then lower-case letters, digits or underscores.";
        }

        if (!IsIdentifier(options.TableName))
        {
            yield return $"{Prefix}{nameof(PostgresFamilyStoreOptions.TableName)} is '{options.TableName}'; it must be 1 to 48 characters: a lower-case letter or underscore, then lower-case letters, digits or underscores.";
        }
    }

    private static bool IsConnectionString(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return false;
        }
    }

    // \z, not $: "$" also matches before a trailing newline, which would then reach the SQL.
    [GeneratedRegex(@"\A[a-z_][a-z0-9_]{0,47}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
