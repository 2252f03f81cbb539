using System.Globalization;
using DotnetMemLine.Conformance;

// ConformanceCheck <truth.json> <report.json> <code kind> <exact|sampled> [<cells.tsv>]
// Prints the lines that are not right, then one summary row: code kind, mode, checked, right, wrong, known gaps,
// not judged (the twin's total differed from the plain method's by at least the line's difference), and of the wrong
// lines those the table does not mark as shared with other lines (silently wrong; "WRONG~" is a marked one), and in
// sampling mode those within 10% of their truth but outside their 95% interval (chance gives about one in twenty).
// With cells.tsv, appends one row per shape: shape, code kind and mode, right, wrong, known-gap lines.
// Exit code 1 when a line is wrong.
// ConformanceCheck --shapes <truth.json>: the names of the shapes a run measured, one per line.
if (args is ["--shapes", var truthFile])
{
    using var truth = System.Text.Json.JsonDocument.Parse(File.ReadAllText(truthFile));
    foreach (var shape in truth.RootElement.GetProperty("shapes").EnumerateArray())
    {
        Console.WriteLine(shape.GetProperty("name").GetString());
    }

    return 0;
}

if (args.Length is not (4 or 5) || args[3] is not ("exact" or "sampled"))
{
    Console.Error.WriteLine("usage: ConformanceCheck <truth.json> <report.json> <code kind> <exact|sampled> [<cells.tsv>]");
    return 2;
}

var lines = ConformanceComparison.Compare(File.ReadAllText(args[0]), File.ReadAllText(args[1]), args[2], args[3] == "exact", KnownGaps.All);
foreach (var line in lines.Where(l => l.Verdict is LineVerdict.Wrong or LineVerdict.KnownGap or LineVerdict.TruthDiffers))
{
    string interval = args[3] == "exact" ? "" : string.Create(CultureInfo.InvariantCulture, $" [{line.Low:N0}, {line.High:N0}]{(IsNearMiss(line) ? " (within 10%)" : "")}");
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {line.Verdict switch { LineVerdict.Wrong => line.Marked ? "WRONG~" : "WRONG ", LineVerdict.KnownGap => "gap   ", _ => "twin≠ " }} {args[2]} {line.Shape}:{line.Line} truth {line.Truth:N0} table {line.Reported:N0}{interval}  {line.Text}"));
}

if (args.Length == 5)
{
    File.AppendAllLines(args[4], lines.GroupBy(l => l.Shape).Select(shape =>
        $"{shape.Key}\t{args[2]} {args[3]}\t{shape.Count(l => l.Verdict == LineVerdict.Right)}\t{shape.Count(l => l.Verdict == LineVerdict.Wrong)}\t{shape.Count(l => l.Verdict == LineVerdict.KnownGap)}"));
}

int Count(LineVerdict verdict) => lines.Count(l => l.Verdict == verdict);
bool IsNearMiss(LineComparison line) => args[3] == "sampled" && line.Verdict == LineVerdict.Wrong && Math.Abs(line.Reported - line.Truth) <= 0.10 * line.Truth;
int checkedLines = Count(LineVerdict.Right) + Count(LineVerdict.Wrong) + Count(LineVerdict.KnownGap) + lines.Count(l => l.Verdict == LineVerdict.TruthDiffers && l.Line > 0);
Console.WriteLine($"| {args[2]} | {args[3]} | {lines.Select(l => l.Shape).Distinct().Count()} | {checkedLines} | {Count(LineVerdict.Right)} | {Count(LineVerdict.Wrong)} | {Count(LineVerdict.KnownGap)} | {lines.Count(l => l.Verdict == LineVerdict.TruthDiffers && l.Line > 0)} | {lines.Count(l => l.Verdict == LineVerdict.Wrong && !l.Marked)} | {(args[3] == "sampled" ? lines.Count(IsNearMiss).ToString(CultureInfo.InvariantCulture) : "–")} |");
return Count(LineVerdict.Wrong) > 0 ? 1 : 0;
