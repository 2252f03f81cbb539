using System.Numerics;
using System.Runtime.InteropServices;

namespace MessageClassifier;

/// <summary>
/// A stand-in for a BERT-style vectorizer: a deterministic embedding table (tens of MB, like
/// loading a real model) that turns every message into a full padded sequence of hidden states.
/// </summary>
public sealed class Vectorizer
{
    // Real tokenizers pad every message to the model's maximum length, which is why
    // hidden states dwarf the text they came from: 512 x 1024 floats = 2 MiB per message.
    public const int SequenceLength = 512;
    public const int HiddenSize = 1024;
    private const int VocabularySize = 8192;
    private const int PaddingTokenId = 0;
    private const int ClassTokenId = 1;
    private const int FirstWordTokenId = 2;

    private readonly float[] _tokenEmbeddings;
    private readonly float[] _positionEmbeddings;

    private Vectorizer(float[] tokenEmbeddings, float[] positionEmbeddings)
    {
        _tokenEmbeddings = tokenEmbeddings;
        _positionEmbeddings = positionEmbeddings;
    }

    /// <summary>"Loads" the model: about 34 MB of weights, generated from a seed derived from its name.</summary>
    public static Vectorizer Load(string model)
    {
        var seed = StableHash(model);
        var tokenEmbeddings = RandomWeights(VocabularySize * HiddenSize, seed, scale: 1.0f);
        var positionEmbeddings = RandomWeights(SequenceLength * HiddenSize, seed + 1, scale: 0.1f);
        return new Vectorizer(tokenEmbeddings, positionEmbeddings);
    }

    public HiddenStates MakeHiddenStates(IReadOnlyList<string> messages)
    {
        var matrices = new float[messages.Count][];
        var tokenCounts = new int[messages.Count];
        Span<int> tokenIds = stackalloc int[SequenceLength];
        for (var i = 0; i < messages.Count; i++)
        {
            tokenCounts[i] = Tokenize(messages[i], tokenIds);
            matrices[i] = Embed(tokenIds);
        }
        return new HiddenStates(matrices, tokenCounts);
    }

    /// <summary>Writes [CLS] + word ids + padding into tokenIds and returns the number of real tokens.</summary>
    private static int Tokenize(string message, Span<int> tokenIds)
    {
        tokenIds.Clear(); // every position is padding (PaddingTokenId, 0) until a token is written there
        tokenIds[0] = ClassTokenId;
        var count = 1;
        foreach (var range in message.AsSpan().Split(' '))
        {
            var word = message.AsSpan()[range];
            if (word.IsEmpty || count == tokenIds.Length)
            {
                continue;
            }
            tokenIds[count++] = FirstWordTokenId + (int)(StableHash(word) % (VocabularySize - FirstWordTokenId));
        }
        return count;
    }

    /// <summary>Hidden state of each position = its token's embedding + the position's embedding.</summary>
    private float[] Embed(ReadOnlySpan<int> tokenIds)
    {
        var hidden = new float[SequenceLength * HiddenSize];
        for (var position = 0; position < tokenIds.Length; position++)
        {
            Add(
                _tokenEmbeddings.AsSpan(tokenIds[position] * HiddenSize, HiddenSize),
                _positionEmbeddings.AsSpan(position * HiddenSize, HiddenSize),
                hidden.AsSpan(position * HiddenSize, HiddenSize));
        }
        return hidden;
    }

    // Rows are a multiple of every Vector<float> width, so no scalar tail is needed.
    private static void Add(ReadOnlySpan<float> left, ReadOnlySpan<float> right, Span<float> destination)
    {
        var leftVectors = MemoryMarshal.Cast<float, Vector<float>>(left);
        var rightVectors = MemoryMarshal.Cast<float, Vector<float>>(right);
        var destinationVectors = MemoryMarshal.Cast<float, Vector<float>>(destination);
        for (var i = 0; i < destinationVectors.Length; i++)
        {
            destinationVectors[i] = leftVectors[i] + rightVectors[i];
        }
    }

    private static float[] RandomWeights(int count, uint seed, float scale)
    {
        var random = new Random((int)seed);
        var weights = new float[count];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = ((random.NextSingle() * 2) - 1) * scale;
        }
        return weights;
    }

    // string.GetHashCode is randomized per process; FNV-1a keeps token ids stable across runs.
    internal static uint StableHash(ReadOnlySpan<char> text)
    {
        var hash = 2166136261u;
        foreach (var character in text)
        {
            hash = (hash ^ character) * 16777619u;
        }
        return hash;
    }
}
