using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// The Lua scripts of the store, each touching one key (one hash slot), so they run on Redis Cluster. The field names
/// are those of <see cref="FamilyColumns"/>. Lua numbers are doubles: Unix milliseconds (below 2^53) are exact, and
/// <c>string.format('%d', …)</c> writes them back without an exponent. No script reads Redis's clock: every time comes
/// from the engine, and key lifetimes are set relative to the engine's <c>now</c>.
/// </summary>
internal static class RedisScripts
{
    private static readonly string SlotLength = GraceLedger.SlotLength.ToString(CultureInfo.InvariantCulture);

    private static readonly string ErasedDigestLength = FamilyColumns.DigestSize.ToString(CultureInfo.InvariantCulture);

    /// <summary>KEYS[1] = family. ARGV[1] = time to live in ms (0 = none), then field, value pairs.
    /// Returns 1, or 0 when the family already exists (then nothing changed).</summary>
    public static readonly RedisScript Create = new("""
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        local ttl = tonumber(ARGV[1])
        if ttl > 0 then redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl)) end
        return 1
        """);

    /// <summary>KEYS[1] = family. ARGV = generation, expected digest, new digest, key id, client id, binding, has
    /// binding ('1'/'0'), presented issue time, now, ledger slot, retention ms. The rotation's condition and update,
    /// mirroring <c>RotationCommand.Matches</c> and <c>ApplyTo</c> (the idle expiry is checked against the presented
    /// token's issue time, not the stored token expiry); returns every field as written (HMGET, canonical order) or nil.
    /// The key then expires at min(token expiry, family expiry) + retention.</summary>
    public static readonly RedisScript Rotate = new($$"""
        local f = redis.call('HMGET', KEYS[1], 'generation', 'digest', 'key_id', 'client_id', 'binding', 'status', 'family_expires_at', 'max_generations', 'token_lifetime_ms', 'grace_depth', 'ledger')
        if not f[1] then return false end
        local gen = tonumber(f[1])
        if gen ~= tonumber(ARGV[1]) or tonumber(f[6]) ~= 0 or f[2] ~= ARGV[2] or f[3] ~= ARGV[4] or f[4] ~= ARGV[5] then return false end
        local now = tonumber(ARGV[9])
        local lifetime = tonumber(f[9])
        local fexp = tonumber(f[7])
        if not (now < tonumber(ARGV[8]) + lifetime) or not (now < fexp) or not (gen < tonumber(f[8])) then return false end
        if f[5] and (ARGV[7] ~= '1' or f[5] ~= ARGV[6]) then return false end
        local texp = now + lifetime
        local ledger = string.sub(ARGV[10] .. (f[11] or ''), 1, tonumber(f[10]) * {{SlotLength}})
        redis.call('HSET', KEYS[1], 'generation', string.format('%d', gen + 1), 'digest', ARGV[3], 'token_expires_at', string.format('%d', texp), 'ledger', ledger)
        redis.call('PEXPIRE', KEYS[1], string.format('%d', math.min(texp, fexp) + tonumber(ARGV[11]) - now))
        return redis.call('HMGET', KEYS[1], {{FamilyHash.LuaFieldList}})
        """);

    /// <summary>KEYS[1] = family. ARGV = generation, expected ledger, new ledger. Returns 1 if counted, else 0.</summary>
    public static readonly RedisScript RecordReplay = new("""
        local f = redis.call('HMGET', KEYS[1], 'status', 'generation', 'ledger')
        if tonumber(f[1]) ~= 0 or tonumber(f[2]) ~= tonumber(ARGV[1]) or f[3] ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], 'ledger', ARGV[3])
        return 1
        """);

