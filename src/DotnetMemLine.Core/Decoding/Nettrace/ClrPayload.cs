using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// Field access in a runtime event's payload, laid out as ClrEtwAll.man says: fixed-size fields packed
/// without padding, pointers of the trace's pointer size, strings UTF-16 and zero-terminated. Fields
/// added by later event versions are read only when the event's version has them (as TraceEvent's
/// parser classes do); a field past the payload's end reads as 0 or "" rather than failing.
/// </summary>
internal readonly ref struct ClrPayload(ReadOnlySpan<byte> bytes, int version, int pointerSize)
{
    public ReadOnlySpan<byte> Bytes { get; } = bytes;

    public int Version { get; } = version;

    public int PointerSize { get; } = pointerSize;

    public long Int64At(int offset) =>
        offset >= 0 && offset <= Bytes.Length - 8 ? BinaryPrimitives.ReadInt64LittleEndian(Bytes[offset..]) : 0;

    public int Int32At(int offset) =>
        offset >= 0 && offset <= Bytes.Length - 4 ? BinaryPrimitives.ReadInt32LittleEndian(Bytes[offset..]) : 0;

    public int UInt16At(int offset) =>
        offset >= 0 && offset <= Bytes.Length - 2 ? BinaryPrimitives.ReadUInt16LittleEndian(Bytes[offset..]) : 0;

    public int ByteAt(int offset) => offset >= 0 && offset < Bytes.Length ? Bytes[offset] : 0;

    public ulong AddressAt(int offset) => PointerSize == 4 ? (uint)Int32At(offset) : (ulong)Int64At(offset);

    /// <summary>The offset just after the zero-terminated UTF-16 string at <paramref name="offset"/>.</summary>
    public int SkipString(int offset)
    {
        if (offset < 0 || offset >= Bytes.Length)
        {
            return Bytes.Length;
        }

        int end = Utf16Chars(offset).IndexOf('\0');
        return end < 0 ? Bytes.Length : offset + (2 * end) + 2;
    }

    public string StringAt(int offset)
    {
        if (offset < 0 || offset >= Bytes.Length)
        {
            return "";
        }

        ReadOnlySpan<char> chars = Utf16Chars(offset);
        int end = chars.IndexOf('\0');
        return new string(end < 0 ? chars : chars[..end]);
    }

    private ReadOnlySpan<char> Utf16Chars(int offset) => MemoryMarshal.Cast<byte, char>(Bytes[offset..]);

    // ---- Microsoft-Windows-DotNETRuntime ----

    /// <summary>AllocationSampled (303): AllocationKind u32, ClrInstanceID u16, TypeID ptr, TypeName, Address ptr, ObjectSize u64, SampledByteOffset u64.</summary>
    public (long ObjectSize, long SampledByteOffset) AllocationSampled()
    {
        int afterName = SkipString(6 + PointerSize);
        int objectSize = afterName + PointerSize;
        return (Int64At(objectSize), Int64At(objectSize + 8));
    }

    /// <summary>AllocationSampled's AllocationKind (0 small object heap, 1 large, 2 pinned) and the object's address.</summary>
    public (int HeapKind, ulong Address) AllocationSampledObject() => (Int32At(0), AddressAt(SkipString(6 + PointerSize)));

    /// <summary>GCStart (1, v1+): Count u32, Depth u32 (the condemned generation), Reason u32, Type u32 (0 blocking, 1 background, 2 foreground during a background GC).</summary>
    public (int Count, int Depth, int Type, int Reason) GCStart() => (Int32At(0), Int32At(4), Int32At(12), Int32At(8));

    /// <summary>GCStart reasons for an allocation that found no room: AllocSmall (0), AllocLarge (4), OutOfSpaceSOH (5), OutOfSpaceLOH (6).</summary>
    public static bool IsAllocationReason(int reason) => reason is 0 or 4 or 5 or 6;

    /// <summary>GCEnd (2): Count u32, Depth u32.</summary>
    public (int Count, int Depth) GCEnd() => (Int32At(0), Int32At(4));

    /// <summary>
    /// GCGenerationRange (23): Generation u8, RangeStart ptr, RangeUsedLength u64, RangeReservedLength u64, ClrInstanceID u16:
    /// one range of a generation (0-2; 3 the large, 4 the pinned object heap), its used part.
    /// </summary>
    public (int Generation, ulong Start, ulong UsedLength) GenerationRange() => (ByteAt(0), AddressAt(1), (ulong)Int64At(1 + PointerSize));

    /// <summary>
    /// GCBulkSurvivingObjectRanges (21): Index u32, Count u32, ClrInstanceID u16, then Count × (RangeBase ptr, RangeLength u64):
    /// address ranges that survived the GC where they are.
    /// </summary>
    public GCRanges SurvivingRanges() => new(Bytes.Length >= 10 ? Bytes[10..] : [], Int32At(4), PointerSize, moved: false);

    /// <summary>
    /// GCBulkMovedObjectRanges (22): Index u32, Count u32, ClrInstanceID u16, then Count × (OldRangeBase ptr, NewRangeBase ptr,
    /// RangeLength u64): address ranges that survived a compacting GC, and where they went.
    /// </summary>
    public GCRanges MovedRanges() => new(Bytes.Length >= 10 ? Bytes[10..] : [], Int32At(4), PointerSize, moved: true);

    /// <summary>AllocationSampled's TypeID; its TypeName is read only for a type not seen before (<see cref="AllocationSampledTypeName"/>).</summary>
    public ulong AllocationSampledTypeId() => AddressAt(6);

    public string AllocationSampledTypeName() => StringAt(6 + PointerSize);

    /// <summary>AllocationTick's TypeID (v2+; 0 before), and its TypeName.</summary>
    public ulong AllocationTickTypeId() => Version >= 2 ? AddressAt(18) : 0;

    public string AllocationTickTypeName() => Version >= 2 ? StringAt(18 + PointerSize) : "";

    /// <summary>GCSampledObjectAllocation's TypeID (its name comes from the BulkType events).</summary>
    public ulong SampledObjectAllocationTypeId() => AddressAt(PointerSize);

    /// <summary>
    /// BulkType (15): Count u32, ClrInstanceID u16, then per type: TypeID u64, ModuleID u64, TypeNameID u32,
    /// Flags u32, CorElementType u8, Name, TypeParameterCount u32, TypeParameters u64[count]. Calls
    /// <paramref name="onType"/> with each type's id, name (empty unless the session had the GCHeapAndTypeNames
    /// keyword), and for an array its element type's id (0 otherwise); stops at the first entry that runs past the payload.
    /// </summary>
    public void BulkTypes(Action<ulong, string, ulong> onType)
    {
        int count = Int32At(0);
        int offset = 6;
        for (int i = 0; i < count && offset + 25 <= Bytes.Length; i++)
        {
            ulong typeId = (ulong)Int64At(offset);
            int name = offset + 25;
            int afterName = SkipString(name);
            int parameters = Int32At(afterName);
            if (parameters < 0 || afterName + 4 + (8L * parameters) > Bytes.Length)
            {
                return;
            }

            const int ArrayFlag = 0x8;
            bool isArray = (Int32At(offset + 20) & ArrayFlag) != 0;
            onType(typeId, StringAt(name), isArray && parameters > 0 ? (ulong)Int64At(afterName + 4) : 0);
            offset = afterName + 4 + (8 * parameters);
        }
    }

    /// <summary>
    /// AllocationTick (10): AllocationAmount u32, AllocationKind u32, ClrInstanceID u16 (v1+), AllocationAmount64 u64 (v2+),
    /// TypeID ptr, TypeName, HeapIndex u32 (v2+), Address ptr (v3+), ObjectSize u64 (v4+).
    /// </summary>
    public (long AllocationAmount64, long ObjectSize) AllocationTick()
    {
        long amount = Version >= 2 ? Int64At(10) : 0;
        long objectSize = Version >= 4 ? Int64At(SkipString(18 + PointerSize) + 4 + PointerSize) : 0;
        return (amount, objectSize);
    }

    /// <summary>GCSampledObjectAllocation (20/32): Address ptr, TypeID ptr, ObjectCountForTypeSample u32, TotalSizeForTypeSample u64.</summary>
    public (ulong Address, int ObjectCount, long TotalSize) SampledObjectAllocation() =>
        (AddressAt(0), Int32At(2 * PointerSize), Int64At((2 * PointerSize) + 4));

    /// <summary>GCHeapStats (4): the heap after a GC, the sum of generations 0-3 and (v2+) the pinned object heap.</summary>
    public long HeapSizeAfterGC() =>
        Int64At(0) + Int64At(16) + Int64At(32) + Int64At(48) + (Version >= 2 ? Int64At(94) : 0);

    /// <summary>
    /// GCPerHeapHistory (204, v3): one heap's generations before the GC, summed; -1 when the payload is not v3's layout.
    /// The fields: ClrInstanceID u16, six pointers (free-list, end-of-segment, condemned and pinned allocation), five
    /// u32 (free-list efficiency, condemn reasons, compact and expand mechanisms), HeapIndex u32, ExtraGen0Commit
    /// ptr, Count u32, then Count generations of ten pointers each, SizeBefore first (checked against GCHeapStats'
    /// sizes on .NET 10: SizeAfter summed is what it reports; TraceEvent 4.0's parser misreads this version).
    /// </summary>
    public long HeapSizeBeforeGC()
    {
        int countAt = 2 + (6 * PointerSize) + (5 * 4) + 4 + PointerSize;
        int count = Int32At(countAt);
        int generationBytes = 10 * PointerSize;
        if (Version < 3 || count is <= 0 or > 8 || countAt + 4 + (count * generationBytes) > Bytes.Length)
        {
            return -1;
        }

        long before = 0;
        for (int generation = 0, at = countAt + 4; generation < count; generation++, at += generationBytes)
        {
            before += (long)AddressAt(at);
        }

        return before;
    }

    /// <summary>GCCreateSegment (5): Address u64, Size u64, Type u32 (2 = ReadOnlyHeap, the frozen heap).</summary>
    public (ulong Address, ulong Size, int Type) CreateSegment() => ((ulong)Int64At(0), (ulong)Int64At(8), Int32At(16));

    /// <summary>
    /// MethodLoadVerbose / MethodUnloadVerbose / rundown MethodDCStart/StopVerbose: MethodID, ModuleID, MethodStartAddress
    /// (u64 each), MethodSize, MethodToken, MethodFlags (u32 each), then namespace, name and signature strings.
    /// </summary>
    public MethodCodeMapBuilder.MethodLoad MethodLoad()
    {
        uint flags = (uint)Int32At(32);
        string methodNamespace = StringAt(36);
        string name = StringAt(SkipString(36));
        return new MethodCodeMapBuilder.MethodLoad(
            Int64At(0),
            Int64At(8),
            (ulong)Int64At(16),
            (uint)Int32At(24),
            Int32At(28),
            IsPrecompiled(flags),
            IsOptimized(flags),
            methodNamespace,
            name);
    }

    private const uint JittedFlag = 0x8;

    /// <summary>ReadyToRun code: the method flags lack <c>Jitted</c>.</summary>
    private static bool IsPrecompiled(uint flags) => (flags & JittedFlag) == 0;

    /// <summary>
    /// The optimization tier sits in bits 7-9 of the flags, and only jitted code reports one (TraceEvent
    /// calls other code's tier Unknown): Optimized (2), OptimizedTier1 (4) and OptimizedTier1OSR (5) are optimized.
    /// </summary>
    private static bool IsOptimized(uint flags) =>
        (flags & JittedFlag) != 0 && ((flags >> 7) & 0x7) is 2 or 4 or 5;

    /// <summary>
    /// MethodILToNativeMap (190) / rundown ILToNativeMapDCStart/Stop (149/150): MethodID u64, ReJITID u64, MethodExtent u8,
    /// CountOfMapEntries u16, then that many IL offsets (i32) followed by as many native offsets (u32).
    /// False when the entries run past the payload.
    /// </summary>
    public bool TryReadILMap(out long methodId, out int methodExtent, out int[] nativeOffsets, out int[] ilOffsets)
    {
        methodId = Int64At(0);
        methodExtent = ByteAt(16);
        int count = UInt16At(17);
        nativeOffsets = ilOffsets = [];
        if (Bytes.Length < 19 + (8 * count))
        {
            return false;
        }

        nativeOffsets = new int[count];
        ilOffsets = new int[count];
        for (int i = 0; i < count; i++)
        {
            ilOffsets[i] = Int32At(19 + (4 * i));
            nativeOffsets[i] = Int32At(19 + (4 * (count + i)));
        }

        return true;
    }

    /// <summary>ModuleLoad / ModuleUnload / rundown ModuleDCStart/Stop: ModuleID u64, AssemblyID u64, ModuleFlags u32, Reserved1 u32, ModuleILPath.</summary>
    public (long ModuleId, string ILPath) Module() => (Int64At(0), StringAt(24));

    /// <summary>
    /// The module's PDB id (version 2 of the module events: after ModuleILPath come ModuleNativePath, ClrInstanceID u16 and
    /// ManagedPdbSignature, a GUID): the build the process ran. Null for an older event or a module built without a PDB id.
    /// </summary>
    public Guid? ModulePdbId()
    {
        int at = SkipString(SkipString(24)) + 2;
        if (at + 16 > Bytes.Length)
        {
            return null;
        }

        var id = new Guid(Bytes.Slice(at, 16));
        return id == Guid.Empty ? null : id;
    }

    /// <summary>
    /// MethodJitInliningSucceeded (185): nine strings, namespace, name and signature of the method being
    /// compiled, of the inliner and of the inlinee.
    /// </summary>
    public MethodCodeMapBuilder.InliningDecision Inlining()
    {
        Span<int> at = stackalloc int[9];
        int offset = 0;
        for (int i = 0; i < at.Length; i++)
        {
            at[i] = offset;
            offset = SkipString(offset);
        }

        return new MethodCodeMapBuilder.InliningDecision(
            CompiledNamespace: StringAt(at[0]),
            CompiledName: StringAt(at[1]),
            InlinerNamespace: StringAt(at[3]),
            InlinerName: StringAt(at[4]),
            InlineeNamespace: StringAt(at[6]),
            InlineeName: StringAt(at[7]),
            InlineeSignature: StringAt(at[8]));
    }

    // ---- System.Threading.Tasks.TplEventSource ----

    /// <summary>TraceOperationBegin (14): TaskID i32, OperationName string, RelatedContext i64. The name says what made the task.</summary>
    public (int TaskId, TaskOrigin Origin) TplOperationBegin()
    {
        ReadOnlySpan<char> name = Bytes.Length > 4 ? Utf16Chars(4) : [];
        TaskOrigin origin = name.StartsWith("Async: ") ? TaskOrigin.AsyncMethod
            : name.StartsWith("Task: ") ? TaskOrigin.QueuedDelegate
            : TaskOrigin.Other;
        return (Int32At(0), origin);
    }

    /// <summary>TraceOperationEnd (15) and TraceSynchronousWorkBegin (17): TaskID i32 first.</summary>
    public int TplTaskId() => Int32At(0);
}

/// <summary>What made a task, from the name the TPL gave its causality operation.</summary>
internal enum TaskOrigin
{
    /// <summary>"Async: &lt;M&gt;d__N": an async method's task, created when the method first suspends.</summary>
    AsyncMethod,

    /// <summary>"Task: &lt;lambda&gt;": a delegate queued to run as a task (<c>Task.Run</c>, <c>Task.Factory.StartNew</c>, <c>Parallel</c>'s workers).</summary>
    QueuedDelegate,

    /// <summary>Any other task (<c>Task.Delay</c>, <c>WhenAll</c>, <c>Unwrap</c>): a promise its creator completes later.</summary>
    Other,
}
