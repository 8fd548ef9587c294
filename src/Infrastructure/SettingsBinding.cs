using CleanWebhooks.Application.Common.Settings;
using Microsoft.Extensions.Configuration;

namespace CleanWebhooks.Infrastructure;

public static class SettingsBinding
{
    /// <summary>
    /// The section as configured (its defaults where a key is absent), checked before anything is wired from it: a
    /// setting that cannot work stops the service at start-up with a message naming its key
    /// (<see cref="ISettingsSection"/>), and a value that is not of its type does too (the binder names the key).
    /// </summary>
    public static T GetCheckedSection<T>(this IConfiguration configuration, string sectionName)
        where T : class, ISettingsSection, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return (configuration.GetSection(sectionName).Get<T>() ?? new T()).Checked();
    }
}