    /// <summary>KEYS[1] = family. ARGV = reason, now, retention ms, subject ('' = any). Revokes an active family (of
    /// that subject) and erases its digest (16 zero bytes); returns 1 if it changed, 0 if not, -1 if the family is
    /// absent. The key then expires at the earliest of its expiries and now, plus retention.</summary>
    public static readonly RedisScript Revoke = new($$"""
        local f = redis.call('HMGET', KEYS[1], 'status', 'token_expires_at', 'family_expires_at', 'subject')
        if not f[1] then return -1 end
        if tonumber(f[1]) ~= 0 then return 0 end
        if ARGV[4] ~= '' and f[4] ~= ARGV[4] then return 0 end
        local now = tonumber(ARGV[2])
        redis.call('HSET', KEYS[1], 'status', '1', 'revoked_at', ARGV[2], 'revocation_reason', ARGV[1], 'digest', string.rep('\0', {{ErasedDigestLength}}))
        local ttl = math.min(tonumber(f[2]), tonumber(f[3]), now) + tonumber(ARGV[3]) - now
        if ttl > 0 then redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl)) end
        return 1
        """);

    /// <summary>KEYS[1] = family. ARGV[1] = cutoff. Deletes the family if its prunable time (the earliest of its
    /// expiries and, once revoked, its revocation) is before the cutoff. Returns {0} if absent, {1, subject} if
    /// deleted, {2, prunable time} if kept.</summary>
    public static readonly RedisScript PruneOne = new("""
        local f = redis.call('HMGET', KEYS[1], 'token_expires_at', 'family_expires_at', 'status', 'revoked_at', 'subject')
        if not f[1] then return {0} end
        local at = math.min(tonumber(f[1]), tonumber(f[2]))
        if tonumber(f[3]) == 1 and f[4] then at = math.min(at, tonumber(f[4])) end
        if at < tonumber(ARGV[1]) then
            redis.call('DEL', KEYS[1])
            return {1, f[5]}
        end
        return {2, string.format('%d', at)}
        """);

    /// <summary>KEYS[1] = subject index. ARGV = family id, its score (the latest time its key can live, in engine
    /// ms), now. Adds the id and extends the index's own life to cover the score (never shortens it).</summary>
    public static readonly RedisScript IndexSubject = new("""
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        local ttl = tonumber(ARGV[2]) - tonumber(ARGV[3])
        local current = redis.call('PTTL', KEYS[1])
        if ttl > 0 and (current == -1 or current < ttl) then redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl)) end
        return 1
        """);

    /// <summary>KEYS[1] = subject index. ARGV[1] = now. Drops the ids whose score is before now (their keys cannot
    /// live any longer) and returns the others. It never drops an id for any other reason.</summary>
    public static readonly RedisScript SubjectMembers = new("""
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
        return redis.call('ZRANGE', KEYS[1], 0, -1)
        """);

    /// <summary>KEYS[1] = DPoP proof key. ARGV = now, expiry (engine Unix ms). The value is the expiry, compared with
    /// the caller's now like every other replay cache, so an entry whose expiry has passed counts as absent whatever
    /// Redis's clock says; the key expires by itself that long after now. Returns 1 if added, 0 if live (a replay).</summary>
    public static readonly RedisScript DPoPTryAdd = new("""
        local now = tonumber(ARGV[1])
        local held = redis.call('GET', KEYS[1])
        if held and tonumber(held) > now then return 0 end
        local ttl = tonumber(ARGV[2]) - now
        if ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', string.format('%d', ttl)) else redis.call('DEL', KEYS[1]) end
        return 1
        """);

    /// <summary>Every script, for loading them at start-up.</summary>
    public static IReadOnlyList<RedisScript> All { get; } = [Create, Rotate, RecordReplay, Revoke, PruneOne, IndexSubject, SubjectMembers, DPoPTryAdd];

    /// <summary>Calls <paramref name="script"/> by its SHA-1; when the server answers NOSCRIPT (it restarted or its script
    /// cache was flushed) the script did not run, so it is sent again in full, which also reloads it.</summary>
    public static async Task<RedisResult> EvaluateAsync(IDatabase db, RedisScript script, RedisKey key, RedisValue[] values)
    {
        RedisKey[] keys = [key];
        try
        {
            return await db.ScriptEvaluateAsync(script.Sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(script.Text, keys, values, CommandFlags.NoScriptCache).ConfigureAwait(false);
        }
    }
}

/// <summary>A Lua script and its SHA-1, the name EVALSHA calls it by.</summary>
internal sealed class RedisScript(string text)
{
    public string Text { get; } = text;

#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by; it protects nothing here.
    public byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
}
