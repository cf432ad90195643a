using Simulator.Core;
using Simulator.Oracle;
using Simulator.Scenarios;

namespace Simulator.Simulation;

/// <summary>
/// The simulated people and what they hold: users, their clients (browsers, apps) and views (tabs), the thieves
/// and the oracle's model of every family. Built from the seed; changed only by the run loop.
/// </summary>
internal sealed class World
{
    private const long Hour = 3_600_000;
    private const long Day = 86_400_000;

    /// <summary>The OAuth client id of every honest client (one application; its users' browsers and devices).</summary>
    public const string ClientId = "app";

    /// <summary>The client id a thief with a client registration of its own presents a stolen token under.</summary>
    public const string OtherClientId = "other-app";

    /// <summary>Draws the population of <paramref name="scenario"/> from the seed and schedules each client's first
    /// session and each user's first theft.</summary>
    public World(RunSpec spec, Scenario scenario, EventQueue queue)
    {
        var population = scenario.Population;
        var userIds = spec.Filter.OnlyUsers ?? Enumerable.Range(0, population.Users).ToList();
        var users = new List<UserState>(userIds.Count);
        var clients = new List<ClientState>();
        var views = 0;
        foreach (var userId in userIds)
        {
            var userRng = Prng.ForStream(spec.Seed, 1, (ulong)userId);
            var clientCount = (int)userRng.Between(population.ClientsPerUserMin, population.ClientsPerUserMax);
            var user = new UserState { Id = userId, FirstClient = clients.Count, ClientCount = clientCount, TheftRng = Prng.ForStream(spec.Seed, 3, (ulong)userId) };
            users.Add(user);
            for (var k = 0; k < clientCount; k++)
            {
                var rng = Prng.ForStream(spec.Seed, 2, (ulong)(userId * 16 + k));
                var singleFlight = rng.Chance(population.SingleFlightShare);
                var viewCount = (int)rng.Between(population.ViewsPerClientMin, population.ViewsPerClientMax);
                var client = new ClientState
                {
                    Index = clients.Count,
                    Key = userId * 16 + k,
                    User = users.Count - 1,
                    Subject = $"user-{userId}",
                    ClientId = ClientId,
                    Binding = $"device-{userId}-{k}",
                    SingleFlight = singleFlight,
                    FirstView = views,
                    ViewCount = viewCount,
                    Rng = rng,
                };
                views += viewCount;
                clients.Add(client);
                queue.Schedule(client.Rng.Between(0, (long)(population.IdleHoursMax * Hour)), EventKind.SessionStart, client.Index, 1);
            }

            var theftRate = scenario.Attackers.TheftsPerThousandUserDays / 1000.0;
            if (theftRate > 0)
            {
                queue.Schedule(user.TheftRng.Exponential(Day / theftRate), EventKind.Theft, users.Count - 1);
            }
        }

        Users = users;
        Clients = clients;
        ViewClient = new int[views];
        ViewTicket = new int[views];
        ViewWaiting = new bool[views];
        foreach (var client in Clients)
        {
            for (var v = 0; v < client.ViewCount; v++)
            {
                ViewClient[client.FirstView + v] = client.Index;
            }
        }
    }

    /// <summary>An empty world whose users arrive with a traffic log (<see cref="AddTrafficSession"/>).</summary>
    public World()
    {
        Users = [];
        Clients = [];
        ViewClient = [];
        ViewTicket = [];
        ViewWaiting = [];
    }

    public List<UserState> Users { get; }

    public List<ClientState> Clients { get; }

    /// <summary>The client each view (tab) belongs to.</summary>
    public int[] ViewClient { get; }

    /// <summary>Each view's timer ticket: a timer event with an older ticket is stale.</summary>
    public int[] ViewTicket { get; }

    /// <summary>Views of a single-flight client waiting for the shared refresh.</summary>
    public bool[] ViewWaiting { get; }

    /// <summary>The oracle's model of every family, indexed by the simulator's family number.</summary>
    public List<FamilyModel> Families { get; } = [];

    public List<ThiefState> Thieves { get; } = [];

    /// <summary>Adds a traffic log's session as a user with one client and no views (it refreshes when the log says).</summary>
    public ClientState AddTrafficSession(ulong seed, string clientId, int userId)
    {
        var user = new UserState { Id = userId, FirstClient = Clients.Count, ClientCount = 1, TheftRng = Prng.ForStream(seed, 3, (ulong)userId) };
        var client = new ClientState
        {
            Index = Clients.Count,
            Key = userId * 16,
            User = Users.Count,
            Subject = $"user-{userId}",
            ClientId = clientId,
            Binding = $"device-{userId}-0",
            SingleFlight = false,
            FirstView = 0,
            ViewCount = 0,
            Rng = Prng.ForStream(seed, 2, (ulong)(userId * 16)),
            Traffic = true,
        };
        Users.Add(user);
        Clients.Add(client);
        return client;
    }
}
