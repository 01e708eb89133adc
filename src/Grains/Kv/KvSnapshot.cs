using System.Buffers.Binary;
using System.Text;

namespace OrleansRaft.Grains.Kv;

/// <summary>
/// The state machine at one applied index: keys, values and client sessions. Taking it copies references only
/// (values are never changed in place), so the turn loop pauses for the copy, not for the write; writing it
/// can then run on another thread (thesis §5.2, copy-on-write snapshots).
/// </summary>
/// <remarks>
/// Format, little-endian: magic "ORKV", version (u16), applied index, log time, values (count, then key and
/// value each length-prefixed), sessions (count, then id, last active, lowest unanswered, replies), member addresses
/// (count, then node id and address; since version 2), CRC-32 of
/// everything before it.
/// </remarks>
public sealed class KvSnapshot
{
    internal const uint Magic = 0x564B524F; // "ORKV"
    internal const ushort Version = 2;

    internal KvSnapshot(
        long appliedIndex,
        long logTime,
        KeyValuePair<string, byte[]>[] values,
        KeyValuePair<string, ClientSession>[] sessions,
        KeyValuePair<long, string>[] members)
    {
        Members = members;
        AppliedIndex = appliedIndex;
        LogTime = logTime;
        Values = values;
        Sessions = sessions;
    }

    public long AppliedIndex { get; }

    public long LogTime { get; }

    public int Count => Values.Length;

    internal KeyValuePair<string, byte[]>[] Values { get; }

    internal KeyValuePair<string, ClientSession>[] Sessions { get; }

    internal KeyValuePair<long, string>[] Members { get; }

    public void WriteTo(Stream destination)
    {
        var checksummed = new Crc32Stream(destination);
        using (var writer = new BinaryWriter(checksummed, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(AppliedIndex);
            writer.Write(LogTime);
            writer.Write(Values.Length);
            foreach (var (key, value) in Values)
            {
                writer.Write(key);
                writer.Write(value.Length);
                writer.Write(value);
            }

            writer.Write(Sessions.Length);
            foreach (var (id, session) in Sessions)
            {
                writer.Write(id);
                writer.Write(session.LastActive);
                writer.Write(session.LowestUnanswered);
                writer.Write(session.Replies.Count);
                foreach (var (sequence, reply) in session.Replies)
                {
                    writer.Write(sequence);
                    writer.Write(reply.Index);
                    writer.Write(reply.Existed);
                    writer.Write(reply.Length);
                    writer.Write(reply.Stale);
                }
            }

            writer.Write(Members.Length);
            foreach (var (id, address) in Members)
            {
                writer.Write(id);
                writer.Write(address);
            }
        }

        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, checksummed.Crc);
        destination.Write(crc);
    }

    public byte[] ToArray()
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer);
        return buffer.ToArray();
    }
}
