
namespace RotationEngine.Testing.Model;

/// <summary>A fault the harness injects into the store for one operation.</summary>
internal enum StoreFault
{
    None,

    /// <summary>The store is down: the next call throws and changes nothing.</summary>
    Unavailable,

    /// <summary>The rotation is written, then the connection drops: the client never sees the new token.</summary>
    ResponseLost,
}
