namespace RotationEngine.Tests;

/// <summary>The README quotes compiled code: each block that follows a <c>&lt;!-- snippet: path#region --&gt;</c> line
/// must equal that region of that file, so that the examples can never rot.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void Every_quoted_snippet_is_the_compiled_code()
    {
        var root = FindRoot();
        var readme = File.ReadAllLines(Path.Combine(root, "README.md"));
        var checkedSnippets = 0;
        for (var i = 0; i < readme.Length; i++)
        {
            var line = readme[i].Trim();
            if (!line.StartsWith("<!-- snippet: ", StringComparison.Ordinal))
            {
                continue;
            }

            var reference = line["<!-- snippet: ".Length..^" -->".Length].Split('#');
            var source = File.ReadAllLines(Path.Combine(root, reference[0]));
            var start = Array.FindIndex(source, l => l.Trim() == $"// region: {reference[1]}");
            var end = Array.FindIndex(source, start + 1, l => l.Trim() == "// endregion");
            Assert.True(start >= 0 && end > start, $"{reference[0]} has no region '{reference[1]}'.");
            var expected = source[(start + 1)..end];

            Assert.StartsWith("```", readme[i + 1], StringComparison.Ordinal);
            var close = Array.FindIndex(readme, i + 2, l => l.StartsWith("```", StringComparison.Ordinal));
            Assert.Equal(string.Join('\n', expected), string.Join('\n', readme[(i + 2)..close]));
            checkedSnippets++;
        }

        Assert.True(checkedSnippets >= 1, "The README quotes no snippet.");
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RotationEngine.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }
}
