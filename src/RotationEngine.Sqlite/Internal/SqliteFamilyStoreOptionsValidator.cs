using Microsoft.Extensions.Options;

namespace RotationEngine.Sqlite.Internal;

/// <summary>Start-up validation of <see cref="SqliteFamilyStoreOptions"/>.</summary>
internal sealed class SqliteFamilyStoreOptionsValidator : IValidateOptions<SqliteFamilyStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteFamilyStoreOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
