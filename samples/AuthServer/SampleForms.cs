namespace AuthServer;

/// <summary>Form reading for the sample's own pages: a body ASP.NET Core's form reader refuses (too large, too many
/// values, not a form) is a 400, not a 500.</summary>
internal static class SampleForms
{
    public static async Task<IFormCollection?> TryReadAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }

        try
        {
            return await request.ReadFormAsync();
        }
        catch (InvalidDataException)
        {
            return null;
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
    }
}
