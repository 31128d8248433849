namespace Reactor.Protocols;

/// <summary>
/// A protocol of strings each sent after its length as a 16-bit unsigned integer in network byte order (Twisted's
/// <c>Int16StringReceiver</c>). Override <see cref="IntNStringReceiver.StringReceived"/>; send with
/// <see cref="IntNStringReceiver.SendString"/> (at most 65,535 bytes a string); strings longer than
/// <see cref="IntNStringReceiver.MaxLength"/> (99,999 by default) are refused.
/// </summary>
public abstract class Int16StringReceiver : IntNStringReceiver
{
    /// <summary>Creates the receiver with a 2-byte prefix.</summary>
    protected Int16StringReceiver()
        : base(2)
    {
    }
}
