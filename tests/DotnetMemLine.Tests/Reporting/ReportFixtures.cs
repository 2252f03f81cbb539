using DotnetMemLine.Reporting;

namespace DotnetMemLine.Tests.Reporting;

/// <summary>A small, fully known report for the renderer tests.</summary>
internal static class ReportFixtures
{
    public static ProfileReport TwoLineReport(IReadOnlyList<string>? notes = null) => new(
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
                    new LineReport(13, "        return Predict(vectors);", new EstimateReport(2048, 0, 377_000, 1), 1_300_000_000),
                    new LineReport(14, "    }", null, null),
                ],
                notes ?? []),
        ],
        Warnings: []);
}
