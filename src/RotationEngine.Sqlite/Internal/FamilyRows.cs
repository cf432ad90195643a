using System.Data.Common;
using RotationEngine.Storage;

namespace RotationEngine.Sqlite.Internal;

/// <summary>Reads rows of <c>families</c> (selected as <see cref="Sql.Columns"/>) with <see cref="FamilyColumns.Read"/>.</summary>
internal static class FamilyRows
{
    /// <summary>Reads the row the reader is on. A column holding a value of the wrong kind (a row edited outside the
    /// engine) is a store fault whose message names no value.</summary>
    /// <exception cref="RotationStoreException">A column holds a value <see cref="FamilyColumns.Read"/> cannot convert.</exception>
    public static FamilyRecord Read(DbDataReader reader)
    {
        try
        {
            return FamilyColumns.Read(reader);
        }
        catch (Exception exception) when (exception is InvalidCastException or FormatException or OverflowException or InvalidOperationException)
        {
            throw new RotationStoreException(
                $"A stored family has a value of the wrong kind ({exception.GetType().Name}); the record was changed outside the engine.");
        }
    }

    /// <summary>Sorts families as <see cref="IFamilyStore.ListActiveAsync"/> orders them: creation time, then id in
    /// <see cref="Guid"/> order.</summary>
    public static void SortForListing(List<FamilyRecord> families) =>
        families.Sort(static (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : a.Id.Value.CompareTo(b.Id.Value));
}
