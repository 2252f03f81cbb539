namespace MessageClassifier;

/// <summary>
/// The vectorizer's output: one [SequenceLength x HiddenSize] matrix per message, like a
/// transformer's last hidden layer, plus the extra "group" column the classifier expects.
/// </summary>
public sealed class HiddenStates
{
    private readonly float[][] _matrices;
    private readonly int[] _tokenCounts;

    public HiddenStates(float[][] matrices, int[] tokenCounts, int[]? groups = null)
    {
        _matrices = matrices;
        _tokenCounts = tokenCounts;
        Groups = groups;
    }

    /// <summary>Row-major [SequenceLength x HiddenSize] hidden states, one per message.</summary>
    public IReadOnlyList<float[]> Matrices => _matrices;

    /// <summary>How many leading rows of each matrix are real tokens rather than padding.</summary>
    public IReadOnlyList<int> TokenCounts => _tokenCounts;

    public IReadOnlyList<int>? Groups { get; }

    public int Count => _matrices.Length;

    /// <summary>Mirrors pandas' DataFrame.assign: a new frame sharing the data, plus a constant column.</summary>
    public HiddenStates Assign(int group)
    {
        var groups = new int[Count];
        Array.Fill(groups, group);
        return new HiddenStates(_matrices, _tokenCounts, groups);
    }
}
