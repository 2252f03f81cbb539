using System.IO.Compression;

namespace DotnetMemLine.Reporting.Pprof;

/// <summary>
/// <c>--format pprof</c>: the allocations as a gzipped profile.proto (github.com/google/pprof), for <c>go tool pprof</c>
/// and continuous-profiling backends (Grafana Pyroscope, Parca, Datadog). Sample types <c>alloc_objects</c>/count and
/// <c>alloc_space</c>/bytes, the figures the tables add up, and when the trace followed objects through the GCs
/// <c>inuse_objects</c> and <c>inuse_space</c>, what is still alive at the end (the tables' Live at end); every frame with its function, file and line, code the JIT
/// inlined at a frame's call as an extra line of its location (caller last); the allocated type as the label <c>type</c>.
/// </summary>
public sealed class PprofRenderer : IBinaryReportRenderer
{
    /// <inheritdoc/>
    public string FormatName => "pprof";

    /// <inheritdoc/>
    public string Description => "gzipped profile.proto of every stack, for go tool pprof, Pyroscope, Parca; to a file (--report)";

    /// <inheritdoc/>
    public bool IsForPrograms => true;

    /// <inheritdoc/>
    public void Render(ProfileReport report, TextWriter output) =>
        throw new InvalidOperationException("pprof is a binary format: write it to a stream");

    /// <inheritdoc/>
    public void Render(ProfileReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        StackProfile stacks = report.Stacks ?? throw new InvalidOperationException("the report was built without its stacks (AnalysisOptions.GatherStacks)");
        using var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
        Encode(report, stacks).CopyTo(gzip);
    }

    // Field numbers are profile.proto's (github.com/google/pprof/blob/main/proto/profile.proto).
    private static ProtobufWriter Encode(ProfileReport report, StackProfile stacks)
    {
        var strings = new List<string> { "" };
        var stringIds = new Dictionary<string, long>(StringComparer.Ordinal) { [""] = 0 };
        long S(string? value)
        {
            value = value is null ? "" : TerminalText.Clean(value);
            if (!stringIds.TryGetValue(value, out long id))
            {
                id = strings.Count;
                strings.Add(value);
                stringIds[value] = id;
            }

            return id;
        }

        var profile = new ProtobufWriter();
        // Go's heap profiles' names: inuse_* is what is still alive at the end (the tables' Live at end).
        (string Type, string Unit)[] sampleTypes = stacks.HasLiveFigures
            ? [("alloc_objects", "count"), ("alloc_space", "bytes"), ("inuse_objects", "count"), ("inuse_space", "bytes")]
            : [("alloc_objects", "count"), ("alloc_space", "bytes")];
        foreach ((string type, string unit) in sampleTypes)
        {
            profile.Message(1, valueType =>
            {
                valueType.Varint(1, S(type));
                valueType.Varint(2, S(unit));
            });
        }

        long typeKey = S("type");
        foreach (ProfiledSample sample in stacks.Samples)
        {
            profile.Message(2, s =>
            {
                s.Packed(1, sample.Locations.Select(l => (long)l + 1));
                s.Packed(2, stacks.HasLiveFigures
                    ? [(long)Math.Round(sample.Objects), (long)Math.Round(sample.Bytes), (long)Math.Round(sample.LiveObjects), (long)Math.Round(sample.LiveBytes)]
                    : [(long)Math.Round(sample.Objects), (long)Math.Round(sample.Bytes)]);
                if (sample.TypeName.Length > 0)
                {
                    s.Message(3, label =>
                    {
                        label.Varint(1, typeKey);
                        label.Varint(2, S(sample.TypeName));
                    });
                }
            });
        }

        // One mapping that says every location is symbolized already: pprof then looks for no binary. Its name is
        // what pprof shows as the profile's "File": the program's own module.
        string program = report.Program is { UserModules.Count: > 0 } view ? view.UserModules[0] : ".NET";
        profile.Message(3, mapping =>
        {
            mapping.Varint(1, 1);
            mapping.Varint(5, S(program));
            mapping.Varint(7, 1);
            mapping.Varint(8, 1);
            mapping.Varint(9, 1);
            mapping.Varint(10, 1);
        });
        for (int i = 0; i < stacks.Locations.Count; i++)
        {
            ProfiledLocation location = stacks.Locations[i];
            profile.Message(4, l =>
            {
                l.Varint(1, i + 1);
                l.Varint(2, 1);
                foreach (ProfiledLine line in location.Lines)
                {
                    l.Message(4, entry =>
                    {
                        entry.Varint(1, line.Function + 1);
                        entry.Varint(2, line.Line);
                    });
                }
            });
        }

        for (int i = 0; i < stacks.Functions.Count; i++)
        {
            ProfiledFunction function = stacks.Functions[i];
            profile.Message(5, f =>
            {
                f.Varint(1, i + 1);
                f.Varint(2, S(function.Name));
                f.Varint(3, S(function.SystemName));
                f.Varint(4, S(function.SourceFile));
                f.Varint(5, function.StartLine);
            });
        }

        long durationNanos = (long)(report.DurationSeconds * 1e9);
        long[] comments = [S($"dotnet-memline: {report.Estimator}"), S($"trace: {report.TracePath}")];
        long periodType = S("space"), periodUnit = S("bytes"), defaultType = S("alloc_space");
        foreach (string value in strings)
        {
            profile.String(6, value, always: true);
        }

        if (stacks.StartedUtc is DateTime started)
        {
            profile.Varint(9, (started - DateTime.UnixEpoch).Ticks * 100); // time_nanos: when the recording began
        }

        profile.Varint(10, durationNanos);
        profile.Message(11, valueType =>
        {
            valueType.Varint(1, periodType);
            valueType.Varint(2, periodUnit);
        });
        profile.Varint(12, stacks.MeanSamplingDistance);
        profile.Packed(13, comments);
        profile.Varint(14, defaultType);
        return profile;
    }
}
