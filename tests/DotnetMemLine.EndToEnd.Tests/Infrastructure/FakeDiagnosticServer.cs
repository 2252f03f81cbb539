using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using DotnetMemLine.Collection;

namespace DotnetMemLine.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A stand-in for a .NET runtime's diagnostic server on a Unix domain socket, speaking the diagnostics IPC protocol
/// (dotnet/diagnostics documentation/design-docs/ipc-protocol.md) as far as <c>collect --diagnostic-port</c> uses it,
/// and recording every request. Each connection carries one request: a 20-byte header ("DOTNET_IPC_V1\0", uint16 total
/// size, command set, command id, uint16 reserved) and its payload. The answers are the runtime's:
/// <list type="bullet">
/// <item>ProcessEnvironment (0x04/0x02): OK with the block's size, then an empty environment block, then the connection closes.</item>
/// <item>CollectTracing…6 (0x02/0x02…0x07): OK with a session id, then the session's nettrace stream on the same connection,
/// closed once a StopTracing for that session has come. The session that records allocations (the AllocationSampled keyword)
/// streams <see cref="FakeDiagnosticServer(string, byte[], bool, uint?)"/>'s trace; the others (the rundown snapshot, the induced GC)
/// stream nothing, which is all collect asks of them.</item>
/// <item>StopTracing (0x02/0x01): OK with the session id.</item>
/// <item>A runtime before .NET 11 (<c>knowsCollectTracing6: false</c>) answers CollectTracing6 as .NET 10 does: an Error
/// (0xFF/0xFF) with DS_IPC_E_UNKNOWN_COMMAND, then closes; so does every runtime for a command it does not know.</item>
/// </list>
/// </summary>
internal sealed class FakeDiagnosticServer : IAsyncDisposable
{
    public const byte EventPipeCommandSet = 0x02;
    public const byte StopTracing = 0x01;
    public const byte CollectTracing = 0x02;
    public const byte CollectTracing2 = 0x03;
    public const byte CollectTracing3 = 0x04;
    public const byte CollectTracing5 = 0x06;
    public const byte CollectTracing6 = 0x07;
    public const byte ProcessCommandSet = 0x04;
    public const byte ProcessEnvironment = 0x02;
    private const byte ServerCommandSet = 0xFF;
    private const byte Ok = 0x00;
    private const byte Error = 0xFF;

    /// <summary>DS_IPC_E_UNKNOWN_COMMAND: what .NET 10 answers CollectTracing6 (seen on its socket; 0x80131384 is DS_IPC_E_BAD_ENCODING).</summary>
    public const uint UnknownCommand = 0x80131385;

    /// <summary>DS_IPC_E_BAD_ENCODING: the runtime could not read the request.</summary>
    public const uint BadEncoding = 0x80131384;
    private const uint Fail = 0x80004005;
    private const int HeaderSize = 20;
    private static readonly byte[] Magic = "DOTNET_IPC_V1\0"u8.ToArray();

    /// <summary>How long a session waits for its StopTracing before the fake closes it anyway.</summary>
    private static readonly TimeSpan SessionPatience = TimeSpan.FromMinutes(1);

    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly byte[] _allocationTrace;
    private readonly bool _knowsCollectTracing6;
    private readonly uint? _refuseLosslessWith;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<IpcRequest> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly Dictionary<ulong, TaskCompletionSource> _sessions = [];
    private readonly Task _accepting;
    private ulong _nextSessionId = 0x7F00_0000_1000; // the runtime's ids are addresses

