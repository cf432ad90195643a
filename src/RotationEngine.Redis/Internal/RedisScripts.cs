using System.Security.Cryptography;
using System.Text;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// The Lua scripts of the store, each touching one family key (one hash slot), so they run on Redis Cluster.
/// Lua numbers are doubles: Unix milliseconds (below 2^53) are exact, and <c>string.format('%d', …)</c> writes
/// them back without an exponent. The field names are those of <see cref="FamilyFields"/>.
/// </summary>
internal static class RedisScripts
{
    /// <summary>KEYS[1] = family. ARGV[1] = time to live in ms (0 = none), then field, value pairs.
    /// Returns 1, or 0 when the family already exists.</summary>
    public static readonly RedisScript Create = new("""
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        local ttl = tonumber(ARGV[1])
        if ttl > 0 then redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl)) end
        return 1
        """);

    /// <summary>KEYS[1] = family. ARGV = generation, expected digest, new digest, key id, binding, has binding
    /// ('1'/'0'), now, ledger slot, retention ms. The rotation's condition and update (the reference is
    /// <c>RotationCommand.Matches</c>/<c>ApplyTo</c>); returns the family as written (HGETALL) or nil.
    /// The key then expires at min(token expiry, family expiry) + retention.</summary>
    public static readonly RedisScript Rotate = new("""
        local f = redis.call('HMGET', KEYS[1], 'gen', 'dig', 'kid', 'bnd', 'st', 'texp', 'fexp', 'maxg', 'tl', 'gd', 'led')
        if not f[1] then return false end
        local gen = tonumber(f[1])
        local now = tonumber(ARGV[7])
        local fexp = tonumber(f[7])
        if gen ~= tonumber(ARGV[1]) or f[5] ~= '0' or f[3] ~= ARGV[4] or f[2] ~= ARGV[2] then return false end
        if not (now < tonumber(f[6])) or not (now < fexp) or not (gen < tonumber(f[8])) then return false end
        if f[4] and (ARGV[6] ~= '1' or f[4] ~= ARGV[5]) then return false end
        local texp = now + tonumber(f[9])
        local ledger = string.sub(ARGV[8] .. f[11], 1, (tonumber(f[10]) + 1) * 16)
        redis.call('HSET', KEYS[1], 'gen', string.format('%d', gen + 1), 'dig', ARGV[3], 'texp', string.format('%d', texp), 'led', ledger)
        redis.call('PEXPIRE', KEYS[1], string.format('%d', math.min(texp, fexp) + tonumber(ARGV[9]) - now))
        return redis.call('HGETALL', KEYS[1])
        """);

    /// <summary>KEYS[1] = family. ARGV = generation, expected ledger, new ledger. Returns 1 if counted, else 0.</summary>
    public static readonly RedisScript RecordReplay = new("""
        local f = redis.call('HMGET', KEYS[1], 'st', 'gen', 'led')
        if f[1] ~= '0' or tonumber(f[2]) ~= tonumber(ARGV[1]) or f[3] ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], 'led', ARGV[3])
        return 1
        """);

    /// <summary>KEYS[1] = family. ARGV = reason, now, retention ms, subject ('' = any). Revokes an active family
    /// (of that subject); returns 1 if it changed, else 0. The key then expires at the earliest of its expiries
    /// and now, plus retention.</summary>
    public static readonly RedisScript Revoke = new("""
        local f = redis.call('HMGET', KEYS[1], 'st', 'texp', 'fexp', 'sub')
        if f[1] ~= '0' then return 0 end
        if ARGV[4] ~= '' and f[4] ~= ARGV[4] then return 0 end
        local now = tonumber(ARGV[2])
        redis.call('HSET', KEYS[1], 'st', '1', 'rat', ARGV[2], 'rr', ARGV[1])
        local ttl = math.min(tonumber(f[2]), tonumber(f[3]), now) + tonumber(ARGV[3]) - now
        if ttl > 0 then redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl)) end
        return 1
        """);

    /// <summary>KEYS[1] = family. ARGV[1] = cutoff. Deletes the family if it was revoked before the cutoff or
    /// either expiry is before it. Returns {0} if absent, {1, subject} if deleted, {2, prunable-at} if kept.</summary>
    public static readonly RedisScript PruneOne = new("""
        local f = redis.call('HMGET', KEYS[1], 'texp', 'fexp', 'st', 'rat', 'sub')
        if not f[1] then return {0} end
        local at = math.min(tonumber(f[1]), tonumber(f[2]))
        if f[3] == '1' and f[4] then at = math.min(at, tonumber(f[4])) end
        if at < tonumber(ARGV[1]) then
            redis.call('DEL', KEYS[1])
            return {1, f[5]}
        end
        return {2, string.format('%d', at)}
        """);

    /// <summary>KEYS[1] = subject index. ARGV = family id, time to live in ms. Adds the id and extends the
    /// set's life to cover the family's (never shortens it).</summary>
    public static readonly RedisScript IndexSubject = new("""
        redis.call('SADD', KEYS[1], ARGV[1])
        local ttl = tonumber(ARGV[2])
        local current = redis.call('PTTL', KEYS[1])
        if current >= 0 and current < ttl then redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl)) end
        if current == -1 and ttl > 0 then redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl)) end
        return 1
        """);
}

/// <summary>A Lua script and its SHA-1, the name EVALSHA calls it by.</summary>
internal sealed class RedisScript(string text)
{
    public string Text { get; } = text;

#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by; it protects nothing here.
    public byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
}
