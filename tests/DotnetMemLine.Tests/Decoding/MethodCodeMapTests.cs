using DotnetMemLine.Decoding;

namespace DotnetMemLine.Tests.Decoding;

/// <summary>Return address to compiled body, on code versions with hand-made extents.</summary>
[TestClass]
public sealed class MethodCodeMapTests
{
    private const ulong Start = 0x10000;

    private static MethodCodeMap MapOf(uint size = 1000) => MethodCodeMap.FromVersions(
    [
        new MethodCodeMap.CodeVersion
        {
            Start = Start,
            Size = size,
            MethodId = 1,
            ModuleId = 1,
            Token = 0x06000001,
            Name = "Ns.Type.Method",
            NativeOffsets = [0, 10],
            ILOffsets = [0, 5],
        },
        new MethodCodeMap.CodeVersion
        {
            Start = Start + size,
            Size = size,
            MethodId = 2,
            ModuleId = 1,
            Token = 0x06000002,
            Name = "Ns.Type.Next",
        },
    ]);

    [TestMethod]
    public void ReturnAddress_GivesItsBodyAndTheOffsetIntoIt()
    {
        MethodCodeMap map = MapOf();

        Assert.IsTrue(map.TryFind(Start + 40, out MethodCodeMap.CodeVersion? version, out int returnOffset));
        Assert.AreEqual(0x06000001, version.Token);
        Assert.AreEqual(40, returnOffset);
        Assert.AreEqual(version, map.Versions[version.Id]);
    }

    [TestMethod]
    public void CallThatEndsABody_ReturnsToTheNextBody_ButBelongsToItsOwn()
    {
        // The last instruction of the first body is a call: its return address is the second body's first byte.
        MethodCodeMap map = MapOf(size: 100);

        Assert.IsTrue(map.TryFind(Start + 100, out MethodCodeMap.CodeVersion? version, out int returnOffset));
        Assert.AreEqual(0x06000001, version.Token);
        Assert.AreEqual(100, returnOffset);
    }

    [TestMethod]
    public void AddressOutsideEveryBody_IsNotManagedCode()
    {
        MethodCodeMap map = MapOf(size: 100);

        Assert.IsFalse(map.TryFind(Start + 201, out _, out _));
        Assert.IsFalse(map.TryFind(Start, out _, out _)); // the byte before the body
    }
}
