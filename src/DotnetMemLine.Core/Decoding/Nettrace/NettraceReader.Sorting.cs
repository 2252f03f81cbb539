using System.Runtime.CompilerServices;

namespace DotnetMemLine.Decoding.Nettrace;

/// <summary>
/// The order TraceEvent dispatches events in: per capture thread queues, merged by timestamp when an event flagged
/// "sorted" or a sequence point lets them out; and the events the runtime dropped, from gaps in sequence numbers.
/// </summary>
internal sealed partial class NettraceReader
{
    private sealed partial class Pass
    {
        private CaptureThread ThreadOf(long captureThreadId, int sequenceNumber)
        {
            if (!_threads.TryGetValue(captureThreadId, out CaptureThread? thread))
            {
                thread = new CaptureThread { SequenceNumber = sequenceNumber };
                _threads[captureThreadId] = thread;
            }

            return thread;
        }

        /// <summary>
        /// A thread's sequence numbers count every event it tried to log; a jump from <paramref name="last"/> to
        /// <paramref name="expected"/> is that many dropped events. A last number of 0 is taken as a thread id the
        /// OS reused (a new thread starts again at 1), and a backward jump as "too many to count", as in TraceEvent.
        /// V6 never reuses a thread index and starts every thread at 0, so there a 0 counts like any other number.
        /// </summary>
        private void CountDropped(int last, int expected)
        {
            if (last == 0 && !_v6)
            {
                return;
            }

            int dropped = unchecked(expected - last);
            if (dropped < 0)
            {
                dropped = int.MaxValue;
            }

            if (dropped > 0)
            {
                _droppedEvents = Math.Min(_droppedEvents + dropped, int.MaxValue);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Enqueue(CaptureThread thread, EventKind kind, in EventHeader header, int payloadOffset)
        {
            // The payload stays where it was read: the buffer is held (not read into again) until the queues are empty.
            if (_heldBuffer != _buffer)
            {
                _file.Hold(_buffer);
                _heldBuffer = _buffer;
            }

            if (thread.Events.Count == 0)
            {
                _waiting.Add(thread);
            }

            thread.Events.Enqueue(new QueuedEvent
            {
                TimeStamp = header.TimeStamp,
                ThreadId = header.ThreadId,
                StackId = header.StackId,
                PayloadBuffer = _buffer,
                PayloadOffset = payloadOffset,
                PayloadLength = header.PayloadSize,
                Version = kind.Version,
                Kind = kind.Kind,
            });
            _queuedEvents++;
        }

        private void FlushAll() => SortAndDispatch(long.MaxValue);

        /// <summary>Dispatches the queued events older than <paramref name="stop"/>, merging the threads' queues by timestamp.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void SortAndDispatch(long stop)
        {
            if (_queuedEvents == 0)
            {
                return;
            }

            int heapCount = 0;
            foreach (CaptureThread thread in _waiting)
            {
                long key = thread.Events.Peek().TimeStamp;
                if (key < stop)
                {
                    if (heapCount == _heap.Length)
                    {
                        Array.Resize(ref _heap, heapCount * 2);
                    }

                    _heap[heapCount++] = (key, thread);
                }
            }

            for (int i = (heapCount / 2) - 1; i >= 0; i--)
            {
                SiftDown(i, heapCount);
            }

            while (heapCount > 0)
            {
                CaptureThread thread = _heap[0].Thread;
                QueuedEvent ev = thread.Events.Dequeue();
                _queuedEvents--;
                Dispatch(new EventKind(ev.Kind, ev.Version), ev.TimeStamp, ev.ThreadId, ev.StackId, ev.PayloadBuffer.AsSpan(ev.PayloadOffset, ev.PayloadLength));
                if (thread.Events.Count > 0 && thread.Events.Peek().TimeStamp < stop)
                {
                    _heap[0] = (thread.Events.Peek().TimeStamp, thread);
                }
                else
                {
                    _heap[0] = _heap[--heapCount];
                }

                SiftDown(0, heapCount);
            }

            _waiting.RemoveAll(t => t.Events.Count == 0);
            if (_queuedEvents == 0)
            {
                _file.ReleaseHeld();
                _heldBuffer = null;
            }
        }

        private void SiftDown(int i, int count)
        {
            while (true)
            {
                int smallest = i;
                int left = (2 * i) + 1;
                int right = left + 1;
                if (left < count && _heap[left].Key < _heap[smallest].Key)
                {
                    smallest = left;
                }

                if (right < count && _heap[right].Key < _heap[smallest].Key)
                {
                    smallest = right;
                }

                if (smallest == i)
                {
                    return;
                }

                (_heap[i], _heap[smallest]) = (_heap[smallest], _heap[i]);
                i = smallest;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Dispatch(EventKind kind, long timeStamp, long threadId, int stackId, ReadOnlySpan<byte> payload)
        {
            ReadOnlySpan<byte> stack = _stacks.TryGetValue(stackId, out var at) ? _stackBytes.AsSpan(at.Offset, at.Length) : default;
            _handler.OnEvent(new NettraceEvent(kind.Kind, kind.Version, timeStamp, threadId, stackId, payload, stack, _reader.PointerSize));
        }
    }
}
