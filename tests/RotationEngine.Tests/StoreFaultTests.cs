using RotationEngine.Storage;

namespace RotationEngine.Tests;

/// <summary>
/// A store that fails, synchronously or in its task, reaches the caller as a <see cref="RotationStoreException"/>
/// naming the operation that failed and the exception's type (never its message, which may hold data); a store that
/// classifies its own faults keeps its exception.
/// </summary>
public sealed class StoreFaultTests
{
    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_failing_store_call_is_reported_as_the_operation_that_failed(string scenarioName, bool inItsTask)
    {
        var scenario = await StoreCallScenario.PrepareAsync(scenarioName);
        scenario.Store.Fail = (operation, call) => operation == scenario.Operation && call == scenario.Call;
        scenario.Store.Defer = inItsTask ? scenario.Store.Fail : static (_, _) => false;
        scenario.Store.Release();

        var fault = await Assert.ThrowsAsync<RotationStoreException>(async () => await scenario.Start());

        Assert.Equal($"The family store failed during {scenario.Operation} (InvalidOperationException); the outcome is unknown.", fault.Message);
        Assert.IsType<InvalidOperationException>(fault.InnerException);
        Assert.Equal(scenario.Call, scenario.Store.Calls(scenario.Operation));
    }

    public static TheoryData<string, bool> Faults()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in StoreCallScenario.Names)
        {
            data.Add(name, false);
            data.Add(name, true);
        }

        return data;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_store_that_classifies_its_own_fault_keeps_its_exception(bool inItsTask)
    {
        var own = new RotationStoreException("Replica lag: the write may have landed.");
        var scenario = await StoreCallScenario.PrepareAsync("rotate");
        scenario.Store.Fault = () => own;
        scenario.Store.Fail = (operation, _) => operation == "Rotate";
        scenario.Store.Defer = inItsTask ? scenario.Store.Fail : static (_, _) => false;
        scenario.Store.Release();

        var fault = await Assert.ThrowsAsync<RotationStoreException>(async () => await scenario.Start());

        Assert.Same(own, fault);
    }

    [Fact]
    public async Task Every_scenario_answers_as_expected_when_the_store_works()
    {
        foreach (var name in StoreCallScenario.Names)
        {
            var scenario = await StoreCallScenario.PrepareAsync(name);
            var calls = scenario.Store.Calls(scenario.Operation);
            Assert.Equal(scenario.Expected, await scenario.Start());
            Assert.True(scenario.Store.Calls(scenario.Operation) >= scenario.Call, $"{name}: call {scenario.Call} of {scenario.Operation} was not made (made {calls} before)");
        }
    }
}
