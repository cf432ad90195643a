// Over 300 lines: one streaming reader, its two line forms (CSV with a header, JSON lines) and the field checks
// every record passes (ids, timestamps in order, no secrets), which report against its line number and clock.
using System.Globalization;
using System.Text.Json;
using RotationEngine.Tokens;

namespace Simulator.Traffic;

/// <summary>
/// Streams a traffic log, one record at a time, in bounded memory: CSV with a header (<see cref="TrafficRecord.CsvHeader"/>,
/// columns in any order) or JSON lines (<c>{"session":…,"client":…,"timestamp":…,"lostResponse":…,"burst":…}</c>),
/// told apart by the first non-blank character. Timestamps are ISO 8601 with an offset or Unix seconds, and must
/// not go backwards. Ids are pseudonymous: 1–64 characters of <c>A–Z a–z 0–9 . _ : @ -</c>. A field that looks
/// like a refresh token or any secret (the <c>rt2_</c> prefix, or 40 or more random-looking characters) is
/// refused. A bad line stops the read with <see cref="TrafficFormatException"/>, which names the line number and
/// the field but never repeats the content. A line longer than <see cref="MaxLineLength"/> is refused without
/// being read into memory.
/// </summary>
internal sealed class TrafficReader : IDisposable
{
    public const int MaxLineLength = 4096;
    private const int MaxIdLength = 64;
    private static readonly string[] KnownColumns = ["session", "client", "timestamp", "lost_response", "burst"];

    private readonly TextReader _reader;
    private readonly char[] _line = new char[MaxLineLength];
    private int[]? _columns;
    private int _headerCount;
    private bool? _json;
    private long _lastTimestamp = long.MinValue;

    public TrafficReader(TextReader reader) => _reader = reader;

    /// <summary>The number of the line last read (1-based).</summary>
    public long LineNumber { get; private set; }

