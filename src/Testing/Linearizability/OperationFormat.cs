using System.Globalization;
using System.Text;

namespace OrleansRaft.Testing.Linearizability;

/// <summary>How operations read in <see cref="CheckResult"/> and in assertion messages.</summary>
internal static class OperationFormat
{
    // Long values (appends pile up) are cut in the middle; the ends are where histories usually differ.
    private const int MaxShown = 160;

    public static string Line(KvOperation op) => Line(op, 0);

    /// <summary><paramref name="clientWidth"/> pads the client id so that the lines of a table align.</summary>
    public static string Line(KvOperation op, int clientWidth)
    {
        var text = new StringBuilder();
        text.Append("client ").Append(op.ClientId.ToString(CultureInfo.InvariantCulture).PadRight(clientWidth)).Append(' ');
        text.Append(op.Kind.ToString().PadRight(clientWidth > 0 ? 6 : 0)).Append(' ').Append(Quote(op.Key));
        switch (op.Kind)
        {
            case KvOperationKind.Get:
                text.Append(" -> ").Append(op.Output is null ? "(absent)" : Quote(op.Output));
                break;
            case KvOperationKind.Put:
            case KvOperationKind.Append:
                text.Append(' ').Append(op.Input is null ? "(null)" : Quote(op.Input));
                break;
            case KvOperationKind.Delete:
                break;
        }

        text.Append(" [").Append(op.Call.ToString(CultureInfo.InvariantCulture)).Append(", ")
            .Append(op.Return is { } r ? r.ToString(CultureInfo.InvariantCulture) : "?").Append(']');
        return text.ToString();
    }

    public static string Quote(string value)
    {
        var shown = value.Length <= MaxShown
            ? value
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{value[..(MaxShown / 2)]}...({value.Length - MaxShown} more chars)...{value[^(MaxShown / 2)..]}");
        var text = new StringBuilder(shown.Length + 2).Append('"');
        foreach (var c in shown)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }

        return text.Append('"').ToString();
    }
}
