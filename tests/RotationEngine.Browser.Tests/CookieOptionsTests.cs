using Microsoft.Extensions.Options;

namespace RotationEngine.Browser.Tests;

public sealed class CookieOptionsTests
{
    [Theory]
    [InlineData("RotationEngine:Cookies:CookieName", "rt", "CookieName")]                       // no __Secure- prefix
    [InlineData("RotationEngine:Cookies:CookieName", "__Secure-r;t", "CookieName")]
    [InlineData("RotationEngine:Cookies:PathPrefix", "/", "PathPrefix")]                        // would send the token everywhere
    [InlineData("RotationEngine:Cookies:PathPrefix", "cookie", "PathPrefix")]
    [InlineData("RotationEngine:Cookies:PathPrefix", "/a;b", "PathPrefix")]
    [InlineData("RotationEngine:Cookies:CsrfHeaderName", "Content-Type", "CsrfHeaderName")]     // not a custom header
    [InlineData("RotationEngine:Cookies:RecheckDelay", "00:00:05", "RecheckDelay")]
    [InlineData("RotationEngine:Cookies:RetryAfter", "00:00:00", "RetryAfter")]
    public void Invalid_options_stop_the_start_with_a_message_naming_the_option(string key, string value, string option)
    {
        var failure = Assert.ThrowsAny<Exception>(() => new SampleHost(new Dictionary<string, string?> { [key] = value }));
        OptionsValidationException validation = Assert.IsType<OptionsValidationException>(failure is AggregateException a ? a.InnerException : failure);
        Assert.Contains(option, validation.Message, StringComparison.Ordinal);
    }
}