    public static TrafficReader Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"The traffic file '{path}' does not exist.");
        }

        return new TrafficReader(new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, BufferSize = 1 << 16 }));
    }

    /// <summary>Reads every record of <paramref name="path"/>, checking each line.</summary>
    public static IEnumerable<TrafficRecord> ReadAll(string path)
    {
        using var reader = Open(path);
        while (reader.TryRead(out var record))
        {
            yield return record;
        }
    }

    /// <summary>The next record, or false at the end of the file.</summary>
    public bool TryRead(out TrafficRecord record)
    {
        while (true)
        {
            var length = ReadLine();
            if (length < 0)
            {
                record = default;
                return false;
            }

            var line = _line.AsSpan(0, length).Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            _json ??= line[0] == '{';
            if (_json == true)
            {
                record = ParseJson(line);
            }
            else if (_columns is null)
            {
                _columns = ParseHeader(line);
                continue;
            }
            else
            {
                record = ParseCsv(line);
            }

            if (record.TimestampMs < _lastTimestamp)
            {
                throw Error("the timestamp is earlier than the line before's: sort the file by timestamp first.");
            }

            _lastTimestamp = record.TimestampMs;
            return true;
        }
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>Reads one line into the buffer; −1 at the end. A longer line is skipped to its end and refused.</summary>
    private int ReadLine()
    {
        var length = 0;
        var tooLong = false;
        int c;
        while ((c = _reader.Read()) >= 0)
        {
            if (c == '\n')
            {
                break;
            }

            if (length < _line.Length)
            {
                _line[length++] = (char)c;
            }
            else
            {
                tooLong = true;
            }
        }

        if (c < 0 && length == 0 && !tooLong)
        {
            return -1;
        }

        LineNumber++;
        if (tooLong)
        {
            throw Error($"the line is longer than {MaxLineLength} characters.");
        }

        return length > 0 && _line[length - 1] == '\r' ? length - 1 : length;
    }

    private int[] ParseHeader(ReadOnlySpan<char> line)
    {
        var names = line.ToString().Split(',');
        var columns = new int[KnownColumns.Length];
        Array.Fill(columns, -1);
        for (var i = 0; i < names.Length; i++)
        {
            var known = Array.IndexOf(KnownColumns, names[i].Trim().ToLowerInvariant());
            if (known < 0)
            {
                throw Error($"column {i + 1} of the header is not one of {string.Join(", ", KnownColumns)} (the first line must be the header).");
            }

            if (columns[known] >= 0)
            {
                throw Error($"the header names column '{KnownColumns[known]}' twice.");
            }

            columns[known] = i;
        }

        for (var k = 0; k < 3; k++)
        {
            if (columns[k] < 0)
            {
                throw Error($"the header has no '{KnownColumns[k]}' column (expected {TrafficRecord.CsvHeader}).");
            }
        }

        _headerCount = names.Length;
        return columns;
    }

    private TrafficRecord ParseCsv(ReadOnlySpan<char> line)
    {
        var fields = line.ToString().Split(',');
        var columns = _columns!;
        if (fields.Length > _headerCount || columns[0] >= fields.Length || columns[1] >= fields.Length || columns[2] >= fields.Length)
        {
            throw Error($"expected {_headerCount} comma-separated fields (as in the header), found {fields.Length}.");
        }

        string Field(int known) => columns[known] is var i and >= 0 && i < fields.Length ? fields[i].Trim() : "";
        var session = Id(Field(0), "session");
        var client = Id(Field(1), "client");
        var timestamp = Timestamp(Field(2));
        var lost = Field(3) switch
        {
            "" or "false" or "0" or "no" => false,
            "true" or "1" or "yes" => true,
            var text => throw Error(LooksSecret(text) ? "field 'lost_response' looks like a token or a secret." : "field 'lost_response' must be true or false."),
        };
        var burst = Field(4) is { Length: > 0 } b ? Id(b, "burst") : null;
        return new TrafficRecord(session, client, timestamp, lost, burst);
    }

    private TrafficRecord ParseJson(ReadOnlySpan<char> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToString(), new JsonDocumentOptions { MaxDepth = 2 });
        }
        catch (JsonException)
        {
            throw Error("not a JSON object.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Error("not a JSON object.");
            }

            string? session = null, client = null, burst = null;
            long? timestamp = null;
            var lost = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "session":
                        session = Id(Text(property), "session");
                        break;
                    case "client":
                        client = Id(Text(property), "client");
                        break;
                    case "timestamp":
                        timestamp = property.Value.ValueKind == JsonValueKind.Number ? Timestamp(property.Value.GetRawText()) : Timestamp(Text(property));
                        break;
                    case "lostResponse":
                        lost = property.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False or JsonValueKind.Null => false,
                            _ => throw Error("field 'lostResponse' must be true or false."),
                        };
                        break;
                    case "burst":
                        burst = property.Value.ValueKind == JsonValueKind.Null ? null : Id(property.Value.ValueKind == JsonValueKind.Number ? property.Value.GetRawText() : Text(property), "burst");
                        break;
                    default:
                        throw Error("a field is not one of session, client, timestamp, lostResponse, burst.");
                }
            }

            return new TrafficRecord(
                session ?? throw Error("field 'session' is missing."),
                client ?? throw Error("field 'client' is missing."),
                timestamp ?? throw Error("field 'timestamp' is missing."),
                lost,
                burst);
        }
    }

    private string Text(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw Error($"field '{property.Name}' must be a string.");

    private string Id(string text, string field)
    {
        if (LooksSecret(text))
        {
            throw Error($"field '{field}' looks like a token or a secret; export pseudonymous ids only (docs/simulator.md).");
        }

        if (text.Length is 0 or > MaxIdLength || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '@' or '-'))
        {
            throw Error($"field '{field}' must be 1 to {MaxIdLength} characters of A-Z a-z 0-9 . _ : @ -.");
        }

        return text;
    }

    private long Timestamp(string text)
    {
        if (LooksSecret(text))
        {
            throw Error("field 'timestamp' looks like a token or a secret.");
        }

        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and < 1e11)
        {
            return (long)Math.Round(seconds * 1000);
        }

        if (text.Length > 10 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        throw Error("field 'timestamp' must be ISO 8601 (2026-03-01T12:00:00Z) or Unix seconds.");
    }

    /// <summary>A refresh token of this library, or a run of random-looking characters long enough to be a secret.</summary>
    private static bool LooksSecret(string text)
    {
        if (text.Contains(TokenFormat.Prefix, StringComparison.Ordinal))
        {
            return true;
        }

        var run = 0;
        foreach (var c in text)
        {
            run = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+' or '/' or '=' ? run + 1 : 0;
            if (run >= 40)
            {
                return true;
            }
        }

        return false;
    }

    private TrafficFormatException Error(string problem) => new(LineNumber, problem);
}
