using RotationEngine.Testing.Harness;

namespace RotationEngine.Testing.Checks;

/// <summary>Invariant 7 (docs/semantics.md §7): <see cref="Invariant.SecretsStaySecret"/>.</summary>
internal sealed partial class StepChecker
{
    private void CheckSecrets(EngineHarness harness, Action<Invariant, string> fail)
    {
        foreach (var (_, token) in harness.Tokens)
        {
            harness.Scanner.Add(token);
        }

        foreach (var text in harness.Telemetry.Text.Skip(harness.ScannedTexts))
        {
            if (harness.Scanner.FindIn(text) is { } form)
            {
                fail(Invariant.SecretsStaySecret, $"a {form} appears in captured output: {Redact(text)}");
                break;
            }
        }

        harness.ScannedTexts = harness.Telemetry.Text.Count;
        for (var i = 0; i < harness.Ids.Count; i++)
        {
            if (harness.Find(i) is not { } family)
            {
                continue;
            }

            var (text, bytes) = SecretScanner.Dump(family);
            if ((harness.Scanner.FindIn(text) ?? harness.Scanner.FindIn(bytes)) is { } form)
            {
                fail(Invariant.SecretsStaySecret, $"a {form} is stored in family #{i}");
                return;
            }
        }

        // What a host serializing the results (JSON) would write.
        if (harness.Scanner.FindIn(harness.SerializedResults) is { } serialized)
        {
            fail(Invariant.SecretsStaySecret, $"a {serialized} appears in a serialized result");
        }

        if (persistedBytes is not null && harness.Scanner.FindIn(Wait(persistedBytes(harness.Store))) is { } persisted)
        {
            fail(Invariant.SecretsStaySecret, $"a {persisted} is in the store's persisted bytes");
        }
    }
}
