using System.Buffers.Text;
using System.Text.Json;

namespace RotationEngine.OpenIddict.Tests.Infrastructure;

/// <summary>Reads the payload of the (signed, unencrypted) access tokens the sample issues.</summary>
internal static class Jwt
{
    public static JsonElement Payload(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
    }

    public static string? Claim(string jwt, string name) =>
        Payload(jwt).TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;
}
