using System.Globalization;
using System.Text.Json;

namespace Simulator.Traffic;

/// <summary>One refresh request of a traffic log: who (a pseudonymous session id and the OAuth client id) and
/// when; optionally whether the response never reached the client, and a concurrent burst it belongs to
/// (requests of one burst present the same token).</summary>
internal readonly record struct TrafficRecord(string Session, string Client, long TimestampMs, bool LostResponse = false, string? Burst = null)
{
    /// <summary>The CSV header the reader expects (columns in any order; the last two optional).</summary>
    public const string CsvHeader = "session,client,timestamp,lost_response,burst";

    public string ToCsvLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Session},{Client},{DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs):yyyy-MM-ddTHH:mm:ss.fffZ},{(LostResponse ? "true" : "false")},{Burst}");

    public string ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("session", Session);
            json.WriteString("client", Client);
            json.WriteString("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            if (LostResponse)
            {
                json.WriteBoolean("lostResponse", true);
            }

            if (Burst is not null)
            {
                json.WriteString("burst", Burst);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
