using Microsoft.Extensions.Logging;

namespace RotationEngine.Testing;

/// <summary>One captured log entry.</summary>
/// <param name="Category">The logger's category.</param>
/// <param name="Level">The level.</param>
/// <param name="EventId">The event id.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Values">The structured values, as text.</param>
/// <param name="Exception">The exception, as text.</param>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, string Values, string? Exception)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Level}] {Category} {EventId.Id}:{EventId.Name} {Message} | {Values} {Exception}";
}
