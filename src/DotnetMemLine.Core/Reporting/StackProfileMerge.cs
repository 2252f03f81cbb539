namespace DotnetMemLine.Reporting;

/// <summary>Several traces' stack profiles as one: functions and locations of the same content are one, samples add.</summary>
internal static class StackProfileMerge
{
    public static StackProfile Of(IReadOnlyList<StackProfile> profiles)
    {
        if (profiles.Count == 1)
        {
            return profiles[0];
        }

        var functions = new List<ProfiledFunction>();
        var functionIds = new Dictionary<ProfiledFunction, int>();
        var locations = new List<ProfiledLocation>();
        var locationIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var samples = new List<ProfiledSample>();
        foreach (StackProfile profile in profiles)
        {
            int[] functionMap = [.. profile.Functions.Select(f => Intern(f, functionIds, functions))];
            int[] locationMap = new int[profile.Locations.Count];
            for (int i = 0; i < locationMap.Length; i++)
            {
                ProfiledLine[] lines = [.. profile.Locations[i].Lines.Select(l => l with { Function = functionMap[l.Function] })];
                string key = string.Join(',', lines.Select(l => $"{l.Function}:{l.Line}"));
                if (!locationIds.TryGetValue(key, out int id))
                {
                    id = locations.Count;
                    locations.Add(new ProfiledLocation(lines));
                    locationIds[key] = id;
                }

                locationMap[i] = id;
            }

            samples.AddRange(profile.Samples.Select(s => s with { Locations = [.. s.Locations.Select(l => locationMap[l])] }));
        }

        return new StackProfile(functions, locations, samples, profiles.All(p => p.HasLiveFigures), profiles[0].EventKind, profiles[0].MeanSamplingDistance)
        {
            StartedUtc = profiles.Select(p => p.StartedUtc).Where(t => t is not null).Min(),
        };
    }

    private static int Intern(ProfiledFunction function, Dictionary<ProfiledFunction, int> ids, List<ProfiledFunction> functions)
    {
        if (!ids.TryGetValue(function, out int id))
        {
            id = functions.Count;
            functions.Add(function);
            ids[function] = id;
        }

        return id;
    }
}
