using System.Security.Cryptography;

namespace AuthServer;

/// <summary>
/// The sample's answer to "no key configured": on first run it creates the engine key and the JWT signing key as files
/// readable by the owner only (mode 0600) in the data directory, and reads them back on later runs, so that tokens
/// survive a restart. The engine itself refuses to start without a key outside Development (it will not invent one
/// silently); a production server configures <c>RotationEngine:Keys</c> from a secret store instead.
/// </summary>
internal static class LocalKeys
{
    /// <summary>The base64 engine key in <paramref name="path"/>, created (32 random bytes) if absent.</summary>
    public static string LoadOrCreateEngineKey(string path) =>
        LoadOrCreate(path, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Trim();

    /// <summary>The ES256 (P-256) signing key in the PEM file <paramref name="path"/>, created if absent.</summary>
    public static ECDsa LoadOrCreateSigningKey(string path)
    {
        var pem = LoadOrCreate(path, () =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return key.ExportPkcs8PrivateKeyPem();
        });
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        return ecdsa;
    }

    private static string LoadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var content = create();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(content);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return File.ReadAllText(path);
        }

        return content;
    }
}
