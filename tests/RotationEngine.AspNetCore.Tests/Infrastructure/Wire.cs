using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace RotationEngine.AspNetCore.Tests.Infrastructure;

/// <summary>Raw requests for what a well-behaved client library would never send.</summary>
public static class Wire
{
    public static FormUrlEncodedContent Form(params (string Name, string Value)[] pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));

    /// <summary>A form body written byte for byte (no encoding applied).</summary>
    public static ByteArrayContent RawForm(string body) => RawForm(Encoding.Latin1.GetBytes(body));

    public static ByteArrayContent RawForm(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return content;
    }

    /// <summary>The OAuth error of any answer (Duende's Error is the reason phrase for a 401 or 503).</summary>
    public static string? Error(Duende.IdentityModel.Client.ProtocolResponse response)
    {
        using var json = JsonDocument.Parse(response.Raw!);
        return json.RootElement.GetProperty("error").GetString();
    }

    public static async Task<string?> ErrorAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("error").GetString();
    }
}
