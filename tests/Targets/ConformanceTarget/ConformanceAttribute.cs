namespace ConformanceTarget;

/// <summary>
/// Marks a shape: a static, parameterless method in a top-level partial class, written as plain
/// code. ConformanceGenerator writes its measured twin and lists it in <see cref="ShapeRegistry"/>.
/// </summary>
/// <param name="group">The group the runner selects it by (the fast test runs a few groups).</param>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ConformanceAttribute(string group) : Attribute
{
    public string Group { get; } = group;
}
