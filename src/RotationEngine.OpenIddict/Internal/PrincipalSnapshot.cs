using System.Buffers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace RotationEngine.OpenIddict.Internal;

/// <summary>
/// The sign-in principal as the family's metadata: every claim (type, value, value type, issuer, destinations, other
/// properties — so OpenIddict's destinations, scopes, resources, presenters and authorization id survive) of the one identity, as
/// compact JSON. The engine seals it at issue; it never changes on rotation. Claims that describe one token rather
/// than the session (its id, type, expiry, <c>jti</c>) are left out and set again on each restore.
/// </summary>
internal static class PrincipalSnapshot
{
    /// <summary>The version marker: the first property of every snapshot.</summary>
    private const string VersionProperty = "oidc";
    private const int Version = 1;

    /// <summary>The claim property in which OpenIddict keeps a claim's destinations.</summary>
    private const string DestinationsProperty = ".destinations";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };
    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 8 };

    /// <summary>Serializes the principal's identity.</summary>
    /// <exception cref="InvalidOperationException">The principal has no identity, or more than one, or its snapshot is
    /// longer than <see cref="RefreshTokenEngine.MaxMetadataLength"/>.</exception>
    public static string Capture(ClaimsPrincipal principal)
    {
        if (principal.Identities.Count() != 1 || principal.Identity is not ClaimsIdentity identity)
        {
            throw new InvalidOperationException("RotationEngine.OpenIddict stores refresh-token principals with exactly one ClaimsIdentity, as OpenIddict creates them.");
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber(VersionProperty, Version);
            WriteOptional(writer, "a", identity.AuthenticationType);
            WriteOptional(writer, "n", identity.NameClaimType == ClaimsIdentity.DefaultNameClaimType ? null : identity.NameClaimType);
            WriteOptional(writer, "r", identity.RoleClaimType == ClaimsIdentity.DefaultRoleClaimType ? null : identity.RoleClaimType);
            writer.WriteStartArray("c");
            foreach (var claim in identity.Claims)
            {
                if (IsPerToken(claim.Type))
                {
                    continue;
                }

                writer.WriteStartObject();
                writer.WriteString("t", claim.Type);
                writer.WriteString("v", claim.Value);
                WriteOptional(writer, "vt", claim.ValueType == ClaimValueTypes.String ? null : claim.ValueType);
                WriteOptional(writer, "i", claim.Issuer == ClaimsIdentity.DefaultIssuer ? null : claim.Issuer);
                WriteOptional(writer, "oi", claim.OriginalIssuer == claim.Issuer ? null : claim.OriginalIssuer);
                // OpenIddict's destinations (a JSON array in a claim property) as a plain array: the snapshot is stored
                // with every family, and a row that stays small stays in its page.
                var destinations = claim.GetDestinations();
                if (!destinations.IsDefaultOrEmpty)
                {
                    writer.WriteStartArray("d");
                    foreach (var destination in destinations)
                    {
                        writer.WriteStringValue(destination);
                    }

                    writer.WriteEndArray();
                }

                if (claim.Properties.Keys.Any(static name => name != DestinationsProperty))
                {
                    writer.WriteStartObject("p");
                    foreach (var (name, value) in claim.Properties)
                    {
                        if (name != DestinationsProperty)
                        {
                            writer.WriteString(name, value);
                        }
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return text.Length <= RefreshTokenEngine.MaxMetadataLength
            ? text
            : throw new InvalidOperationException(
                $"The refresh-token principal of this sign-in serializes to {text.Length:N0} characters; a RotationEngine family holds at most "
                + $"{RefreshTokenEngine.MaxMetadataLength:N0}. Keep large or numerous claims out of the principal passed to SignIn (store them in the user store and "
                + "add them back in an IRefreshPrincipalRebuilder).");
    }

    /// <summary>Rebuilds the principal, or returns null when <paramref name="metadata"/> is not a snapshot this version
    /// wrote (another host of the same engine, a future version, a hand-edited record that kept its seal: impossible,
    /// but the reader does not rely on it).</summary>
    public static ClaimsPrincipal? TryRestore(string? metadata)
    {
        if (string.IsNullOrEmpty(metadata) || metadata[0] != '{' || metadata.Length > RefreshTokenEngine.MaxMetadataLength)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(metadata, ReaderOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty(VersionProperty, out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version
                || !root.TryGetProperty("c", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var identity = new ClaimsIdentity(
                authenticationType: Optional(root, "a"),
                nameType: Optional(root, "n") ?? ClaimsIdentity.DefaultNameClaimType,
                roleType: Optional(root, "r") ?? ClaimsIdentity.DefaultRoleClaimType);
            foreach (var element in claims.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object
                    || Optional(element, "t") is not { Length: > 0 } type
                    || Optional(element, "v") is not { } value)
                {
                    return null;
                }

                var issuer = Optional(element, "i") ?? ClaimsIdentity.DefaultIssuer;
                var claim = new Claim(type, value, Optional(element, "vt") ?? ClaimValueTypes.String, issuer, Optional(element, "oi") ?? issuer, identity);
                if (element.TryGetProperty("p", out var properties))
                {
                    if (properties.ValueKind != JsonValueKind.Object)
                    {
                        return null;
                    }

                    foreach (var property in properties.EnumerateObject())
                    {
                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            return null;
                        }

                        claim.Properties[property.Name] = property.Value.GetString()!;
                    }
                }

                if (element.TryGetProperty("d", out var destinations))
                {
                    if (destinations.ValueKind != JsonValueKind.Array)
                    {
                        return null;
                    }

                    var names = new List<string>();
                    foreach (var destination in destinations.EnumerateArray())
                    {
                        if (destination.ValueKind != JsonValueKind.String || destination.GetString() is not { Length: > 0 } name)
                        {
                            return null;
                        }

                        names.Add(name);
                    }

                    claim.SetDestinations([.. names]);
                }

                identity.AddClaim(claim);
            }

            return new ClaimsPrincipal(identity);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Whether a claim describes one token rather than the session (set again on every restore or issue).</summary>
    internal static bool IsPerToken(string type) => type is Claims.Private.TokenId or Claims.Private.TokenType or Claims.Private.ExpirationDate or Claims.JwtId;

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
