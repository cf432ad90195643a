namespace RotationEngine.Events;

/// <summary>
/// Receives every <see cref="RotationEvent"/> (audit logs, alerts, "was this you?" notifications). Called
/// synchronously on the rotating thread: keep it fast and hand slow work to a queue. An exception thrown
/// here is logged and swallowed; it never changes an outcome.
/// </summary>
public interface IRotationEventObserver
{
    /// <summary>Called once per event.</summary>
    void OnEvent(RotationEvent rotationEvent);
}
