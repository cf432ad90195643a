// rotation-refresh.js: the browser half of cookie-mode refresh-token rotation (RotationEngine.AspNetCore).
//
// The refresh token lives in an HttpOnly cookie the page cannot read; the page only asks the server to rotate it and
// receives an access token. A rotating server retires the cookie's token at every refresh, so two refreshes in flight
// at once race: the server forgives the race (grace replay), but a replay's Set-Cookie can land after a newer
// rotation's and put a retired token back into the browser. The cure is to never have two refreshes in flight:
//   - within a tab, concurrent callers share one promise (single-flight);
//   - across tabs (and across independent views), the Web Locks API serializes the refreshes: a tab that waited for
//     the lock sends the cookie the previous holder received.
//
//   const refresher = createRefresher({ url: '/cookie/refresh' });
//   const { accessToken } = await refresher.getAccessToken();   // refreshed once, whoever else asks at the same time
//
// Answers: 200 {access_token, token_type, expires_in} -> tokens; 400 invalid_grant -> SignedOutError (the server
// deleted the cookie: sign in again); 503 -> retried after Retry-After with the same cookie (safe within grace).

export class SignedOutError extends Error {
  constructor(message) { super(message); this.name = 'SignedOutError'; }
}

export function createRefresher(options = {}) {
  const {
    url = '/cookie/refresh',
    lockName = 'rotation-engine-refresh',
    header = 'X-Rotation-Refresh',
    useLocks = true,            // false only to demonstrate the hazard
    singleFlight = true,        // false: every caller sends its own request (to model independent tabs)
    refreshEarlySeconds = 30,
    maxAttempts = 4,
    maxRetryDelayMs = 2000,
    fetchImpl = (...args) => fetch(...args),
  } = options;

  let current = null;           // { accessToken, tokenType, expiresAt (ms) }
  let inFlight = null;

  async function post() {
    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await fetchImpl(url, { method: 'POST', credentials: 'same-origin', cache: 'no-store', headers: { [header]: '1' } });
      } catch (networkError) {
        if (attempt >= maxAttempts) throw networkError;
        await sleep(Math.min(200 * 2 ** (attempt - 1), maxRetryDelayMs));
        continue;
      }
      if (response.ok) {
        const body = await response.json();
        return { accessToken: body.access_token, tokenType: body.token_type, expiresAt: Date.now() + body.expires_in * 1000 };
      }
      if (response.status === 503 || response.status === 429) {
        if (attempt >= maxAttempts) throw new Error(`refresh unavailable (${response.status})`);
        const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
        await sleep(Math.min(Number.isFinite(retryAfter) ? retryAfter * 1000 : 200 * 2 ** (attempt - 1), maxRetryDelayMs));
        continue;
      }
      let error = `HTTP ${response.status}`;
      try { error = (await response.json()).error ?? error; } catch { /* not JSON */ }
      if (error === 'invalid_grant') throw new SignedOutError('The session has ended: sign in again.');
      throw new Error(`refresh refused (${error})`);
    }
  }

  async function refreshNow() {
    const run = async () => { current = await post(); return current; };
    if (useLocks && globalThis.navigator?.locks) {
      return navigator.locks.request(lockName, { mode: 'exclusive' }, run);
    }
    return run();
  }

  function refresh() {
    if (!singleFlight) return refreshNow();
    if (!inFlight) inFlight = refreshNow().finally(() => { inFlight = null; });
    return inFlight;
  }

  async function getAccessToken() {
    if (current && Date.now() < current.expiresAt - refreshEarlySeconds * 1000) return current;
    return refresh();
  }

  return { refresh, getAccessToken, forget() { current = null; }, get current() { return current; } };
}

function sleep(ms) { return new Promise(resolve => setTimeout(resolve, ms)); }
