namespace Reactor.Internal.Protocols;

/// <summary>A framing receiver as <see cref="FrameInput.Receive"/> drives it.</summary>
internal interface IFrameReceiver
{
    /// <summary>Delivers every complete frame it can from the receiver's <see cref="FrameInput"/>, until it needs more data, is paused or stops.</summary>
    void DeliverFrames();
}
