using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>What the store types and key options print (in logs, debuggers, assertion messages): which family, command
/// or key it is, and never a digest, a seal, a ledger, a subject's metadata or a key's secret.</summary>
public sealed class DiagnosticTextTests
{
    [Fact]
    public void A_family_record_prints_its_id_status_generation_and_client_only()
    {
        var family = TestRecords.New(id: TestRecords.Id(7)) with { Generation = 3, Status = FamilyStatus.Revoked, Metadata = "scope=admin", Binding = "jkt-1" };

        var text = family.ToString();

        Assert.Equal("Family 00000000000000000000000000000007 Revoked generation 3 client web", text);
        Assert.DoesNotContain(Convert.ToHexString(family.Digest), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToHexString(family.Seal), text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_rotation_command_prints_its_family_generation_and_client_only()
    {
        var expected = Enumerable.Repeat((byte)0x5A, FamilyColumns.DigestSize).ToArray();
        var next = Enumerable.Repeat((byte)0xA5, FamilyColumns.DigestSize).ToArray();
        var slot = GraceLedger.NewSlot(TestRecords.Epoch, next);
        var command = new RotationCommand(TestRecords.Id(9), 4, expected, next, "k1", "web", "jkt-1", TestRecords.Epoch, TestRecords.Epoch, slot);

        var text = command.ToString();

        Assert.Equal("RotationCommand { FamilyId = 00000000000000000000000000000009, Generation = 4, ClientId = web }", text);
        Assert.DoesNotContain(slot, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_options_print_the_key_id_only()
    {
        var secret = Convert.ToBase64String(Enumerable.Repeat((byte)0x42, 32).ToArray());

        Assert.Equal("KeyOptions { Id = k1 }", new KeyOptions { Id = "k1", Secret = secret }.ToString());
    }

    [Fact]
    public void A_new_key_option_is_empty_not_null()
    {
        // A configuration section that omits a field leaves this default: an empty string, never null.
        var key = new KeyOptions();

        Assert.Equal(("", ""), (key.Id, key.Secret));
    }
}
