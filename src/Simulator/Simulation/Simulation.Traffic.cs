using Simulator.Core;

namespace Simulator.Simulation;

/// <summary>Replaying a traffic log (<c>--traffic</c>): the log's sessions are the honest clients. One line is read
/// ahead at a time, so a file of any length replays in memory bounded by its number of sessions.</summary>
internal sealed partial class DeterministicSimulation
{
    private void ScheduleNextLine()
    {
        if (!_traffic!.TryRead(out var line))
        {
            // The log is over: let thieves with a stolen copy go on until they give up, then stop.
            _end = Math.Min(_end, _clock.NowMs + (long)(_scenario.Attackers.GiveUpHours * Hour) + 1);
            return;
        }

        if (_trafficBase == long.MinValue)
        {
            // Virtual time starts a second before the first line.
            _trafficBase = line.TimestampMs - Second;
        }

        _nextLine = line;
        _queue.Schedule(line.TimestampMs - _trafficBase, EventKind.TrafficLine, 0);
    }

    private void OnTrafficLine()
    {
        var line = _nextLine;
        if (!_sessions!.TryGetValue(line.Session, out var index))
        {
            // Sessions are numbered in order of first appearance; the shrinker's --only-users keeps some of them.
            var ordinal = _sessions.Count;
            index = _spec.Filter.OnlyUsers is { } only && !only.Contains(ordinal) ? -1 : _world.AddTrafficSession(_spec.Seed, line.Client, ordinal).Index;
            _sessions.Add(line.Session, index);
            _metrics.TrafficSessions++;
        }

        if (index < 0)
        {
            ScheduleNextLine();
            return;
        }

        var client = _world.Clients[index];
        var day = line.TimestampMs / Day;
        if (day != client.LastTrafficDay)
        {
            client.LastTrafficDay = day;
            _metrics.TrafficUserDays++;
        }

        if (client.Family < 0)
        {
            // A session seen for the first time, or again after a logout, signs in just before its refresh.
            SignIn(client);
        }

        // Each session's own theft stream decides, so that dropping sessions leaves the others' thefts unchanged.
        var user = _world.Users[client.User];
        if (_spec.TheftRate > 0 && !_spec.Filter.NoAttackers && user.TheftRng.Chance(_spec.TheftRate))
        {
            var attackers = _scenario.Attackers;
            var strategy = PickStrategy(user.TheftRng.NextDouble());
            var delay = strategy == ThiefStrategy.Delayed ? user.TheftRng.Between(Minute, (long)(attackers.DelayHoursMax * Hour)) : user.TheftRng.Between(Second, Minute);
            StartThief(client, user, strategy, delay);
        }

        // Requests of one burst present the token the client held when the burst began.
        if (line.Burst is null || !string.Equals(line.Burst, client.Burst, StringComparison.Ordinal) || client.BurstFamily != client.Family)
        {
            client.Burst = line.Burst;
            client.BurstFamily = client.Family;
            client.BurstToken = client.Token;
            client.BurstGeneration = client.Generation;
        }

        var id = line.Burst is null ? SendHonest(client, -1) : SendHonest(client, -1, client.BurstToken, client.BurstGeneration);
        _network[id].LoseResponse = line.LostResponse;
        if ((++_trafficLines & 0xFFFF) == 0)
        {
            TrafficProgress?.Invoke(_trafficLines);
        }

        ScheduleNextLine();
    }
}
