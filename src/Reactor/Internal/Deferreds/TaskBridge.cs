namespace Reactor.Internal.Deferreds;

/// <summary>Fires a Deferred from a task's completion, on the synchronization context of the code that asked for it.</summary>
internal static class TaskBridge
{
    internal static void FireWhenCompleted(Task task, Deferred target, Func<Task, object?> successResult)
    {
        if (task.IsCompleted)
        {
            target.TryStartRunCallbacks(Outcome(task, successResult));
            return;
        }

        SynchronizationContext? context = SynchronizationContext.Current;
        task.ContinueWith(
            static (completed, state) =>
            {
                var (deferred, context, successResult) = ((Deferred, SynchronizationContext?, Func<Task, object?>))state!;
                object? outcome = Outcome(completed, successResult);
                if (context is null)
                {
                    deferred.TryStartRunCallbacks(outcome);
                }
                else
                {
                    context.Post(
                        static posted =>
                        {
                            var (deferred, outcome) = ((Deferred, object?))posted!;
                            deferred.TryStartRunCallbacks(outcome);
                        },
                        (deferred, outcome));
                }
            },
            (target, context, successResult),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The Deferred result for a completed task: its value, or a <see cref="Failure"/>.</summary>
    private static object? Outcome(Task task, Func<Task, object?> successResult)
    {
        if (task.IsCanceled)
        {
            Exception? cause = null;
            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException cancelled)
            {
                cause = cancelled;
            }

            return new Failure(cause is null
                ? new CancelledException("The task was cancelled.")
                : new CancelledException("The task was cancelled.", cause));
        }

        if (task.IsFaulted)
        {
            AggregateException aggregate = task.Exception!;
            return new Failure(aggregate.InnerExceptions.Count == 1 ? aggregate.InnerExceptions[0] : aggregate);
        }

        return successResult(task);
    }
}
