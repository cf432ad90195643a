using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace RotationEngine.AspNetCore.Internal;

/// <summary>
/// The parameters of an <c>application/x-www-form-urlencoded</c> OAuth request, read strictly and with bounded work:
/// at most <c>maxBytes</c> of body, at most <see cref="MaxParameters"/> pairs, every name at most once (RFC 6749 §3.2),
/// an empty value treated as omitted (§3.1), recognised values limited to printable ASCII (Appendix A's VSCHAR), strict
/// percent-decoding and UTF-8. Unrecognised parameters are ignored (§3.2), but not repeated.
/// </summary>
internal sealed class OAuthForm
{
    /// <summary>The most name=value pairs a request may hold.</summary>
    public const int MaxParameters = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, string> _values;

    private OAuthForm(Dictionary<string, string> values) => _values = values;

    /// <summary>The value of a recognised parameter, or null when it is absent or empty.</summary>
    public string? this[string name] => _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>Whether the parameter was sent, even empty.</summary>
    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>The form of a POST to an OAuth endpoint (RFC 6749 §3.2, RFC 7009 §2.1), or null once the request is
    /// answered: 405 for another method, 400 <c>invalid_request</c> (logged) for a body that is not a form it reads.</summary>
    public static async ValueTask<OAuthForm?> ReadPostAsync(HttpContext context, IReadOnlySet<string> recognised, int maxBytes, ILogger logger, string endpoint)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await OAuthResponses.WriteMethodNotAllowedAsync(context.Response).ConfigureAwait(false);
            return null;
        }

        var (form, error) = await ReadAsync(context.Request, recognised, maxBytes, context.RequestAborted).ConfigureAwait(false);
        if (form is null)
        {
            await OAuthResponses.RefuseAsync(context.Response, logger, endpoint, "invalid_request", error).ConfigureAwait(false);
        }

        return form;
    }

    /// <summary>Reads the request's form, or says why it is not one (an <c>invalid_request</c> description).</summary>
    public static async ValueTask<(OAuthForm? Form, string? Error)> ReadAsync(HttpRequest request, IReadOnlySet<string> recognised, int maxBytes, CancellationToken cancellationToken)
    {
        if (!IsFormContentType(request.Headers.ContentType))
        {
            return (null, "The request body must be application/x-www-form-urlencoded (RFC 6749 section 3.2).");
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, $"The request body is larger than {maxBytes} bytes.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, 64 * 1024));
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        break;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, maxBytes + 1) - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    return (null, $"The request body is larger than {maxBytes} bytes.");
                }
            }

            return Parse(buffer.AsSpan(0, length), recognised);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses a form body (exposed for tests).</summary>
    public static (OAuthForm? Form, string? Error) Parse(ReadOnlySpan<byte> body, IReadOnlySet<string> recognised)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pairs = 0;
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'&');
            var pair = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            if (++pairs > MaxParameters)
            {
                return (null, $"The request has more than {MaxParameters} parameters.");
            }

            var equals = pair.IndexOf((byte)'=');
            var rawName = equals < 0 ? pair : pair[..equals];
            var rawValue = equals < 0 ? [] : pair[(equals + 1)..];
            if (Decode(rawName) is not { } name)
            {
                return (null, "A parameter name is not valid percent-encoded UTF-8.");
            }

            if (!seen.Add(name))
            {
                return (null, recognised.Contains(name)
                    ? $"The '{name}' parameter is repeated (RFC 6749 section 3.2)."
                    : "A parameter is repeated (RFC 6749 section 3.2).");
            }

            if (!recognised.Contains(name))
            {
                continue;
            }

            if (Decode(rawValue) is not { } value)
            {
                return (null, $"The '{name}' parameter is not valid percent-encoded UTF-8.");
            }

            if (!IsVisibleAscii(value))
            {
                return (null, $"The '{name}' parameter holds a character outside printable ASCII (RFC 6749 appendix A).");
            }

            values[name] = value;
        }

        return (new OAuthForm(values), null);
    }

    /// <summary>Whether every character is %x20-7E (RFC 6749 Appendix A's VSCHAR).</summary>
    public static bool IsVisibleAscii(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Decodes one application/x-www-form-urlencoded component ('+' is a space, %XX a byte) as strict UTF-8,
    /// or null when a percent sign is not followed by two hex digits or the bytes are not UTF-8.</summary>
    public static string? Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return "";
        }

        var rented = raw.Length <= 512 ? null : ArrayPool<byte>.Shared.Rent(raw.Length);
        Span<byte> bytes = rented ?? stackalloc byte[raw.Length];
        try
        {
            var n = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var b = raw[i];
                if (b == '+')
                {
                    bytes[n++] = (byte)' ';
                }
                else if (b == '%')
                {
                    if (i + 2 >= raw.Length || HexValue(raw[i + 1]) is not { } high || HexValue(raw[i + 2]) is not { } low)
                    {
                        return null;
                    }

                    bytes[n++] = (byte)((high << 4) | low);
                    i += 2;
                }
                else
                {
                    bytes[n++] = b;
                }
            }

            try
            {
                return StrictUtf8.GetString(bytes[..n]);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int? HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => null,
    };

    private static bool IsFormContentType(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)
            || !media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = media.Charset;
        return !charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase);
    }
}
