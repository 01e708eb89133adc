using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansRaft.Testing.Telemetry;

/// <summary>
/// A <see cref="MeterListener"/> that records every measurement of the named meters (observable ones when
/// <see cref="Collect"/> is called). Process-wide, as <see cref="SpanRecorder"/>.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> measurements = new();

    public MetricRecorder(params string[] meters)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meters.Contains(instrument.Meter.Name))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    public IReadOnlyList<RecordedMeasurement> Measurements => [.. measurements];

    public IReadOnlyList<RecordedMeasurement> Named(string instrument) => [.. measurements.Where(m => m.Instrument == instrument)];

    /// <summary>Asks every observable instrument (gauges) for its current values.</summary>
    public void Collect() => listener.RecordObservableInstruments();

    public void Dispose() => listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, object?>();
        foreach (var (key, tag) in tags)
        {
            copied[key] = tag;
        }

        measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, copied));
    }
}
