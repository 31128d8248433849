namespace Reactor.Protocols;

/// <summary>
/// A protocol of strings each sent after its length as a 8-bit unsigned integer in network byte order (Twisted's
/// <c>Int8StringReceiver</c>). Override <see cref="IntNStringReceiver.StringReceived"/>; send with
/// <see cref="IntNStringReceiver.SendString"/> (at most 255 bytes a string); strings longer than
/// <see cref="IntNStringReceiver.MaxLength"/> (99,999 by default) are refused.
/// </summary>
public abstract class Int8StringReceiver : IntNStringReceiver
{
    /// <summary>Creates the receiver with a 1-byte prefix.</summary>
    protected Int8StringReceiver()
        : base(1)
    {
    }
}
