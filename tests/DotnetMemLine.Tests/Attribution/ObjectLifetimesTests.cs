using DotnetMemLine.Attribution;
using DotnetMemLine.Decoding;

namespace DotnetMemLine.Tests.Attribution;

/// <summary>Sampled objects followed through GCs as .NET 10 reports them (surviving ranges, moved ranges with old and new base).</summary>
[TestClass]
public sealed class ObjectLifetimesTests
{
    [TestMethod]
    public void AnObjectInNoReportedRange_DiesInAGCThatCollectedItsGeneration()
    {
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1000, HeapKind.Small, owner: 1, 100, 0, 1);
        lifetimes.Track(0x2000, HeapKind.Small, owner: 2, 100, 0, 1);

        Gen0GC(lifetimes, 1, surviving: [(0x1000, 0x100)]);

        Assert.AreEqual(1, lifetimes.ExaminedGCs);
        CollectionAssert.AreEqual(new[] { 1 }, lifetimes.Remaining().Select(s => s.Owner).ToArray());
        Assert.AreEqual(new LiveSpan(1, 1, 1, 100, 0, 1), lifetimes.Remaining().Single());
        Assert.IsEmpty(lifetimes.Spans, "an object that never survived a GC leaves no span");
    }

    [TestMethod]
    public void AMovedObject_IsFollowedToItsNewAddress()
    {
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1010, HeapKind.Small, owner: 1, 100, 0, 1);

        lifetimes.OnGCStart(1, 0);
        lifetimes.OnMovedRange(0x1000, 0x9000, 0x100);
        lifetimes.OnGCEnd(1.0, 1);
        // Now at 0x9010, in generation 1: a gen-1 GC that keeps 0x9000.. keeps it; the next one without it kills it.
        lifetimes.OnGCStart(2, 1);
        lifetimes.OnSurvivingRange(0x9000, 0x20);
        lifetimes.OnGCEnd(2.0, 2);
        Gen0GC(lifetimes, 3, surviving: [(0x50000, 0x10)]);
        Assert.HasCount(1, lifetimes.Remaining(), "a gen-0 GC does not collect a gen-2 object");

        lifetimes.OnGCStart(4, 2);
        lifetimes.OnSurvivingRange(0x50000, 0x10);
        lifetimes.OnGCEnd(4.0, 4);

        Assert.IsEmpty(lifetimes.Remaining());
        Assert.AreEqual(new LiveSpan(1, 1, 2, 100, 0, 1), lifetimes.Spans.Single());
        Assert.AreEqual(4.0, lifetimes.LastFullGCMSec);
    }

    [TestMethod]
    public void LargeObjects_AreCollectedOnlyWithGeneration2()
    {
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x7000_0000, HeapKind.Large, owner: 1, 200_000, 0, 1);

        Gen0GC(lifetimes, 1, surviving: [(0x1000, 0x10)]);
        Gen0GC(lifetimes, 2, surviving: [(0x1000, 0x10)]);
        Assert.HasCount(1, lifetimes.Remaining());

        lifetimes.OnGCStart(3, 2);
        lifetimes.OnSurvivingRange(0x1000, 0x10);
        lifetimes.OnGCEnd(3.0, 3);
        Assert.IsEmpty(lifetimes.Remaining());
    }

    [TestMethod]
    public void AGCThatReportedNoRange_KillsNothing()
    {
        // A background GC may report nothing: its objects are kept, unconfirmed (not seen alive there).
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1000, HeapKind.Small, owner: 1, 100, 0, 1);
        lifetimes.OnGCStart(1, 2);
        lifetimes.OnGCEnd(1.0, 1);

        Assert.AreEqual(0, lifetimes.ExaminedGCs);
        Assert.AreEqual(0, lifetimes.Remaining().Single().ToGC);
    }

    [TestMethod]
    public void RangesOfAnEphemeralGCInsideABackgroundGC_AreItsOwn()
    {
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1000, HeapKind.Small, owner: 1, 100, 0, 1);
        lifetimes.OnGCStart(1, 2);                    // background gen-2 GC begins
        lifetimes.OnGCStart(2, 0);                    // a foreground gen-0 GC inside it
        lifetimes.OnSurvivingRange(0x1000, 0x100);
        lifetimes.OnGCEnd(2.0, 2);
        lifetimes.OnGCEnd(3.0, 1);                    // the background GC ends, reporting nothing

        Assert.AreEqual(1, lifetimes.ExaminedGCs);
        Assert.AreEqual(1, lifetimes.Remaining().Single().ToGC);
        Assert.IsNull(lifetimes.LastFullGCMSec);
    }

    private static void Gen0GC(ObjectLifetimes lifetimes, int count, (ulong Start, ulong Length)[] surviving)
    {
        lifetimes.OnGCStart(count, 0);
        foreach ((ulong start, ulong length) in surviving)
        {
            lifetimes.OnSurvivingRange(start, length);
        }

        lifetimes.OnGCEnd(count, count);
    }
}
