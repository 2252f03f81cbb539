namespace MessageClassifier;

/// <summary>
/// The two pipelines from the memory_profiler story, kept line for line so that a
/// per-line memory table of either method reads like the original %mprun output.
/// </summary>
public static class Classifier
{
    public static int[] ClassifyMessages(IReadOnlyList<string> messages)
    {
        var vectorizer = Vectorizer.Load(model: "distilbert");
        var classifier = TrainedClassifier.Load();

        var messageVectors = vectorizer.MakeHiddenStates(messages);
        // Classifier needs a dummy value for group in the input
        messageVectors = messageVectors.Assign(group: 0);

        var predicted = classifier.Predict(messageVectors);
        return predicted;
    }

    public static int[] ClassifyMessagesChunked(IReadOnlyList<string> messages, int chunkSize = 20)
    {
        var vectorizer = Vectorizer.Load(model: "distilbert");
        var classifier = TrainedClassifier.Load();

        var allPredictions = new List<int[]>();
        foreach (var chunk in messages.Chunk(chunkSize))
        {
            var currentVectors = vectorizer.MakeHiddenStates(chunk);
            // Classifier needs a dummy value for group in the input
            currentVectors = currentVectors.Assign(group: 0);
            var predicted = classifier.Predict(currentVectors);
            allPredictions.Add(predicted);
        }
        var result = Concatenate(allPredictions);
        return result;
    }

    private static int[] Concatenate(List<int[]> parts)
    {
        var result = new int[parts.Sum(part => part.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }
        return result;
    }
}
