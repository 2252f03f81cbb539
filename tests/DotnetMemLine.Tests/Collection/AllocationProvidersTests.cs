using DotnetMemLine.Collection;

namespace DotnetMemLine.Tests.Collection;

[TestClass]
public sealed class AllocationProvidersTests
{
    [TestMethod]
    public void Keywords_AreTheDocumentedOnes()
    {
        Assert.AreEqual("Microsoft-Windows-DotNETRuntime:0x80000421019:5", AllocationProviders.DotnetTraceProvidersArgument);
    }

    [TestMethod]
    public void ExactKeywords_AreBothSampledObjectAllocationKeywordsPlusTypes_WithoutAllocationSampling()
    {
        // 0x200000 | 0x2000000: one event per object; 0x80000 (Type): else the runtime drops the
        // first object of each type on each thread.
        Assert.AreEqual("Microsoft-Windows-DotNETRuntime:0x36A1019:5", AllocationProviders.DotnetTraceExactProvidersArgument);
        Assert.AreEqual(AllocationProviders.ExactKeywords, AllocationProviders.SessionConfiguration(64, exact: true).Providers.Single().Keywords);
    }

    [TestMethod]
    public void Readme_TellsDotnetTraceUsersTheSameProviders()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.Contains("--providers " + AllocationProviders.DotnetTraceProvidersArgument, readme);
        Assert.Contains("--providers " + AllocationProviders.DotnetTraceExactProvidersArgument, readme);
        Assert.Contains("--providers " + AllocationProviders.DotnetTraceAsyncProvidersArgument, readme);
    }

    [TestMethod]
    public void NoLifetimes_DropsOnlyTheSurvivalKeyword()
    {
        Assert.AreEqual(AllocationProviders.Keywords & ~0x400000L, AllocationProviders.SessionConfiguration(64, lifetimes: false).Providers.Single().Keywords);
        Assert.AreEqual(AllocationProviders.ExactKeywords & ~0x400000L, AllocationProviders.SessionConfiguration(64, exact: true, lifetimes: false).Providers.Single().Keywords);
    }

    [TestMethod]
    public void Async_AddsOnlyTheTplsCausalityKeywords()
    {
        // AsyncCausalityOperation 0x8 and AsyncCausalitySynchronousWork 0x20, Informational: the task and wait events
        // of PerfView's "Tasks" keywords would add an event per await the analysis does not need.
        var configuration = AllocationProviders.SessionConfiguration(bufferSizeMB: 64, causality: true);
        Assert.HasCount(2, configuration.Providers);
        var tpl = configuration.Providers.Single(p => p.Name == "System.Threading.Tasks.TplEventSource");
        Assert.AreEqual(0x28, tpl.Keywords);
        Assert.AreEqual(System.Diagnostics.Tracing.EventLevel.Informational, tpl.EventLevel);
        Assert.AreEqual("Microsoft-Windows-DotNETRuntime:0x80000421019:5,System.Threading.Tasks.TplEventSource:0x28:4", AllocationProviders.DotnetTraceAsyncProvidersArgument);
        Assert.HasCount(1, AllocationProviders.SessionConfiguration(bufferSizeMB: 64).Providers);
    }

    [TestMethod]
    public void Lossless_AsksForBlockWithTheSameRundownProvidersAndBuffer()
    {
        // --buffering-mode Block: CollectTracing6, which only the constructor with a rundown keyword can ask for; the
        // keyword spelled here must be the one requestRundown: true sends, or a lossless trace would lack its rundown.
        var lossy = AllocationProviders.SessionConfiguration(bufferSizeMB: 64, causality: true);
        var lossless = AllocationProviders.SessionConfiguration(bufferSizeMB: 64, causality: true, lossless: true);

        Assert.AreEqual(Microsoft.Diagnostics.NETCore.Client.EventPipeBufferingMode.Drop, lossy.BufferingMode);
        Assert.AreEqual(Microsoft.Diagnostics.NETCore.Client.EventPipeBufferingMode.Block, lossless.BufferingMode);
        Assert.AreEqual(lossy.RundownKeyword, lossless.RundownKeyword);
        Assert.IsTrue(lossless.RequestRundown);
        Assert.IsTrue(lossless.RequestStackwalk);
        Assert.AreEqual(64, lossless.CircularBufferSizeInMB);
        CollectionAssert.AreEqual(lossy.Providers.Select(p => (p.Name, p.Keywords, p.EventLevel)).ToList(), lossless.Providers.Select(p => (p.Name, p.Keywords, p.EventLevel)).ToList());
    }

    [TestMethod]
    public void SessionConfiguration_RequestsRundownAndStacks()
    {
        var configuration = AllocationProviders.SessionConfiguration(bufferSizeMB: 64);

        Assert.IsTrue(configuration.RequestRundown, "without the rundown, code compiled before attach cannot be resolved");
        Assert.IsTrue(configuration.RequestStackwalk);
        Assert.AreEqual(64, configuration.CircularBufferSizeInMB);
        Assert.AreEqual(AllocationProviders.Keywords, configuration.Providers.Single().Keywords);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DotnetMemLine.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
