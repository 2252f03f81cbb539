namespace DotnetMemLine.Decoding;

/// <summary>
/// Type names by the runtime's TypeID, from the BulkType events: exact mode's allocation events carry
/// only the id. The runtime writes names only with the GCHeapAndTypeNames keyword; without it an
/// array's name is still known from its element type's, when that one has a name.
/// </summary>
internal sealed class BulkTypeNames
{
    private readonly Dictionary<ulong, (string Name, ulong ElementTypeId)> _types = [];

    /// <param name="elementTypeId">For an array type, its element type's id; 0 otherwise.</param>
    /// <param name="name">The type's name as the BulkType event gives it.</param>
    /// <param name="typeId">The runtime's id of the type (its MethodTable).</param>
    public void Add(ulong typeId, string name, ulong elementTypeId) => _types.TryAdd(typeId, (name, elementTypeId));

    /// <summary>The type's name, or "" when the trace does not say.</summary>
    public string NameOf(ulong typeId)
    {
        string suffix = "";
        for (int depth = 0; depth < 8 && _types.TryGetValue(typeId, out var type); depth++)
        {
            if (type.Name.Length > 0)
            {
                return type.Name + suffix;
            }

            if (type.ElementTypeId == 0)
            {
                break;
            }

            suffix += "[]";
            typeId = type.ElementTypeId;
        }

        return "";
    }
}
