// dpop.js: the browser half of DPoP-bound refresh tokens (RFC 9449) with RotationEngine.AspNetCore's AddDPoP().
//
// The page holds an ECDSA P-256 key made by WebCrypto with extractable = false: script in the page can ask it to sign,
// but nobody (this page, an injected script, the user) can read the private key out. The CryptoKeyPair is kept in
// IndexedDB, whose structured clone stores the key as it is (still non-extractable), so the next visit signs with the
// same key and the family stays bound to it. Every request to the token endpoint (and the sign-in) carries a fresh
// DPoP proof: a compact JWS with header {typ: 'dpop+jwt', alg: 'ES256', jwk: {kty, crv, x, y}} and claims
// {jti, htm, htu, iat, nonce?}. The server seals the key's RFC 7638 thumbprint into the family at sign-in and wants a
// proof of that key at every rotation.
//
// So the refresh token may sit where any script of the origin can read it (here, next to the key in IndexedDB): a copy
// of it (read by XSS, a browser extension, a backup, a synced profile) is worthless without the key; presented with
// another key, or with none to a client that requires binding, it is refused, and another key's proof revokes the
// family on the spot (docs/dpop.md, the threat table). Not localStorage: Chromium hands one tab's localStorage writes
// to the other tabs asynchronously, so a tab that took the lock right after another tab's rotation could read the
// retired token (two tabs refreshing ten times each at once: 2 to 6 of the 20 refreshes were grace replays in four
// runs with localStorage, none in four with IndexedDB, whose reads see every committed write).
//
//   const client = await createDPoPClient({ clientId: 'spa-dpop' });
//   await client.signIn('alice');                          // POST /signin with a proof: the family is bound to the key
//   const { accessToken, tokenType } = await client.refresh();   // POST /oauth/token with a fresh proof; 'DPoP'
//
// Nonces (RFC 9449 §8): the latest DPoP-Nonce header is remembered and put in every proof; a 400 use_dpop_nonce with a
// DPoP-Nonce is retried once, at once, with a new proof carrying it. Concurrency: within a page, concurrent refresh()
// calls share one request (single-flight); across tabs the Web Locks API serializes refreshes, and the refresh token is
// read from IndexedDB inside the lock, so a tab that waited sends the token the previous holder stored.
//
// Answers: 200 -> tokens (the new refresh token replaces the stored one); 400 invalid_grant -> SignedOutError (the
// stored token is forgotten: sign in again); 503/429 -> retried after Retry-After with a fresh proof and the same
// refresh token (safe within the server's grace); anything else -> DPoPRequestError with the OAuth error code.

const DB_NAME = 'rotation-engine-dpop';
const DB_STORE = 'session';
const DB_KEY = 'key-pair';
const DB_TOKEN = 'refresh-token';

export class SignedOutError extends Error {
  constructor(message) { super(message); this.name = 'SignedOutError'; this.code = 'invalid_grant'; }
}

export class DPoPRequestError extends Error {
  constructor(code, status, description) {
    super(`${code} (HTTP ${status})${description ? `: ${description}` : ''}`);
    this.name = 'DPoPRequestError';
    this.code = code;
    this.status = status;
  }
}

// --- the key: made once, non-extractable, kept in IndexedDB ---------------------------------------------------------

let database = null;

function openDb() {
  database ??= openDbOnce().catch(e => { database = null; throw e; });
  return database;
}