    /// <param name="socketPath">Where to listen (a path that does not exist yet).</param>
    /// <param name="allocationTrace">The nettrace bytes the allocation-recording session streams.</param>
    /// <param name="knowsCollectTracing6">True to behave as .NET 11 (lossless sessions); false as .NET 10.</param>
    /// <param name="refuseLosslessWith">When set, a runtime that knows CollectTracing6 answers it with this error instead.</param>
    public FakeDiagnosticServer(string socketPath, byte[] allocationTrace, bool knowsCollectTracing6, uint? refuseLosslessWith = null)
    {
        SocketPath = socketPath;
        _allocationTrace = allocationTrace;
        _knowsCollectTracing6 = knowsCollectTracing6;
        _refuseLosslessWith = refuseLosslessWith;
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    public string SocketPath { get; }

    /// <summary>Every request so far, in the order they came (the client sends one after the other's answer).</summary>
    public IReadOnlyList<IpcRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        Task[] all;
        lock (_connections)
        {
            all = [_accepting, .. _connections];
        }

        await Task.WhenAny(Task.WhenAll(all), Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        _shutdown.Dispose();
        File.Delete(SocketPath);
    }

    private async Task AcceptAsync()
    {
        for (int number = 1; ; number++)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(ServeAsync(connection, number));
            }
        }
    }

    private async Task ServeAsync(Socket connection, int number)
    {
        await Task.Yield(); // the accept loop goes on at once
        using (connection)
        {
            var stream = new NetworkStream(connection, ownsSocket: false);
            await using (stream.ConfigureAwait(false))
            {
                try
                {
                    await AnswerAsync(stream, number, _shutdown.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or TimeoutException)
                {
                    // The client went away, a session was never stopped, or the server is shutting down: the connection closes.
                }
            }
        }
    }

    private async Task AnswerAsync(NetworkStream stream, int connection, CancellationToken cancellationToken)
    {
        byte[] header = new byte[HeaderSize];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        int size = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(14));
        byte commandSet = header[16];
        byte commandId = header[17];
        byte[] payload = new byte[Math.Max(0, size - HeaderSize)];
        await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        if (!header.AsSpan(0, Magic.Length).SequenceEqual(Magic) || size < HeaderSize)
        {
            Record(connection, commandSet, commandId, payload, "Error bad header");
            await ErrorAsync(stream, BadEncoding, cancellationToken).ConfigureAwait(false);
            return;
        }

        switch (commandSet, commandId)
        {
            case (ProcessCommandSet, ProcessEnvironment):
                Record(connection, commandSet, commandId, payload, "OK, empty environment");
                byte[] environment = new byte[4]; // array<array<wchar>> of no variable
                byte[] sizes = new byte[6]; // uint32 size of the block, uint16 future
                BinaryPrimitives.WriteUInt32LittleEndian(sizes, (uint)environment.Length);
                await SendAsync(stream, Ok, sizes, cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(environment, cancellationToken).ConfigureAwait(false);
                return;

            case (EventPipeCommandSet, StopTracing):
                ulong stopped = payload.Length == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(payload) : 0;
                TaskCompletionSource? session;
                lock (_sessions)
                {
                    session = _sessions.GetValueOrDefault(stopped);
                }

                if (session is null)
                {
                    Record(connection, commandSet, commandId, payload, $"Error no session 0x{stopped:X}");
                    await ErrorAsync(stream, Fail, cancellationToken).ConfigureAwait(false);
                    return;
                }

                Record(connection, commandSet, commandId, payload, $"OK 0x{stopped:X}");
                await SendAsync(stream, Ok, payload, cancellationToken).ConfigureAwait(false);
                session.TrySetResult();
                return;

            case (EventPipeCommandSet, >= CollectTracing and <= CollectTracing6):
                await StartSessionAsync(stream, connection, commandId, payload, cancellationToken).ConfigureAwait(false);
                return;

            default:
                Record(connection, commandSet, commandId, payload, "Error unknown command");
                await ErrorAsync(stream, UnknownCommand, cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async Task StartSessionAsync(NetworkStream stream, int connection, byte commandId, byte[] payload, CancellationToken cancellationToken)
    {
        if (commandId == CollectTracing6 && !_knowsCollectTracing6)
        {
            Record(connection, EventPipeCommandSet, commandId, payload, "Error unknown command (.NET 10)");
            await ErrorAsync(stream, UnknownCommand, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (commandId == CollectTracing6 && _refuseLosslessWith is uint refusal)
        {
            Record(connection, EventPipeCommandSet, commandId, payload, $"Error 0x{refusal:X8}");
            await ErrorAsync(stream, refusal, cancellationToken).ConfigureAwait(false);
            return;
        }

        SessionRequest session;
        try
        {
            session = SessionRequest.Parse(commandId, payload);
        }
        catch (InvalidDataException ex)
        {
            Record(connection, EventPipeCommandSet, commandId, payload, $"Error bad encoding: {ex.Message}");
            await ErrorAsync(stream, BadEncoding, cancellationToken).ConfigureAwait(false);
            return;
        }

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ulong sessionId;
        lock (_sessions)
        {
            sessionId = _nextSessionId;
            _nextSessionId += 0x1000;
            _sessions.Add(sessionId, stopped);
        }

        Record(connection, EventPipeCommandSet, commandId, payload, $"OK 0x{sessionId:X}{(session.RecordsAllocations ? ", the recorded trace" : ", no events")}", sessionId);
        byte[] id = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(id, sessionId);
        await SendAsync(stream, Ok, id, cancellationToken).ConfigureAwait(false);
        if (session.RecordsAllocations)
        {
            await stream.WriteAsync(_allocationTrace, cancellationToken).ConfigureAwait(false);
        }

        // The runtime ends a session's stream after its StopTracing (with the rundown, already in the recorded trace).
        await stopped.Task.WaitAsync(SessionPatience, cancellationToken).ConfigureAwait(false);
    }

    private void Record(int connection, byte commandSet, byte commandId, byte[] payload, string answer, ulong? startedSession = null)
    {
        lock (_requests)
        {
            _requests.Add(new IpcRequest(connection, commandSet, commandId, payload, answer) { StartedSession = startedSession });
        }
    }

    /// <summary>An Error message: command set 0xFF, id 0xFF, an int32 HRESULT; the connection then closes.</summary>
    private static async Task ErrorAsync(NetworkStream stream, uint hresult, CancellationToken cancellationToken)
    {
        byte[] payload = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, hresult);
        await SendAsync(stream, Error, payload, cancellationToken).ConfigureAwait(false);
    }

    private static async Task SendAsync(NetworkStream stream, byte commandId, byte[] payload, CancellationToken cancellationToken)
    {
        byte[] message = new byte[HeaderSize + payload.Length];
        Magic.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(14), (ushort)message.Length);
        message[16] = ServerCommandSet;
        message[17] = commandId;
        payload.CopyTo(message, HeaderSize);
        await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>One request the fake runtime received, and what it answered.</summary>
internal sealed record IpcRequest(int Connection, byte CommandSet, byte CommandId, byte[] Payload, string Answer)
{
    /// <summary>The session id the fake gave a CollectTracing it accepted.</summary>
    public ulong? StartedSession { get; init; }

    /// <summary>The session a StopTracing names.</summary>
    public ulong? StoppedSession => IsEventPipe(FakeDiagnosticServer.StopTracing) && Payload.Length == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(Payload) : null;

    /// <summary>The configuration a CollectTracing asks for (null for other commands).</summary>
    public SessionRequest? Session => CommandSet == FakeDiagnosticServer.EventPipeCommandSet && CommandId is >= FakeDiagnosticServer.CollectTracing and <= FakeDiagnosticServer.CollectTracing6
        ? SessionRequest.Parse(CommandId, Payload)
        : null;

    public bool IsEventPipe(byte commandId) => CommandSet == FakeDiagnosticServer.EventPipeCommandSet && CommandId == commandId;

    public override string ToString() =>
        $"conn{Connection} 0x{CommandSet:X2}/0x{CommandId:X2} {Name} ({Payload.Length} bytes{(Session is { } s ? "; " + s : "")}) -> {Answer}";

    private string Name => (CommandSet, CommandId) switch
    {
        (FakeDiagnosticServer.ProcessCommandSet, FakeDiagnosticServer.ProcessEnvironment) => "ProcessEnvironment",
        (FakeDiagnosticServer.EventPipeCommandSet, FakeDiagnosticServer.StopTracing) => "StopTracing",
        (FakeDiagnosticServer.EventPipeCommandSet, FakeDiagnosticServer.CollectTracing) => "CollectTracing",
        (FakeDiagnosticServer.EventPipeCommandSet, >= FakeDiagnosticServer.CollectTracing2 and <= FakeDiagnosticServer.CollectTracing6) => $"CollectTracing{CommandId - 1}",
        _ => "?",
    };
}

/// <summary>One provider of a CollectTracing request.</summary>
internal sealed record ProviderRequest(ulong Keywords, uint Level, string Name, string Arguments)
{
    public override string ToString() => $"{Name}:0x{Keywords:X}:{Level}";
}

/// <summary>
/// A CollectTracing request's payload, decoded in full (any byte left over or missing is an error): CollectTracing
/// (buffer MB, format, providers), 2 (+ bool rundown), 3 (+ bool stackwalk), 4 (a rundown keyword instead of the bool),
/// 5 (a session type first, and an event filter per provider) and 6 (5 + a trailing uint32 buffering mode: 0 Drop, 1 Block).
/// The rundown flag of 1-3 is given as the keyword the runtime then uses.
/// </summary>
internal sealed record SessionRequest(byte Command, uint BufferSizeMB, uint Format, ulong RundownKeyword, bool RequestStackwalk, IReadOnlyList<ProviderRequest> Providers, uint BufferingMode)
{
    private const ulong DefaultRundownKeyword = 0x80020139;

    /// <summary>The main session of collect: the runtime provider with the AllocationSampled keyword.</summary>
    public bool RecordsAllocations => Providers.Any(p => p.Name == AllocationProviders.RuntimeProvider && (p.Keywords & AllocationProviders.AllocationSamplingKeyword) != 0);

    /// <summary>The same session configuration, whatever the command and buffering mode.</summary>
    public bool SameSessionAs(SessionRequest other) =>
        BufferSizeMB == other.BufferSizeMB && Format == other.Format && RundownKeyword == other.RundownKeyword
        && RequestStackwalk == other.RequestStackwalk && Providers.SequenceEqual(other.Providers);

    public static SessionRequest Parse(byte command, byte[] payload)
    {
        var reader = new PayloadReader(payload);
        if (command >= FakeDiagnosticServer.CollectTracing5 && reader.UInt32() is var sessionType and not 0)
        {
            throw new InvalidDataException($"session type {sessionType}: only streaming sessions (0) are served");
        }

        uint bufferSizeMB = reader.UInt32();
        uint format = reader.UInt32();
        ulong rundownKeyword = command switch
        {
            FakeDiagnosticServer.CollectTracing => DefaultRundownKeyword,
            FakeDiagnosticServer.CollectTracing2 or FakeDiagnosticServer.CollectTracing3 => reader.Boolean() ? DefaultRundownKeyword : 0,
            _ => reader.UInt64(),
        };
        bool requestStackwalk = command is FakeDiagnosticServer.CollectTracing or FakeDiagnosticServer.CollectTracing2 || reader.Boolean();
        var providers = new ProviderRequest[reader.UInt32()];
        for (int i = 0; i < providers.Length; i++)
        {
            providers[i] = new ProviderRequest(reader.UInt64(), reader.UInt32(), reader.String(), reader.String());
            if (command >= FakeDiagnosticServer.CollectTracing5)
            {
                _ = reader.Boolean(); // the event filter: enable/disable list...
                for (uint ids = reader.UInt32(); ids > 0; ids--)
                {
                    _ = reader.UInt32(); // ...of event ids
                }
            }
        }

        uint bufferingMode = command == FakeDiagnosticServer.CollectTracing6 ? reader.UInt32() : 0;
        reader.End();
        return new SessionRequest(command, bufferSizeMB, format, rundownKeyword, requestStackwalk, providers, bufferingMode);
    }

    public override string ToString() =>
        $"{BufferSizeMB} MB, format {Format}, rundown 0x{RundownKeyword:X}, stackwalk {RequestStackwalk}, {string.Join(", ", Providers)}, buffering {(BufferingMode == 1 ? "Block" : "Drop")}";

    /// <summary>The payload's little-endian fields, one after the other.</summary>
    private sealed class PayloadReader(byte[] payload)
    {
        private int _offset;

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public bool Boolean() => Take(1)[0] switch
        {
            0 => false,
            1 => true,
            var b => throw new InvalidDataException($"bool {b} at {_offset - 1}"),
        };

        /// <summary>array&lt;wchar&gt; ending with a 0 wchar, or length 0.</summary>
        public string String()
        {
            int length = checked((int)UInt32());
            if (length == 0)
            {
                return "";
            }

            ReadOnlySpan<byte> chars = Take(checked(length * 2));
            return chars[^2..].SequenceEqual(new byte[2])
                ? Encoding.Unicode.GetString(chars[..^2])
                : throw new InvalidDataException($"string of {length} wchars at {_offset - (length * 2)} does not end with 0");
        }

        public void End()
        {
            if (_offset != payload.Length)
            {
                throw new InvalidDataException($"{payload.Length - _offset} bytes left over after the last field");
            }
        }

        private ReadOnlySpan<byte> Take(int count) => _offset + count <= payload.Length
            ? payload.AsSpan((_offset += count) - count, count)
            : throw new InvalidDataException($"the payload ({payload.Length} bytes) ends inside a field at {_offset}");
    }
}
