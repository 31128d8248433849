using System.Diagnostics.CodeAnalysis;

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
    [SuppressMessage("ApiDesign", "RS0022:Constructor make noninheritable base class inheritable", Justification = "The base class is public so that code can take any IntNStringReceiver; its private protected constructor only stops other derivations, and the protected members are meant for this subclass's subclasses.")]
    protected Int16StringReceiver()
        : base(2)
    {
    }
}
