using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using RotationEngine.AspNetCore.Tests.Infrastructure;
using RotationEngine.Testing.Faults;

namespace RotationEngine.AspNetCore.Tests;

/// <summary>A client that disconnects while its rotation is in the store does not cancel the rotation half-way: the
/// rotation completes, and the client's retry with the old token replays it (real Kestrel, a real aborted connection).</summary>
public sealed class DisconnectTests
{
    [Fact]
    public async Task A_client_disconnect_does_not_cancel_the_rotation()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await AuthServerHost.StartAsync(Transport.Kestrel, services: services =>
            services.AddSingleton<IStartupFilter>(new AbortWatcher(aborted)));
        var token = await host.SignInTokenAsync("disconnect");

        using var hold = host.Store.HoldNext(StoreOperations.Rotate);
        using var cancel = new CancellationTokenSource();
        var pending = host.Http.PostAsync("oauth/token", Wire.Form(("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", "spa")), cancel.Token);
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(30));   // the server saw the connection go

        Assert.False(hold.CallToken.CanBeCanceled);
        hold.Release();
        await WaitUntilAsync(async () => (await host.FamilyOfAsync(token)).Generation == 1);

        var retry = await host.RefreshAsync(token);
        Assert.False(retry.IsError, retry.Error);
        Assert.Equal(1, (await host.FamilyOfAsync(retry.RefreshToken!)).Generation);
        Assert.Equal(StoreOperations.None, host.Store.CancellableCalls & StoreOperations.Rotate);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 600; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the condition did not become true within 30 s");
    }

    private sealed class AbortWatcher(TaskCompletionSource aborted) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.RequestAborted.Register(() => aborted.TrySetResult());
                return following(context);
            });
            next(app);
        };
    }
}
