using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// Checks <see cref="RedisFamilyStoreOptions"/>: <c>UseRedisStore</c> runs it when the host starts, and the store's
/// constructor runs it too. Each message names the option and what it allows; none repeats a configuration string
/// (it may hold the password).
/// </summary>
internal sealed class RedisFamilyStoreOptionsValidator : IValidateOptions<RedisFamilyStoreOptions>
{
    /// <summary>The longest retention, as the engine's <c>RotationEngineOptions.Retention</c>.</summary>
    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3650);

    /// <summary>The longest key prefix.</summary>
    public const int MaxKeyPrefixLength = 256;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RedisFamilyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem of <paramref name="options"/>.</summary>
    public static void ThrowIfInvalid(RedisFamilyStoreOptions options)
    {
        var errors = Errors(options).ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RedisFamilyStoreOptions), errors);
        }
    }

    /// <summary>Whether <paramref name="prefix"/> is a key prefix the store accepts: at most
    /// <see cref="MaxKeyPrefixLength"/> characters without <c>{</c> or <c>}</c> (the cluster hash-tag delimiters).</summary>
    public static bool IsKeyPrefix(string? prefix) =>
        prefix is not null && prefix.Length <= MaxKeyPrefixLength && prefix.AsSpan().IndexOfAny('{', '}') < 0;

    private static IEnumerable<string> Errors(RedisFamilyStoreOptions options)
    {
        const string Prefix = nameof(RedisFamilyStoreOptions) + ".";
        if (options.Connection is null)
        {
            if (string.IsNullOrWhiteSpace(options.Configuration))
            {
                yield return $"Set {Prefix}{nameof(RedisFamilyStoreOptions.Configuration)} (a StackExchange.Redis configuration string such as 'host:6379,password=…') or {Prefix}{nameof(RedisFamilyStoreOptions.Connection)} (a host-owned IConnectionMultiplexer).";
            }
            else if (!IsConfiguration(options.Configuration))
            {
                // Neither the value nor the driver's message: either could carry the password.
                yield return $"{Prefix}{nameof(RedisFamilyStoreOptions.Configuration)} is not a valid StackExchange.Redis configuration string (comma-separated end points and key=value options).";
            }
        }

        if (options.Database < -1)
        {
            yield return $"{Prefix}{nameof(RedisFamilyStoreOptions.Database)} is {options.Database}; it must be -1 (the connection's default) or a database number from 0 (0 on a cluster).";
        }

        if (!IsKeyPrefix(options.KeyPrefix))
        {
            yield return options.KeyPrefix is null
                ? $"{Prefix}{nameof(RedisFamilyStoreOptions.KeyPrefix)} is null; it must be a string of at most {MaxKeyPrefixLength} characters without '{{' or '}}' (empty is allowed)."
                : $"{Prefix}{nameof(RedisFamilyStoreOptions.KeyPrefix)} is '{options.KeyPrefix}'; it must be at most {MaxKeyPrefixLength} characters without '{{' or '}}' (they are the cluster hash-tag delimiters).";
        }

        if (options.Retention is { } retention && (retention < TimeSpan.Zero || retention > MaxRetention))
        {
            yield return $"{Prefix}{nameof(RedisFamilyStoreOptions.Retention)} is {retention}; it must be from 00:00:00 to {MaxRetention} (or null: the engine's retention).";
        }
        else if (options.Retention is { } whole && whole.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            yield return $"{Prefix}{nameof(RedisFamilyStoreOptions.Retention)} is {whole}; it must be whole milliseconds.";
        }
    }

    private static bool IsConfiguration(string configuration)
    {
        try
        {
            return ConfigurationOptions.Parse(configuration).EndPoints.Count > 0;
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or RedisException)
        {
            return false;
        }
    }
}
