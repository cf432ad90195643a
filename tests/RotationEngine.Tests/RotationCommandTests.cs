using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>The reference condition and update of a rotation, as a store author calls them.</summary>
public sealed class RotationCommandTests
{
    private static readonly RotationCommand Command = new(
        TestRecords.Id(1), 0, new byte[FamilyColumns.DigestSize], new byte[FamilyColumns.DigestSize], "k1", "web", null,
        TestRecords.Epoch, TestRecords.Epoch, new string('A', GraceLedger.SlotLength));

    [Fact]
    public void A_missing_family_is_an_argument_error_not_a_crash()
    {
        Assert.Equal("family", Assert.Throws<ArgumentNullException>(() => Command.Matches(null!)).ParamName);
        Assert.Equal("family", Assert.Throws<ArgumentNullException>(() => Command.ApplyTo(null!)).ParamName);
    }
}
