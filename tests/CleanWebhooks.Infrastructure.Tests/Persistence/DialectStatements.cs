using System.Reflection;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>The text of a statement the production code keeps as a constant of a dialect's nested class.</summary>
internal static class DialectStatements
{
    /// <summary>
    /// The constant <paramref name="name"/> of <paramref name="owner"/>'s nested class <paramref name="dialect"/>
    /// (<c>Sqlite</c>, <c>PostgreSql</c>, <c>SqlServer</c> or <c>Portable</c>).
    /// </summary>
    public static string Of(Type owner, string dialect, string name) =>
        (string)owner.GetNestedType(dialect, BindingFlags.NonPublic)!
            .GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;
}
