namespace MessageClassifier;

/// <summary>
/// A small two-layer classifier over mean-pooled hidden states (about 1 MB of weights),
/// standing in for the trained model of the original story.
/// </summary>
public sealed class TrainedClassifier
{
    public static readonly IReadOnlyList<string> Labels = ["billing", "technical", "account", "spam"];

    private const int PooledSize = Vectorizer.HiddenSize;
    private const int DenseSize = 256;
    private const int Seed = 20210331;

    private readonly float[] _denseWeights;
    private readonly float[] _outputWeights;

    private TrainedClassifier(float[] denseWeights, float[] outputWeights)
    {
        _denseWeights = denseWeights;
        _outputWeights = outputWeights;
    }

    public static TrainedClassifier Load()
    {
        var random = new Random(Seed);
        var denseWeights = new float[DenseSize * PooledSize];
        var outputWeights = new float[Labels.Count * DenseSize];
        foreach (var weights in new[] { denseWeights, outputWeights })
        {
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = (random.NextSingle() * 2) - 1;
            }
        }
        return new TrainedClassifier(denseWeights, outputWeights);
    }

    public int[] Predict(HiddenStates states)
    {
        if (states.Groups is null)
        {
            throw new ArgumentException("The classifier needs a group column; call Assign first.", nameof(states));
        }
        var predictions = new int[states.Count];
        var pooled = new float[PooledSize];
        var dense = new float[DenseSize];
        var logits = new float[Labels.Count];
        for (var i = 0; i < states.Count; i++)
        {
            MeanPool(states.Matrices[i], states.TokenCounts[i], pooled);
            Layer(_denseWeights, pooled, dense);
            foreach (ref var activation in dense.AsSpan())
            {
                activation = MathF.Tanh(activation);
            }
            Layer(_outputWeights, dense, logits);
            predictions[i] = ArgMax(logits);
        }
        return predictions;
    }

    // Padding rows are masked out, as a transformer's attention mask would.
    private static void MeanPool(float[] hidden, int tokenCount, float[] pooled)
    {
        Array.Clear(pooled);
        for (var position = 0; position < tokenCount; position++)
        {
            var row = hidden.AsSpan(position * PooledSize, PooledSize);
            for (var h = 0; h < PooledSize; h++)
            {
                pooled[h] += row[h];
            }
        }
        for (var h = 0; h < PooledSize; h++)
        {
            pooled[h] /= tokenCount;
        }
    }

    private static void Layer(float[] weights, float[] input, float[] output)
    {
        for (var o = 0; o < output.Length; o++)
        {
            var row = weights.AsSpan(o * input.Length, input.Length);
            var sum = 0f;
            for (var i = 0; i < input.Length; i++)
            {
                sum += row[i] * input[i];
            }
            output[o] = sum;
        }
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }
}
