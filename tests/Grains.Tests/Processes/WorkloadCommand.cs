using System.Globalization;
using System.Text;

namespace OrleansRaft.Grains.Tests.Processes;

/// <summary>
/// Command <see cref="Number"/> of the crash workload: mostly a put of its own key, every eighth an append of a
/// token unique to it (<c>&lt;n&gt;</c>) to one of a few shared keys, so a double apply shows as a repeated token.
/// </summary>
internal readonly record struct WorkloadCommand(int Number, bool IsAppend, string Key, string Payload)
{
    public const int SharedKeys = 4;

    public byte[] Bytes => Encoding.UTF8.GetBytes(Payload);

    public static WorkloadCommand For(int number)
    {
        var n = number.ToString(CultureInfo.InvariantCulture);
        return number % 8 == 3
            ? new WorkloadCommand(number, true, SharedKey((number / 8) % SharedKeys), $"<{n}>")
            : new WorkloadCommand(number, false, $"k-{n}", $"v-{n}-{unchecked((uint)number * 2654435761u):x8}");
    }

    public static string SharedKey(int which) => $"shared-{which.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => $"#{Number} {(IsAppend ? "append" : "put")} {Key} {Payload}";
}
