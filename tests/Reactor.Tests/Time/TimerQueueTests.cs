using Reactor.Internal;

namespace Reactor.Tests.Time;

/// <summary>The timer heap against a simple model: random schedules, cancels and resets.</summary>
public class TimerQueueTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_operations_run_calls_in_due_then_scheduling_order(int seed)
    {
        var random = new Random(seed);
        long now = 0;
        var queue = new TimerQueue(() => now, static () => { });
        var ran = new List<int>();
        var model = new Dictionary<int, (long Due, long Order)>();
        var calls = new Dictionary<int, IDelayedCall>();
        long order = 0;

        for (var id = 0; id < 2000; id++)
        {
            var n = id;
            var delay = random.Next(0, 50);
            calls[n] = queue.Schedule(TimeSpan.FromTicks(delay), () => ran.Add(n));
            model[n] = (now + delay, order++);

            var action = random.Next(10);
            if (action == 0 && model.Count > 0)
            {
                var victim = model.Keys.ElementAt(random.Next(model.Count));
                calls[victim].Cancel();
                model.Remove(victim);
            }
            else if (action == 1 && model.Count > 0)
            {
                var moved = model.Keys.ElementAt(random.Next(model.Count));
                var newDelay = random.Next(0, 50);
                calls[moved].Reset(TimeSpan.FromTicks(newDelay));
                model[moved] = (now + newDelay, order++);
            }
            else if (action == 2)
            {
                now += random.Next(0, 20);
                var expected = model.Where(kv => kv.Value.Due <= now).OrderBy(kv => kv.Value.Due).ThenBy(kv => kv.Value.Order).Select(kv => kv.Key).ToList();
                ran.Clear();
                queue.RunDue(now, e => throw e);
                ran.Should().Equal(expected);
                foreach (var key in expected)
                {
                    model.Remove(key);
                }
            }
        }

        queue.Count.Should().Be(model.Count);
    }
}
