using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

/// <summary>A small, fully known report for the renderer tests.</summary>
internal static class ReportFixtures
{
    public static ProfileReport TwoLineReport(IReadOnlyList<ReportNote>? notes = null) => new(
        ProfileReport.CurrentSchemaVersion,
        "/tmp/app.nettrace",
        DurationSeconds: 4.25,
        AllocationSamples: 12_345,
        DroppedEvents: 0,
        Estimator: "AllocationSampled: weighted estimator, 95% negative-binomial interval",
        EstimatorBiased: false,
        Methods:
        [
            new MethodReport(
                "App.Worker.Classify(IReadOnlyList<string>)",
                "/src/Worker.cs",
                new EstimateReport(1.5 * (1 << 30), 1.45 * (1 << 30), 1.55 * (1 << 30), 15_000),
                UnattributedSamples: 0,
                [
                    new LineReport(10, "    public int[] Classify(IReadOnlyList<string> messages)", null, null),
                    new LineReport(11, "    {", null, null),
                    new LineReport(12, "        var vectors = Vectorize(messages);", new EstimateReport(1_048_576_000, 1_000_000_000, 1_100_000_000, 10_240), 1_200_000_000),
                    new LineReport(13, "        return Predict(vectors);", new EstimateReport(2048, 0, 377_000, 1, LowConfidence: true), 1_300_000_000),
                    new LineReport(14, "    }", null, null),
                ],
                notes ?? [])
            {
                HeapAtGCs = new GCHeapReport(12, 1_300_000_000, 1_100_000_000),
            },
        ],
        Warnings: []);

    /// <summary>The same method recorded with <c>run --exact</c>: exact bytes and object counts.</summary>
    public static ProfileReport ExactReport() => new(
        ProfileReport.CurrentSchemaVersion,
        "/tmp/app.nettrace",
        DurationSeconds: 0.5,
        AllocationSamples: 36_077,
        DroppedEvents: 0,
        Estimator: "exact: every allocation recorded (GCSampledObjectAllocation), no sampling error",
        EstimatorBiased: false,
        Methods:
        [
            new MethodReport(
                "App.Worker.Classify(IReadOnlyList<string>)",
                "/src/Worker.cs",
                new EstimateReport(6_291_096, 6_291_096, 6_291_096, 6_003, Objects: 6_003),
                UnattributedSamples: 0,
                [
                    new LineReport(10, "    public int[] Classify(IReadOnlyList<string> messages)", null, null),
                    new LineReport(11, "    {", null, null),
                    new LineReport(12, "        var vectors = Vectorize(messages);", new EstimateReport(6_288_000, 6_288_000, 6_288_000, 6_000, Objects: 6_000), 7_000_000),
                    new LineReport(13, "        return Predict(vectors);", new EstimateReport(3_096, 3_096, 3_096, 3, Objects: 3), 7_100_000),
                    new LineReport(14, "    }", null, null),
                ],
                [])
            {
                HeapAtGCs = new GCHeapReport(1, 7_100_000, 300_000),
            },
        ],
        Warnings: [],
        Exact: true);
}
