using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Reactor.Tests.Streams;

/// <summary>
/// A fact of a shared specification (<see cref="StreamTransportSpec"/>), inherited by one test class per transport. The
/// class running it may declare <c>public static string? SkipReason</c>: when that is not null (an epoll fixture off
/// Linux) every inherited fact is reported skipped with the reason, since xunit's <c>Skip</c> is fixed per method; or
/// <c>public static IReadOnlyDictionary&lt;string, string&gt; SkippedFacts</c>: the facts (by method name) that cannot
/// apply to its transport, each with the reason.
/// </summary>
[XunitTestCaseDiscoverer("Reactor.Tests.Streams.SpecFactDiscoverer", "Reactor.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class SpecFactAttribute : FactAttribute
{
}

/// <summary>Discovers a <see cref="SpecFactAttribute"/> fact for the class that inherits it, skipped if that class says so.</summary>
public sealed class SpecFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        var reason = testClass.GetProperty("SkipReason", BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy)?.GetValue(null) as string;
        if (reason is null
            && testClass.GetProperty("SkippedFacts", BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy)?.GetValue(null) is IReadOnlyDictionary<string, string> skipped)
        {
            reason = skipped.GetValueOrDefault(testMethod.Method.Name);
        }

        return reason is null
            ? base.Discover(discoveryOptions, testMethod, factAttribute)
            : [new SkippedSpecTestCase(reason, DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
    }
}

/// <summary>A spec fact that cannot run here, reported skipped with its class's reason.</summary>
public sealed class SkippedSpecTestCase : XunitTestCase
{
    private string _reason = "";

    [Obsolete("Called by the de-serializer only.")]
    public SkippedSpecTestCase()
    {
    }

    public SkippedSpecTestCase(string reason, IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, display, displayOptions, testMethod)
    {
        _reason = reason;
    }

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("Reason", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("Reason");
        base.Deserialize(data);
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;
}
