using System.Globalization;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// A family as the fields of its Redis hash. Times are Unix milliseconds and numbers are decimal text; a
/// null property is an absent field. Short names keep the hash small (Redis stores small hashes as listpacks).
/// </summary>
internal static class FamilyFields
{
    public const string Subject = "sub";
    public const string ClientId = "cli";
    public const string Binding = "bnd";
    public const string KeyId = "kid";
    public const string Metadata = "meta";
    public const string CreatedAt = "cat";
    public const string FamilyExpiresAt = "fexp";
    public const string TokenExpiresAt = "texp";
    public const string Generation = "gen";
    public const string Digest = "dig";
    public const string Ledger = "led";
    public const string Status = "st";
    public const string RevokedAt = "rat";
    public const string RevocationReason = "rr";
    public const string TokenLifetime = "tl";
    public const string FamilyLifetime = "fl";
    public const string GraceWindow = "gw";
    public const string GraceDepth = "gd";
    public const string GraceMaxReplays = "gmr";
    public const string BindingMismatchRevokes = "bmr";
    public const string MaxGenerations = "maxg";

    /// <summary>The field, value pairs of <paramref name="family"/>, appended to <paramref name="values"/>.</summary>
    public static void Write(FamilyRecord family, List<RedisValue> values)
    {
        var policy = family.Policy;
        Add(values, Subject, family.Subject);
        Add(values, ClientId, family.ClientId);
        Add(values, Binding, family.Binding);
        Add(values, KeyId, family.KeyId);
        Add(values, Metadata, family.Metadata);
        Add(values, CreatedAt, Milliseconds(family.CreatedAt));
        Add(values, FamilyExpiresAt, Milliseconds(family.FamilyExpiresAt));
        Add(values, TokenExpiresAt, Milliseconds(family.TokenExpiresAt));
        Add(values, Generation, family.Generation);
        values.Add(Digest);
        values.Add(family.Digest);
        Add(values, Ledger, family.Ledger);
        Add(values, Status, (int)family.Status);
        if (family.RevokedAt is { } revokedAt)
        {
            Add(values, RevokedAt, Milliseconds(revokedAt));
        }

        if (family.RevocationReason is { } reason)
        {
            Add(values, RevocationReason, (int)reason);
        }

        Add(values, TokenLifetime, Milliseconds(policy.TokenLifetime));
        Add(values, FamilyLifetime, Milliseconds(policy.FamilyLifetime));
        Add(values, GraceWindow, Milliseconds(policy.GraceWindow));
        Add(values, GraceDepth, policy.GraceDepth);
        if (policy.GraceMaxReplays is { } replays)
        {
            Add(values, GraceMaxReplays, replays);
        }

        Add(values, BindingMismatchRevokes, policy.BindingMismatchRevokes ? 1 : 0);
        Add(values, MaxGenerations, policy.MaxGenerations);
    }

    /// <summary>Reads a family from the flat field, value array HGETALL returns; null when it is empty.</summary>
    public static FamilyRecord? Read(FamilyId id, RedisResult result)
    {
        if (result.IsNull || result.Length == 0)
        {
            return null;
        }

        var fields = new Dictionary<string, RedisValue>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < result.Length; i += 2)
        {
            fields[(string)result[i]!] = (RedisValue)result[i + 1];
        }

        return Read(id, fields);
    }

    /// <summary>Reads a family from its hash entries; null when there are none.</summary>
    public static FamilyRecord? Read(FamilyId id, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = new Dictionary<string, RedisValue>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            fields[(string)entry.Name!] = entry.Value;
        }

        return Read(id, fields);
    }

    public static long Milliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static long Milliseconds(TimeSpan duration) => (long)duration.TotalMilliseconds;

    private static FamilyRecord Read(FamilyId id, Dictionary<string, RedisValue> fields) => new()
    {
        Id = id,
        Subject = Text(fields, Subject)!,
        ClientId = Text(fields, ClientId)!,
        Binding = Text(fields, Binding),
        KeyId = Text(fields, KeyId)!,
        Metadata = Text(fields, Metadata),
        CreatedAt = Time(fields, CreatedAt),
        FamilyExpiresAt = Time(fields, FamilyExpiresAt),
        TokenExpiresAt = Time(fields, TokenExpiresAt),
        Generation = (int)Number(fields, Generation),
        Digest = (byte[])fields[Digest]!,
        Ledger = Text(fields, Ledger)!,
        Status = (FamilyStatus)Number(fields, Status),
        RevokedAt = fields.ContainsKey(RevokedAt) ? Time(fields, RevokedAt) : null,
        RevocationReason = fields.ContainsKey(RevocationReason) ? (RevocationReason)Number(fields, RevocationReason) : null,
        Policy = new RotationPolicy
        {
            TokenLifetime = TimeSpan.FromMilliseconds(Number(fields, TokenLifetime)),
            FamilyLifetime = TimeSpan.FromMilliseconds(Number(fields, FamilyLifetime)),
            GraceWindow = TimeSpan.FromMilliseconds(Number(fields, GraceWindow)),
            GraceDepth = (int)Number(fields, GraceDepth),
            GraceMaxReplays = fields.ContainsKey(GraceMaxReplays) ? (int)Number(fields, GraceMaxReplays) : null,
            BindingMismatchRevokes = Number(fields, BindingMismatchRevokes) != 0,
            MaxGenerations = (int)Number(fields, MaxGenerations),
        },
    };

    private static void Add(List<RedisValue> values, string field, string? value)
    {
        if (value is not null)
        {
            values.Add(field);
            values.Add(value);
        }
    }

    private static void Add(List<RedisValue> values, string field, long value)
    {
        values.Add(field);
        values.Add(value.ToString(CultureInfo.InvariantCulture));
    }

    private static string? Text(Dictionary<string, RedisValue> fields, string field) =>
        fields.TryGetValue(field, out var value) ? (string?)value : null;

    private static long Number(Dictionary<string, RedisValue> fields, string field) =>
        long.Parse((string)fields[field]!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(Dictionary<string, RedisValue> fields, string field) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Number(fields, field));
}
