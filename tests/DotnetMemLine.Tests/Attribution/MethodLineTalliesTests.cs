using DotnetMemLine.Attribution;
using DotnetMemLine.Estimation;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>
/// A method's tallies from two traces (two instances) as one: sums add (so the interval comes from the combined counts),
/// another trace's types are mapped onto this one's by name (two of its types may become one), peaks take the larger.
/// </summary>
[TestClass]
public sealed class MethodLineTalliesTests
{
    [TestMethod]
    public void TwoTraces_AddUp_LineByLine_TheirTypesMapped_TheirPeaksTheLarger()
    {
        MethodLineTallies first = Tallies(line: 12, objectSize: 1_000, samples: 3, typeId: 0, peakHeap: 5_000);
        MethodLineTallies second = Tallies(line: 12, objectSize: 1_000, samples: 2, typeId: 1, peakHeap: 9_000);
        second.TypesByLine[12][2] = Sampled(1_000, 1); // a second type of the same name in the other trace
        second.HeapAtGCs.Add(1, 7_000, 2_000);
        first.HeapAtGCs.Add(1, 3_000, 1_000);

        first.MergeFrom(second, typeMap: [5, 0, 0]);

        Assert.AreEqual(5, first.ByLine[12].Samples);
        Assert.AreEqual(5, first.Total.Samples);
        Assert.AreEqual(first.ByLine[12].WeightedBytes, first.Total.WeightedBytes, 1e-6);
        Assert.AreEqual(3 + 2 + 1, first.TypesByLine[12][0].Samples, "the other trace's two types of this name add to it");
        Assert.AreEqual(9_000, first.PeakHeapByLine[12]);
        Assert.AreEqual(2, first.HeapAtGCs.GCs, "one GC in each process");
        Assert.AreEqual(7_000, first.HeapAtGCs.PeakBefore);
        Assert.AreEqual(2, first.ThreadCount);
    }

    private static MethodLineTallies Tallies(int line, long objectSize, int samples, int typeId, long peakHeap)
    {
        var tallies = new MethodLineTallies { ThreadCount = 1 };
        tallies.ByLine[line] = Sampled(objectSize, samples);
        tallies.Total.Add(tallies.ByLine[line]);
        tallies.TypesByLine[line] = new Dictionary<int, SampleTally> { [typeId] = Sampled(objectSize, samples) };
        tallies.PeakHeapByLine[line] = peakHeap;
        return tallies;
    }

    private static SampleTally Sampled(long objectSize, int samples)
    {
        var tally = new SampleTally();
        for (int i = 0; i < samples; i++)
        {
            tally.AddSampled(objectSize, 0);
        }

        return tally;
    }
}
