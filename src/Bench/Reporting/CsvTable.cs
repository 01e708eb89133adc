using System.Globalization;
using System.Text;

namespace OrleansRaft.Bench.Reporting;

/// <summary>A CSV file of the results (RFC 4180 quoting, invariant numbers), for spreadsheets and plotting tools.</summary>
public sealed class CsvTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public CsvTable Add(params object?[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"a row of {cells.Length} cells in a CSV of {headers.Length} columns", nameof(cells));
        }

        rows.Add([.. cells.Select(Text)]);
        return this;
    }

    public void Save(string path)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', headers.Select(Quote)).Append('\n');
        foreach (var row in rows)
        {
            text.AppendJoin(',', row.Select(Quote)).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    private static string Text(object? cell) => cell switch
    {
        null => "",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
