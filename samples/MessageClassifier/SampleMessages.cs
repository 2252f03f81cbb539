namespace MessageClassifier;

/// <summary>Deterministic customer-support style messages, so every run profiles the same work.</summary>
public static class SampleMessages
{
    private static readonly string[] Words =
    [
        "hello", "my", "invoice", "is", "wrong", "please", "refund", "the", "charge", "card",
        "password", "reset", "login", "fails", "error", "app", "crashes", "when", "I", "open",
        "account", "locked", "update", "email", "address", "win", "free", "prize", "click", "link",
        "now", "limited", "offer", "thanks", "for", "your", "help", "cannot", "connect", "server",
        "payment", "declined", "twice", "subscription", "cancel", "plan", "upgrade", "slow", "again", "today",
    ];

    public static IReadOnlyList<string> Generate(int count, int seed = 42)
    {
        var random = new Random(seed);
        var messages = new string[count];
        for (var i = 0; i < count; i++)
        {
            var words = new string[random.Next(8, 40)];
            for (var w = 0; w < words.Length; w++)
            {
                words[w] = Words[random.Next(Words.Length)];
            }
            messages[i] = string.Join(' ', words);
        }
        return messages;
    }
}
