using System.Diagnostics;

namespace MessageClassifier;

/// <summary>
/// Classifies a few hundred messages twice, all at once and then in chunks, so that
/// dotnet-memline can show which line of each method the memory goes to.
/// </summary>
internal static class Program
{
    private const int MessageCount = 600;

    private static int Main(string[] args)
    {
        var messages = SampleMessages.Generate(MessageCount);

        // The seed's order: everything at once, then in chunks. dotnet-memline tells the two apart in
        // either order (run it with --chunked-first): what a line holds is followed through the GCs.
        var chunkedFirst = args.Contains("--chunked-first");
        var stopwatch = Stopwatch.StartNew();
        if (chunkedFirst)
        {
            RunChunked(messages, stopwatch);
        }

        var predicted = Classifier.ClassifyMessages(messages);
        Console.WriteLine($"ClassifyMessages:        {Summarize(predicted)} in {stopwatch.ElapsedMilliseconds} ms");
        if (!chunkedFirst)
        {
            RunChunked(messages, stopwatch);
        }

        return 0;
    }

    private static void RunChunked(IReadOnlyList<string> messages, Stopwatch stopwatch)
    {
        stopwatch.Restart();
        var predictedChunked = Classifier.ClassifyMessagesChunked(messages, chunkSize: 20);
        Console.WriteLine($"ClassifyMessagesChunked: {Summarize(predictedChunked)} in {stopwatch.ElapsedMilliseconds} ms");
        stopwatch.Restart();
    }

    private static string Summarize(int[] predictions)
    {
        var counts = new int[TrainedClassifier.Labels.Count];
        foreach (var label in predictions)
        {
            counts[label]++;
        }
        var perLabel = TrainedClassifier.Labels.Select((label, index) => $"{label}={counts[index]}");
        return $"{predictions.Length} messages ({string.Join(", ", perLabel)})";
    }
}
