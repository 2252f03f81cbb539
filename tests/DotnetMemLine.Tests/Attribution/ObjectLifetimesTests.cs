using System.Buffers.Binary;
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
    [DataRow(3, DisplayName = "a few runs, merged")]
    [DataRow(40, DisplayName = "many runs, sorted")]
    public void RangesListedInRunsOutOfAddressOrder_FindEveryObject(int runs)
    {
        // The runtime lists a GC's ranges a heap or a generation at a time: runs each in address order, the runs not.
        var lifetimes = new ObjectLifetimes();
        var ranges = new List<(ulong Start, ulong Length)>();
        for (int run = runs - 1; run >= 0; run--)
        {
            for (int i = 0; i < 50; i++)
            {
                ranges.Add(((ulong)(((i * runs) + run) * 0x100) + 0x10_000, 0x80));
            }
        }

        for (int owner = 0; owner < ranges.Count; owner++)
        {
            lifetimes.Track(ranges[owner].Start + 0x10, HeapKind.Small, owner, 24, 0, 1); // inside a range: survives
            lifetimes.Track(ranges[owner].Start + 0x90, HeapKind.Small, -1 - owner, 24, 0, 1); // in the gap after it: dies
        }

        Gen0GC(lifetimes, 1, surviving: [.. ranges]);

        CollectionAssert.AreEquivalent(Enumerable.Range(0, ranges.Count).ToArray(), lifetimes.Remaining().Select(s => s.Owner).ToArray());
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
    public void RangesTakenAsAnEventsBatch_AreFollowedAsOneByOne()
    {
        // GCBulkMovedObjectRanges' payload after Index, Count and ClrInstanceID: (old, new, length) per range, 64-bit
        // pointers; the count says 3 but the payload holds 2 (a cut event): only those are read.
        byte[] moved = new byte[2 * 24];
        (ulong Old, ulong New, ulong Length)[] ranges = [(0x1000, 0x9000, 0x100), (0x3000, 0x3000, 0x40)];
        for (int i = 0; i < ranges.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(moved.AsSpan(24 * i), ranges[i].Old);
            BinaryPrimitives.WriteUInt64LittleEndian(moved.AsSpan((24 * i) + 8), ranges[i].New);
            BinaryPrimitives.WriteUInt64LittleEndian(moved.AsSpan((24 * i) + 16), ranges[i].Length);
        }

        var batch = new GCRanges(moved, count: 3, pointerSize: 8, moved: true);
        Assert.AreEqual(2, batch.Count);
        Assert.AreEqual((0x1000UL, 0x9000UL, 0x100UL), batch[0]);

        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1010, HeapKind.Small, owner: 1, 100, 0, 1);
        lifetimes.Track(0x3010, HeapKind.Small, owner: 2, 100, 0, 1);
        lifetimes.Track(0x5010, HeapKind.Small, owner: 3, 100, 0, 1);
        lifetimes.OnGCStart(1, 0);
        lifetimes.OnRanges(batch);
        lifetimes.OnGCEnd(1.0, 1);

        CollectionAssert.AreEqual(new[] { (1, 0x9010UL), (2, 0x3010UL) }, lifetimes.RemainingObjects().Select(o => (o.Span.Owner, o.Address)).Order().ToArray(),
            "the first moved, the second stayed, the third is in no range: dead");

        byte[] surviving32 = [0x00, 0x90, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0]; // (0x9000, length 0x20), 32-bit pointer
        var survivingBatch = new GCRanges(surviving32, count: 1, pointerSize: 4, moved: false);
        Assert.AreEqual((0x9000UL, 0x9000UL, 0x20UL), survivingBatch[0]);
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
    [DataRow(8)]
    [DataRow(4)]
    public void RangesPassedOverInABatch_ChangeNothing(int pointerSize)
    {
        // A batch keeps only the ranges that hold a followed object or moved survivors onto one; the others cannot change
        // anything. Random GCs of a thousand ranges each (in runs of rising addresses, some moved, some onto followed
        // objects, a few holding none at all), given as batches and one by one, must leave the same objects, at the same
        // addresses, seen alive at the same GCs.
        var random = new Random(pointerSize);
        var batched = new ObjectLifetimes();
        var oneByOne = new ObjectLifetimes();
        int owner = 0;
        for (int gc = 1; gc <= 40; gc++)
        {
            for (int i = 0; i < 30; i++)
            {
                ulong address = (ulong)random.Next(0x10000, 0x600000) & ~7UL;
                batched.Track(address, HeapKind.Small, ++owner, 100, 0, 1);
                oneByOne.Track(address, HeapKind.Small, owner, 100, 0, 1);
            }

            int condemned = random.Next(3);
            batched.OnGCStart(gc, condemned);
            oneByOne.OnGCStart(gc, condemned);
            for (int run = 0; run < 3; run++)
            {
                bool moved = random.Next(2) == 0;
                var ranges = new List<(ulong Start, ulong NewStart, ulong Length)>();
                ulong start = (ulong)random.Next(0x10000, 0x100000);
                for (int r = 0; r < (gc % 10 == 0 ? 0 : 350); r++)
                {
                    ulong length = (ulong)random.Next(0, 0x4000);
                    ulong newStart = moved && random.Next(3) > 0 ? (ulong)random.Next(0x10000, 0x600000) & ~7UL : start;
                    ranges.Add((start, newStart, length));
                    start += length + (ulong)random.Next(0, 0x2000);
                }

                byte[] payload = Payload(ranges, pointerSize, moved);
                batched.OnRanges(new GCRanges(payload, ranges.Count, pointerSize, moved));
                foreach ((ulong from, ulong to, ulong length) in ranges)
                {
                    if (moved)
                    {
                        oneByOne.OnMovedRange(from, to, length);
                    }
                    else
                    {
                        oneByOne.OnSurvivingRange(from, length);
                    }
                }
            }

            batched.OnGCEnd(gc, gc);
            oneByOne.OnGCEnd(gc, gc);
        }

        var expected = oneByOne.RemainingObjects().Select(o => (o.Span, o.Address)).OrderBy(o => o.Span.Owner).ToArray();
        Assert.IsGreaterThan(50, expected.Length, "some objects survive to the end");
        Assert.IsGreaterThan(50, oneByOne.Spans.Count, "some objects died after surviving a GC");
        CollectionAssert.AreEqual(expected, batched.RemainingObjects().Select(o => (o.Span, o.Address)).OrderBy(o => o.Span.Owner).ToArray());
        CollectionAssert.AreEqual(oneByOne.Spans.OrderBy(s => s.Owner).ToArray(), batched.Spans.OrderBy(s => s.Owner).ToArray());
        Assert.AreEqual(oneByOne.ExaminedGCs, batched.ExaminedGCs);
    }

    private static byte[] Payload(List<(ulong Start, ulong NewStart, ulong Length)> ranges, int pointerSize, bool moved)
    {
        int stride = (moved ? 2 * pointerSize : pointerSize) + 8;
        byte[] payload = new byte[ranges.Count * stride];
        for (int i = 0; i < ranges.Count; i++)
        {
            Span<byte> range = payload.AsSpan(i * stride, stride);
            WritePointer(range, ranges[i].Start, pointerSize);
            if (moved)
            {
                WritePointer(range[pointerSize..], ranges[i].NewStart, pointerSize);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(range[^8..], ranges[i].Length);
        }

        return payload;
    }

    private static void WritePointer(Span<byte> at, ulong value, int pointerSize)
    {
        if (pointerSize == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(at, value);
        }
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

    [TestMethod]
    public void ABackgroundGC_JudgesOnlyWhatWasOldWhenItBegan_AndPromotesNothing()
    {
        // Measured on .NET 10 (GCKindsShape): a background GC's ranges need not list the ephemeral objects, nor those
        // allocated while it ran; it neither collects nor promotes the ephemeral generations.
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x7000_0000, HeapKind.Large, owner: 1, 200_000, 0, 1); // old: collected by it
        lifetimes.Track(0x1000, HeapKind.Small, owner: 2, 100, 0, 1);          // generation 0: not its business
        lifetimes.OnGCStart(1, 2, GCType.Background);
        lifetimes.Track(0x7100_0000, HeapKind.Large, owner: 3, 200_000, 0, 1); // allocated while it runs
        lifetimes.Track(0x2000, HeapKind.Small, owner: 4, 100, 0, 1);
        lifetimes.OnSurvivingRange(0x9000, 0x10);
        lifetimes.OnGCEnd(1.0, 1);

        CollectionAssert.AreEquivalent(new[] { 2, 3, 4 }, lifetimes.Remaining().Select(s => s.Owner).ToArray());
        Assert.IsNull(lifetimes.LastFullGCMSec, "a background GC does not judge the ephemeral generations: not a full GC");

        // Still in generation 0: the next gen-0 GC judges (and here kills) the small ones.
        Gen0GC(lifetimes, 2, surviving: [(0x9000, 0x10)]);
        CollectionAssert.AreEquivalent(new[] { 3 }, lifetimes.Remaining().Select(s => s.Owner).ToArray());
    }

    [TestMethod]
    public void ABackgroundGC_DoesNotJudgeWhatAGCInsideItPromotedToGeneration2()
    {
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1000, HeapKind.Small, owner: 1, 100, 0, 1);
        Gen0GC(lifetimes, 1, surviving: [(0x1000, 0x100)]);        // now generation 1
        lifetimes.OnGCStart(2, 2, GCType.Background);
        lifetimes.OnGCStart(3, 1);                                 // its ephemeral GC promotes it to generation 2
        lifetimes.OnSurvivingRange(0x1000, 0x100);
        lifetimes.OnGCEnd(3.0, 3);
        lifetimes.OnSurvivingRange(0x9000, 0x10);                  // the background GC's ranges do not list it
        lifetimes.OnGCEnd(4.0, 2);

        Assert.AreEqual(1, lifetimes.Remaining().Single().Owner);
    }

    [TestMethod]
    public void RangesABackgroundGCReportedBeforeAGCInsideIt_AreKept()
    {
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x7000_0000, HeapKind.Large, owner: 1, 200_000, 0, 1);
        lifetimes.OnGCStart(1, 2, GCType.Background);
        lifetimes.OnSurvivingRange(0x7000_0000, 0x40000);          // the background GC lists the large object
        lifetimes.OnGCStart(2, 0);                                 // then an ephemeral GC runs inside it
        lifetimes.OnSurvivingRange(0x1000, 0x100);
        lifetimes.OnGCEnd(2.0, 2);
        lifetimes.OnGCEnd(3.0, 1);

        Assert.AreEqual(2, lifetimes.Remaining().Single().ToGC, "the large object was seen alive at the background GC");
    }

    [TestMethod]
    public void AnObjectSurvivorsWereMovedOnto_DiedInThatGC_WhateverItsCountedGeneration()
    {
        // Counted as generation 2 after two GCs; the runtime did not promote it (measured with GCKindsShape: a compacting
        // gen-1 GC then collected it and moved other survivors onto its memory).
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1000, HeapKind.Small, owner: 1, 100, 0, 1);
        lifetimes.Track(0x8000, HeapKind.Small, owner: 2, 100, 0, 1);
        Gen0GC(lifetimes, 1, surviving: [(0x1000, 0x100), (0x8000, 0x100)]);
        lifetimes.OnGCStart(2, 1);
        lifetimes.OnSurvivingRange(0x1000, 0x100);
        lifetimes.OnSurvivingRange(0x8000, 0x100);
        lifetimes.OnGCEnd(2.0, 2);

        lifetimes.OnGCStart(3, 1);
        lifetimes.OnMovedRange(0x5000, 0x1000, 0x200);             // survivors moved onto the first object
        lifetimes.OnGCEnd(3.0, 3);

        Assert.AreEqual(2, lifetimes.Remaining().Single().Owner, "the object nothing was moved onto stays (generation 2)");
        Assert.AreEqual(new LiveSpan(1, 1, 2, 100, 0, 1), lifetimes.Spans.Single());
    }

    [TestMethod]
    public void TheGenerationsAGCBeganWith_DecideWhatItCollects()
    {
        // Counted as generation 2 after two GCs, but the runtime kept it in generation 1 (GCGenerationRange right after
        // GCStart says so): a gen-1 GC that does not list it killed it. The description repeated after the GC is ignored.
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1000, HeapKind.Small, owner: 1, 100, 0, 1);
        Gen0GC(lifetimes, 1, surviving: [(0x1000, 0x100)]);
        lifetimes.OnGCStart(2, 1);
        lifetimes.OnSurvivingRange(0x1000, 0x100);
        lifetimes.OnGCEnd(2.0, 2);

        lifetimes.OnGCStart(3, 1);
        lifetimes.OnGenerationRange(2, 0x8000, 0x1000);
        lifetimes.OnGenerationRange(1, 0x1000, 0x1000);
        lifetimes.OnGenerationRange(0, 0x4000, 0x1000);
        lifetimes.OnGenerationRange(2, 0x1000, 0x1000);             // the same range again: a second description
        lifetimes.OnSurvivingRange(0x4000, 0x10);
        lifetimes.OnGCEnd(3.0, 3);

        Assert.IsEmpty(lifetimes.Remaining());
        Assert.AreEqual(new LiveSpan(1, 1, 2, 100, 0, 1), lifetimes.Spans.Single());
    }

    [TestMethod]
    public void AnObjectThatSurvivedAGC_AndLiesInNoUsedRangeWhenTheNextBegins_Died()
    {
        // Measured with GCKindsShape: a background GC's marking found a block already unreachable and its sweep gave the
        // end of the region back; the next GC's description of the generations ends before the block.
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1000, HeapKind.Small, owner: 1, 100, 0, 1);
        lifetimes.Track(0x1800, HeapKind.Small, owner: 2, 100, 0, 1);
        Gen0GC(lifetimes, 1, surviving: [(0x1000, 0x100), (0x1800, 0x100)]);
        lifetimes.Track(0x3f00, HeapKind.Small, owner: 3, 100, 0, 1); // allocated since: may lie past the used part

        lifetimes.OnGCStart(2, 0);
        lifetimes.OnGenerationRange(1, 0x1000, 0x200);
        lifetimes.OnGenerationRange(0, 0x3000, 0x100);
        lifetimes.OnSurvivingRange(0x3f00, 0x100);                 // the description is complete: the swept object died

        Assert.AreEqual(new LiveSpan(2, 1, 1, 100, 0, 1), lifetimes.Spans.Single());
        lifetimes.OnGCEnd(2.0, 2);
        CollectionAssert.AreEquivalent(new[] { 1, 3 }, lifetimes.Remaining().Select(s => s.Owner).ToArray());
    }

    [TestMethod]
    public void ABackgroundGC_DoesNotJudgeAnObjectItsDescriptionPutsInGeneration1()
    {
        var lifetimes = new ObjectLifetimes();
        lifetimes.Track(0x1000, HeapKind.Small, owner: 1, 100, 0, 1);
        Gen0GC(lifetimes, 1, surviving: [(0x1000, 0x100)]);
        lifetimes.OnGCStart(2, 1);
        lifetimes.OnSurvivingRange(0x1000, 0x100);
        lifetimes.OnGCEnd(2.0, 2);                                 // counted as generation 2

        lifetimes.OnGCStart(3, 2, GCType.Background);
        lifetimes.OnGenerationRange(2, 0x8000, 0x1000);
        lifetimes.OnGenerationRange(1, 0x1000, 0x1000);
        lifetimes.OnSurvivingRange(0x8000, 0x10);
        lifetimes.OnGCEnd(3.0, 3);

        Assert.AreEqual(1, lifetimes.Remaining().Single().Owner);
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
