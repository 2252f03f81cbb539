namespace DotnetMemLine.Tests.Collection;

[TestClass]
public sealed class TraceFilesTests
{
    [TestMethod]
    [DataRow("/data/app.nettrace", "/data/app.rundown.nettrace")]
    [DataRow("/data/App.NETTRACE", "/data/App.rundown.nettrace")]
    [DataRow("/data/app.trace", "/data/app.trace.rundown.nettrace")]
    public void RundownSnapshotPath_SitsNextToTheTrace(string trace, string expected) =>
        Assert.AreEqual(expected, TraceFiles.RundownSnapshotPath(trace));

    [TestMethod]
    public void RundownSnapshotPath_OfARelativeTrace_IsAbsolute() =>
        Assert.AreEqual(Path.Combine(Environment.CurrentDirectory, "app.rundown.nettrace"), TraceFiles.RundownSnapshotPath("app.nettrace"));

    [TestMethod]
    [DataRow("/dev/null", true)]
    [DataRow("/dev/full", true)]
    [DataRow("/tmp/app.nettrace", false)]
    [DataRow("/devices/app.nettrace", false)]
    public void IsDevice_TellsADeviceByItsFolderOnUnix(string path, bool expected)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("on Windows a device is told by its file attributes");
        }

        Assert.AreEqual(expected, TraceFiles.IsDevice(path));
    }
}
