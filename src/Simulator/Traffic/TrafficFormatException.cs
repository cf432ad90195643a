namespace Simulator.Traffic;

/// <summary>A traffic file line that cannot be used. The message names the line number and the field, never the
/// line's content (an export may hold a token).</summary>
internal sealed class TrafficFormatException(long line, string problem)
    : ArgumentException($"traffic file line {line}: {problem}")
{
    public long Line { get; } = line;
}
