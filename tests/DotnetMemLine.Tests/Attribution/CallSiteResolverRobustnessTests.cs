using System.Collections.Frozen;
using System.Collections.Immutable;
using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;
using DotnetMemLine.Symbols;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>
/// The call-site rules on code no test was written for: random maps, sites, jumps, catch regions, callee facts and
/// frames, from fixed seeds. Placement may be anything; an exception is an "unexpected error" that loses the whole
/// analysis (a default FrameCall taken for a throw helper did, in dotnet-memline's analysis of a trace of itself).
/// </summary>
[TestClass]
public sealed class CallSiteResolverRobustnessTests
{
    private static readonly string[] Types = ["String", "List", "Int32", "Dictionary", "StringBuilder", "Byte[]", "Object", "Enumerable", "Number", "?[]", "<>c"];
    private static readonly string[] Methods = ["Concat", "Add", "AddWithResize", "ToString", "Parse", "ThrowFormatException", "Select", "ToList", ".ctor", "Invoke", "<Run>b__0_0", "GetEnumerator", "MoveNext"];

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    public void RandomCodeSitesAndFrames_ResolveWithoutAnException(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 1000; round++)
        {
            int ilSize = random.Next(1, 400);
            ImmutableArray<ILSite> sites = RandomSites(random, ilSize);
            CompiledCode code = RandomCode(random, ilSize);
            ImmutableArray<ILBranch> branches = random.Next(4) == 0 ? default : [.. Enumerable.Range(0, random.Next(8)).Select(_ => RandomBranch(random, ilSize))];
            ImmutableArray<CatchRegion> catches = random.Next(3) == 0 ? [RandomCatch(random, ilSize)] : [];
            Dictionary<int, CalleeFacts> facts = sites.Where(s => s.CallToken != 0).DistinctBy(s => s.CallToken)
                .ToDictionary(s => s.CallToken, _ => new CalleeFacts(
                    RandomKeys(random, Types).ToFrozenDictionary(t => t, _ => random.Next(3)),
                    RandomKeys(random, Types).SelectMany(t => RandomKeys(random, Methods).Select(m => (t, m))).Distinct().ToFrozenDictionary(c => c, _ => random.Next(3))));
            (int, FrameCall)[] frames = [.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => (random.Next(0, code.Size + 1), RandomCall(random)))];

            var resolver = new CallSiteResolver(code, sites, ilSize, token => sites, branches, null, catches, site => facts.GetValueOrDefault(site.CallToken));
            try
            {
                resolver.Resolve(frames);
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}, round {round}: {ex}");
            }
        }
    }

    private static ImmutableArray<ILSite> RandomSites(Random random, int ilSize)
    {
        int count = random.Next(0, 12);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(ilSize)).Distinct().Order().Select(offset => new ILSite(
            offset, (ILSiteKind)random.Next(0, 6), Types[random.Next(Types.Length)], Methods[random.Next(Methods.Length)],
            ArrayLength: random.Next(3) == 0 ? random.Next(0, 100) : -1, TargetToken: random.Next(4) == 0 ? 0x06000001 + random.Next(3) : 0,
            ParameterCount: random.Next(-1, 4), CallToken: random.Next(2) == 0 ? 0x0A000001 + random.Next(4) : 0,
            TypeArguments: random.Next(4) == 0 ? "Int32,String" : ""))];
    }

    private static CompiledCode RandomCode(Random random, int ilSize)
    {
        int entries = random.Next(1, 14);
        int[] native = [.. Enumerable.Range(0, entries).Select(_ => random.Next(0, 0x400)).Order()];
        int[] il = [.. Enumerable.Range(0, entries).Select(_ => random.Next(6) switch { 0 => -1, 1 => -2, 2 => -3, _ => random.Next(ilSize) })];
        return new CompiledCode
        {
            MethodId = 0,
            Size = 0x400,
            NativeOffsets = [.. native],
            ILOffsets = [.. il],
            IsOptimized = random.Next(2) == 0,
            InlinedMethods = random.Next(3) == 0 ? null : [.. RandomKeys(random, Types).Select(t => ("System." + t, Methods[random.Next(Methods.Length)]))],
        };
    }

    private static ILBranch RandomBranch(Random random, int ilSize)
    {
        int offset = random.Next(ilSize);
        return new ILBranch(offset, Math.Min(ilSize, offset + 2), random.Next(ilSize), random.Next(2) == 0);
    }

    private static CatchRegion RandomCatch(Random random, int ilSize)
    {
        int[] bounds = [.. Enumerable.Range(0, 4).Select(_ => random.Next(ilSize + 1)).Order()];
        return new CatchRegion(bounds[0], bounds[1], bounds[2], bounds[3]);
    }

    private static FrameCall RandomCall(Random random)
    {
        string type = Types[random.Next(Types.Length)];
        return random.Next(3) == 0
            ? FrameCall.Allocation(type, random.Next(-1, 200), random.Next(-1, 400))
            : FrameCall.Call(type, Methods[random.Next(Methods.Length)]);
    }

    private static string[] RandomKeys(Random random, string[] from) => [.. from.Where(_ => random.Next(4) == 0)];
}
