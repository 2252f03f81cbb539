using DotnetMemLine.Decoding;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Attribution;

/// <summary>
/// The source line of any frame of a trace, for consumers that need every frame's line (a flame graph, a pprof
/// export, a per-type tally): the IL offset of the call the frame was making (the byte before its return address,
/// in its body's IL-to-native map), then the PDB's sequence point, through the analysis's <see cref="SymbolCache"/>.
/// Each frame is resolved once.
/// </summary>
/// <remarks>
/// This is the plain rule. The selected methods' tables use <see cref="FrameLineResolver"/>, which also reads the
/// calls seen at each return address against the method's IL (optimized code that moved, merged or inlined
/// statements; docs/how-it-works.md) and so needs the whole trace first; a consumer wanting that precision for a
/// method collects its frames and resolves them after the pass the same way.
/// </remarks>
public sealed class FrameLines(IAllocationTrace trace, SymbolCache symbols)
{
    private readonly Dictionary<(int CodeId, int ReturnOffset), SourceLine?> _lines = [];

    /// <summary>The frame's line; null for a frame without an IL map (ReadyToRun code), outside any statement, or in a module without a usable PDB.</summary>
    public SourceLine? LineOf(StackFrame frame)
    {
        if (!_lines.TryGetValue((frame.CodeId, frame.ReturnOffset), out SourceLine? line))
        {
            line = Resolve(frame);
            _lines[(frame.CodeId, frame.ReturnOffset)] = line;
        }

        return line;
    }

    private SourceLine? Resolve(StackFrame frame)
    {
        if ((uint)frame.CodeId >= (uint)trace.Code.Count || (uint)frame.MethodId >= (uint)trace.Methods.Count)
        {
            return null;
        }

        int ilOffset = ILOffsetOfCall(trace.Code[frame.CodeId], frame.ReturnOffset);
        TracedMethod method = trace.Methods[frame.MethodId];
        return ilOffset < 0 || symbols.TryOpen(method.ModulePath) is not { } moduleSymbols ? null : moduleSymbols.FindLine(method.Token, ilOffset);
    }

    /// <summary>The IL offset of the map range holding the byte before the return address (inside the call instruction); -1 when unmapped.</summary>
    internal static int ILOffsetOfCall(CompiledCode code, int returnOffset)
    {
        int index = code.RangeAt(returnOffset - 1);
        return index < 0 ? -1 : code.ILOffsets[index] switch
        {
            >= 0 and int il => il,
            -2 => 0, // the prolog: the method's first statement
            _ => -1,
        };
    }
}
