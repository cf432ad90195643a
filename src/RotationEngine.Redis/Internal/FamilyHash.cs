using System.Collections;
using System.Data.Common;
using System.Globalization;
using RotationEngine.Storage;
using StackExchange.Redis;

namespace RotationEngine.Redis.Internal;

/// <summary>
/// A family as the fields of its Redis hash: the columns of <see cref="FamilyColumns"/>, by their names, with its
/// conversions (times and durations as Unix milliseconds, enums and numbers as decimal text, the flag as
/// <c>1</c>/<c>0</c>, the id as 32 hexadecimal digits, digest and seal as raw bytes, a null value as an absent field).
/// A family is read with <see cref="FamilyColumns.Read"/> over the values <c>HMGET</c> returns in canonical order, so
/// the Redis and the SQL stores share one shape and one set of conversions.
/// </summary>
internal static class FamilyHash
{
    /// <summary>Every field, in the canonical order, as HMGET takes them.</summary>
    public static RedisValue[] Fields { get; } = FamilyColumns.All.Select(name => (RedisValue)name).ToArray();

    /// <summary>The fields as a Lua list of quoted names, for the scripts' HMGET.</summary>
    public static string LuaFieldList { get; } = string.Join(", ", FamilyColumns.All.Select(name => $"'{name}'"));

    /// <summary>The field, value pairs of <paramref name="family"/>, appended to <paramref name="values"/>.</summary>
    public static void AppendFields(FamilyRecord family, List<RedisValue> values)
    {
        var row = FamilyColumns.Values(family);
        for (var i = 0; i < row.Length; i++)
        {
            if (row[i] is { } value)
            {
                values.Add(FamilyColumns.All[i]);
                values.Add(ToRedis(value));
            }
        }
    }

    /// <summary>Reads a family from the values of <see cref="Fields"/>, in order; null when the hash is absent.</summary>
    /// <exception cref="InvalidCastException">A field is missing or holds a value of the wrong kind.</exception>
    /// <exception cref="FormatException">A number or the id is not well-formed.</exception>
    public static FamilyRecord? Read(RedisValue[] values)
    {
        if (values.Length != FamilyColumns.All.Count)
        {
            throw new InvalidCastException($"Expected {FamilyColumns.All.Count} fields, got {values.Length}.");
        }

        // HMGET of an absent key answers every field as nil.
        if (values.All(value => value.IsNull))
        {
            return null;
        }

        using var reader = new FieldReader(values);
        return FamilyColumns.Read(reader);
    }

    /// <summary>As the other overload, for the flat array a script returns.</summary>
    public static FamilyRecord? Read(RedisResult result) => result.IsNull ? null : Read((RedisValue[])result!);

    private static RedisValue ToRedis(object value) => value switch
    {
        Guid id => id.ToString("N"),
        string text => text,
        long number => number.ToString(CultureInfo.InvariantCulture),
        int number => number.ToString(CultureInfo.InvariantCulture),
        bool flag => flag ? "1" : "0",
        byte[] bytes => bytes,
        _ => throw new InvalidOperationException($"FamilyColumns.Values gave a {value.GetType().Name}, which the Redis store cannot write."),
    };

    /// <summary>One row of hash values, as the <see cref="DbDataReader"/> that <see cref="FamilyColumns.Read"/> takes.
    /// Only the getters it uses are supported.</summary>
    private sealed class FieldReader(RedisValue[] values) : DbDataReader
    {
        public override int FieldCount => values.Length;

        public override int Depth => 0;

        public override bool HasRows => true;

        public override bool IsClosed => false;

        public override int RecordsAffected => -1;

        public override object this[int ordinal] => GetValue(ordinal);

        public override object this[string name] => GetValue(GetOrdinal(name));

        public override bool IsDBNull(int ordinal) => values[ordinal].IsNull;

        public override string GetString(int ordinal) => (string?)Present(ordinal) ?? "";

        public override long GetInt64(int ordinal) => long.Parse(Text(ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        public override int GetInt32(int ordinal) => int.Parse(Text(ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        public override bool GetBoolean(int ordinal) => Text(ordinal) switch
        {
            "1" => true,
            "0" => false,
            _ => throw new InvalidCastException($"Field {FamilyColumns.All[ordinal]} is not 1 or 0."),
        };

        public override Guid GetGuid(int ordinal) => Guid.ParseExact(Text(ordinal), "N");

        public override T GetFieldValue<T>(int ordinal) =>
            typeof(T) == typeof(byte[]) ? (T)(object)(byte[])Present(ordinal)! : (T)GetValue(ordinal);

        public override object GetValue(int ordinal) => values[ordinal].IsNull ? DBNull.Value : (string)values[ordinal]!;

        public override int GetValues(object[] target)
        {
            ArgumentNullException.ThrowIfNull(target);
            var count = Math.Min(target.Length, values.Length);
            for (var i = 0; i < count; i++)
            {
                target[i] = GetValue(i);
            }

            return count;
        }

        public override string GetName(int ordinal) => FamilyColumns.All[ordinal];

        public override int GetOrdinal(string name)
        {
            var ordinal = FamilyColumns.All.ToList().IndexOf(name);
            return ordinal >= 0 ? ordinal : throw new IndexOutOfRangeException(name);
        }

        public override Type GetFieldType(int ordinal) => typeof(string);

        public override string GetDataTypeName(int ordinal) => "string";

        public override bool Read() => false;

        public override bool NextResult() => false;

        public override IEnumerator GetEnumerator() => throw new NotSupportedException();

        public override byte GetByte(int ordinal) => throw new NotSupportedException();

        public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

        public override char GetChar(int ordinal) => throw new NotSupportedException();

        public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

        public override DateTime GetDateTime(int ordinal) => throw new NotSupportedException();

        public override decimal GetDecimal(int ordinal) => throw new NotSupportedException();

        public override double GetDouble(int ordinal) => throw new NotSupportedException();

        public override float GetFloat(int ordinal) => throw new NotSupportedException();

        public override short GetInt16(int ordinal) => throw new NotSupportedException();

        private RedisValue Present(int ordinal) =>
            values[ordinal].IsNull ? throw new InvalidCastException($"Field {FamilyColumns.All[ordinal]} is missing.") : values[ordinal];

        private string Text(int ordinal) => (string)Present(ordinal)!;
    }
}
