using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reactor.Internal.Resolve;

/// <summary>
/// One <see cref="IReactorResolve"/> lookup in flight: asks the resolver, bounds the wait with a timer, and fires
/// <see cref="Result"/> once: with the selected answer, a <see cref="DnsLookupException"/>, or (on cancel) a
/// <see cref="CancelledException"/>. Whatever the resolver delivers after that is discarded (decision D9).
/// </summary>
/// <typeparam name="T">What the caller gets: one address or the list.</typeparam>
internal sealed class HostLookup<T>
    where T : class
{
    private readonly ReactorBase _reactor;
    private readonly string _name;
    private readonly Func<IReadOnlyList<IPAddress>, T?> _select;
    private IDelayedCall? _timeoutCall;
    private TimeSpan _limit;
    private Activity? _activity;

    /// <param name="reactor">The reactor the lookup runs on.</param>
    /// <param name="name">The host name.</param>
    /// <param name="select">Picks the result from the resolver's addresses; <c>null</c> when none is acceptable.</param>
    internal HostLookup(ReactorBase reactor, string name, Func<IReadOnlyList<IPAddress>, T?> select)
    {
        _reactor = reactor;
        _name = name;
        _select = select;

        // The canceller only cleans up; Deferred.Cancel then fails Result with CancelledException.
        Result = new Deferred<T>(_ =>
        {
            Finish();
            EndActivity(new CancelledException());
        });
        Result.SetOwner(reactor);
        _activity = Telemetry.Start(Telemetry.ResolveActivity, ActivityKind.Internal);
        if (_activity is not null)
        {
            _activity.DisplayName = $"DNS lookup {name}";
            _activity.SetTag("dns.question.name", name);
        }
    }

    /// <summary>The caller's Deferred.</summary>
    internal Deferred<T> Result { get; }

    /// <summary>Asks <paramref name="resolver"/>; unless it answered at once, starts the timer and registers for shutdown.</summary>
    internal void Start(IHostResolver resolver, AddressFamily family, TimeSpan limit)
    {
        Deferred<IReadOnlyList<IPAddress>> answer;
        try
        {
            answer = resolver.ResolveHostAddresses(_name, family)
                ?? throw new InvalidOperationException($"{resolver.GetType().Name}.ResolveHostAddresses returned null.");
        }
        catch (Exception e)
        {
            var failure = new DnsLookupException(_name, e);
            EndActivity(failure);
            Result.Errback(failure);
            return;
        }

        answer.AddCallbacksUntyped(OnAnswer, OnResolverFailure);
        if (!Result.Called)
        {
            _limit = limit;
            _timeoutCall = _reactor.CallLater(limit, OnTimeout);
            _reactor.TrackLookup(Result);
        }
    }

    private object? OnAnswer(object? result)
    {
        if (Result.Called)
        {
            return null; // cancelled or timed out: the late answer is discarded
        }

        Finish();
        var addresses = result as IReadOnlyList<IPAddress> ?? [];
        if (_select(addresses) is { } selected)
        {
            if (_activity is not null)
            {
                _activity.SetTag("dns.answers", AddressStrings(addresses));
                EndActivity(null);
            }

            Result.Callback(selected);
        }
        else
        {
            var failure = new DnsLookupException(_name);
            EndActivity(failure);
            Result.Errback(failure);
        }

        return null;
    }

    private object? OnResolverFailure(Failure failure)
    {
        // Returning a value marks the resolver's failure handled, also when it is discarded.
        if (!Result.Called)
        {
            Finish();
            var error = failure.Exception is DnsLookupException own && own.Name == _name
                ? own
                : new DnsLookupException(_name, failure.Exception);
            EndActivity(error);
            Result.Errback(error);
        }

        return null;
    }

    private void OnTimeout()
    {
        if (Result.Called)
        {
            return;
        }

        Finish();
        var failure = new DnsLookupException(_name, new TimeoutException(
            $"The lookup of {_name} did not finish within {_limit.TotalSeconds} seconds, the sum of its timeouts."));
        EndActivity(failure);
        Result.Errback(failure);
    }

    private void Finish()
    {
        if (_timeoutCall is { Active: true } timeoutCall)
        {
            timeoutCall.Cancel();
        }

        _reactor.UntrackLookup(Result);
    }

    private void EndActivity(Exception? error)
    {
        Telemetry.Stop(_activity, error);
        _activity = null;
    }

    private static string[] AddressStrings(IReadOnlyList<IPAddress> addresses)
    {
        var strings = new string[addresses.Count];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = addresses[i].ToString();
        }

        return strings;
    }
}
