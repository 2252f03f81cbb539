namespace ConformanceTarget;

/// <summary>One shape: where it is and which of its lines the twin cannot measure.</summary>
/// <param name="UncheckedLines">Lines holding an await: the thread's counter cannot follow them.</param>
/// <param name="StateMachine">
/// An async method or iterator: its twin's state machine holds the twin's own locals too, so the two
/// totals differ by design (and an async shape's are not one thread's).
/// </param>
internal sealed record ShapeInfo(string Group, string Name, string Type, string File, int[] UncheckedLines, bool StateMachine);

/// <summary>The shapes and how to call them; the lists and the switches are generated.</summary>
internal static partial class ShapeRegistry
{
    private static async Task Drain<T>(IAsyncEnumerable<T> items)
    {
        await foreach (var item in items)
        {
            Sink.Keep(item is null ? 0L : 1L);
        }
    }
}