function openDbOnce() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(DB_STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function dbCall(db, mode, call) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(DB_STORE, mode);
    const request = call(tx.objectStore(DB_STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** The stored CryptoKeyPair, or a new non-extractable P-256 pair stored for the next visit. */
export async function loadOrCreateKeyPair({ lockName = 'rotation-engine-dpop-key' } = {}) {
  const run = async () => {
    const db = await openDb();
    const stored = await dbCall(db, 'readonly', s => s.get(DB_KEY));
    if (stored?.privateKey && stored?.publicKey) return stored;
    // extractable = false applies to the private key; a public key is always exportable (that is how jwk is made).
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    await dbCall(db, 'readwrite', s => s.put(pair, DB_KEY));
    return pair;
  };
  // Two tabs opening at once must not make two keys (the second would overwrite the first's binding).
  return globalThis.navigator?.locks ? navigator.locks.request(lockName, run) : run();
}

/** Deletes the stored key: the next loadOrCreateKeyPair makes a new one (families bound to the old key are lost). */
export async function forgetKeyPair() {
  await dbCall(await openDb(), 'readwrite', s => s.delete(DB_KEY));
}

/** The stored refresh token (readable by any script of the origin, on purpose: it is worthless without the key). */
export const refreshTokenStore = {
  async get() { return (await dbCall(await openDb(), 'readonly', s => s.get(DB_TOKEN))) ?? null; },
  async set(token) { await dbCall(await openDb(), 'readwrite', s => s.put(token, DB_TOKEN)); },
  async delete() { await dbCall(await openDb(), 'readwrite', s => s.delete(DB_TOKEN)); },
};

// --- proofs -------------------------------------------------------------------------------------------------------

const encoder = new TextEncoder();

export function base64Url(bytes) {
  let binary = '';
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const base64UrlJson = value => base64Url(encoder.encode(JSON.stringify(value)));

/** The public key as a proof's jwk header carries it: the RFC 7638 required members only. */
export async function publicJwk(publicKey) {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
  return { kty, crv, x, y };
}

/** The RFC 7638 SHA-256 thumbprint (base64url) of an EC public jwk: the binding the server records. */
export async function jwkThumbprint({ crv, kty, x, y }) {
  // Members in lexicographic order, no whitespace (RFC 7638 §3.2).
  const canonical = JSON.stringify({ crv, kty, x, y });
  return base64Url(await crypto.subtle.digest('SHA-256', encoder.encode(canonical)));
}

/** The htu of a request: the absolute URL without query and fragment (RFC 9449 §4.2). */
export function proofUri(url) {
  const u = new URL(url, location.href);
  u.search = '';
  u.hash = '';
  return u.href;
}

/** One proof for one request: fresh jti, iat now, the server nonce when there is one. */
export async function createProof({ privateKey, jwk }, method, url, nonce) {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk };
  const payload = {
    jti: base64Url(crypto.getRandomValues(new Uint8Array(16))),
    htm: method,
    htu: proofUri(url),
    iat: Math.floor(Date.now() / 1000),
  };
  if (nonce) payload.nonce = nonce;
  const input = `${base64UrlJson(header)}.${base64UrlJson(payload)}`;
  // WebCrypto's ECDSA signature is already r || s (64 bytes for P-256), the JWS form (RFC 7518 §3.4): no DER to undo.
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, encoder.encode(input));
  return `${input}.${base64Url(signature)}`;
}

// --- the client ---------------------------------------------------------------------------------------------------

export async function createDPoPClient(options = {}) {
  const {
    clientId = 'spa-dpop',
    signInUrl = '/signin',
    tokenUrl = '/oauth/token',
    revocationUrl = '/oauth/revoke',
    lockName = 'rotation-engine-dpop-refresh',
    useLocks = true,
    maxAttempts = 4,
    maxRetryDelayMs = 2000,
    fetchImpl = (...args) => fetch(...args),
  } = options;

  const keyPair = await loadOrCreateKeyPair();
  const jwk = await publicJwk(keyPair.publicKey);
  const thumbprint = await jwkThumbprint(jwk);
  const signer = { privateKey: keyPair.privateKey, jwk };
  const stats = { requests: 0, nonceRetries: 0 };
  let nonce = null;             // the latest DPoP-Nonce the server sent
  let current = null;           // { accessToken, tokenType, expiresAt (ms), scope }
  let inFlight = null;

  // POST a form with a fresh proof; one immediate retry when the server asks for (another) nonce.
  async function postWithProof(url, form) {
    for (let nonceRetry = 0; ; nonceRetry++) {
      const proof = await createProof(signer, 'POST', url, nonce);
      stats.requests++;
      const response = await fetchImpl(url, {
        method: 'POST',
        credentials: 'omit',      // the proof is the credential, not a cookie
        cache: 'no-store',
        headers: { DPoP: proof },
        body: new URLSearchParams(form),
      });
      nonce = response.headers.get('DPoP-Nonce') ?? nonce;
      if (response.status !== 400 || nonceRetry > 0 || !response.headers.has('DPoP-Nonce')) return response;
      const body = await response.clone().json().catch(() => ({}));
      if (body.error !== 'use_dpop_nonce') return response;
      stats.nonceRetries++;
    }
  }

  async function fail(response) {
    let body = {};
    try { body = await response.json(); } catch { /* not JSON */ }
    const code = body.error ?? `http_${response.status}`;
    if (code === 'invalid_grant') {
      await refreshTokenStore.delete();
      current = null;
      throw new SignedOutError('The session has ended: sign in again.');
    }
    throw new DPoPRequestError(code, response.status, body.error_description);
  }

  async function accept(body) {
    await refreshTokenStore.set(body.refresh_token);   // before the lock is released: the next holder reads it
    current = { accessToken: body.access_token, tokenType: body.token_type, expiresAt: Date.now() + body.expires_in * 1000, scope: body.scope };
    return current;
  }

  async function signIn(username, scope) {
    const form = { username, client_id: clientId };
    if (scope) form.scope = scope;
    const run = async () => {
      const response = await postWithProof(signInUrl, form);
      if (!response.ok) return fail(response);
      return accept(await response.json());
    };
    return useLocks && globalThis.navigator?.locks ? navigator.locks.request(lockName, run) : run();
  }

  async function rotateOnce() {
    const refreshToken = await refreshTokenStore.get();   // inside the lock: another tab may have rotated it
    if (!refreshToken) throw new SignedOutError('Not signed in.');
    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await postWithProof(tokenUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
      } catch (networkError) {
        if (attempt >= maxAttempts) throw networkError;
        await sleep(Math.min(200 * 2 ** (attempt - 1), maxRetryDelayMs));
        continue;
      }
      if (response.ok) return accept(await response.json());
      if ((response.status === 503 || response.status === 429) && attempt < maxAttempts) {
        const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
        await sleep(Math.min(Number.isFinite(retryAfter) ? retryAfter * 1000 : 200 * 2 ** (attempt - 1), maxRetryDelayMs));
        continue;
      }
      return fail(response);
    }
  }

  function refresh() {
    if (!inFlight) {
      const run = useLocks && globalThis.navigator?.locks ? navigator.locks.request(lockName, rotateOnce) : rotateOnce();
      inFlight = run.finally(() => { inFlight = null; });
    }
    return inFlight;
  }

  // RFC 7009: revoking the refresh token ends the family (no proof needed: revoking is what a thief cannot misuse).
  async function signOut() {
    const run = async () => {
      const refreshToken = await refreshTokenStore.get();
      await refreshTokenStore.delete();
      current = null;
      if (!refreshToken) return 200;
      const response = await fetchImpl(revocationUrl, {
        method: 'POST', credentials: 'omit', cache: 'no-store',
        body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token', client_id: clientId }),
      });
      return response.status;
    };
    return useLocks && globalThis.navigator?.locks ? navigator.locks.request(lockName, run) : run();
  }

  async function getAccessToken(refreshEarlySeconds = 30) {
    if (current && Date.now() < current.expiresAt - refreshEarlySeconds * 1000) return current;
    return refresh();
  }

  return {
    signIn,
    refresh,
    getAccessToken,
    /** A proof for another request (an API call would add ath, RFC 9449 §4.2, for its access token). */
    createProof: (method, url) => createProof(signer, method, url, nonce),
    signOut,
    thumbprint,
    jwk,
    keyPair,
    stats,
    get nonce() { return nonce; },
    get current() { return current; },
    readRefreshToken: () => refreshTokenStore.get(),
  };
}

function sleep(ms) { return new Promise(resolve => setTimeout(resolve, ms)); }
