using System.Text.RegularExpressions;

namespace OrleansRaft.Infra.Tests.Compose;

/// <summary>
/// Compose's variable substitution as this project uses it: <c>${NAME:-default}</c> becomes the default (the checks
/// see what an unconfigured host runs), <c>$$</c> a literal <c>$</c>. Any other <c>$</c> form is refused, so the
/// file never depends on a variable the operator may not have set.
/// </summary>
public static partial class ComposeInterpolation
{
    public static string Apply(string text)
    {
        var result = Variable().Replace(text, match => match.Groups["escaped"].Success
            ? "\u0001"
            : match.Groups["default"].Success
                ? match.Groups["default"].Value
                : throw new FormatException($"compose variable '{match.Value}' has no default (write ${{NAME:-default}})"));
        return result.Replace('\u0001', '$');
    }

    [GeneratedRegex(@"(?<escaped>\$\$)|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:-(?<default>[^}]*))?\}|\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Variable();
}
