using System.Diagnostics;

namespace MessageClassifier;

/// <summary>
/// Classifies a few hundred messages twice, all at once and then in chunks, so that
/// dotnet-memline can show which line of each method the memory goes to.
/// </summary>
internal static class Program
{
    private const int MessageCount = 600;

    private static int Main()
    {
        var messages = SampleMessages.Generate(MessageCount);

        // The chunked version runs first: it is the one whose heap should stay small, and a GC that
        // has just watched ClassifyMessages keep 1.2 GB alive sets budgets so large that it would
        // not collect at all during the chunked run, hiding the difference the tables are meant to show.
        var stopwatch = Stopwatch.StartNew();
        var predictedChunked = Classifier.ClassifyMessagesChunked(messages, chunkSize: 20);
        Console.WriteLine($"ClassifyMessagesChunked: {Summarize(predictedChunked)} in {stopwatch.ElapsedMilliseconds} ms");

        stopwatch.Restart();
        var predicted = Classifier.ClassifyMessages(messages);
        Console.WriteLine($"ClassifyMessages:        {Summarize(predicted)} in {stopwatch.ElapsedMilliseconds} ms");
        return 0;
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
