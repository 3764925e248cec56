namespace Ecommerce.Pipeline.Hosting;

/// <summary>
/// A setting is missing or has a value that is not allowed. The message names settings as <c>'Name'</c> (the
/// subject as <c>Setting 'Name'</c>), so a host with other names for them (the CLI's options) can say the same
/// thing in its own words.
/// </summary>
public sealed class SettingsException : InvalidOperationException
{
    public SettingsException()
    {
    }

    public SettingsException(string message) : base(message)
    {
    }

    public SettingsException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public SettingsException(string setting, string message) : base(message) => Setting = setting;

    /// <summary>The setting whose value is wrong, as docs/contract.md (Settings) spells it.</summary>
    public string? Setting { get; }
}
