// Sign-in. Development: a demo user's token from POST /dev/token (absent in production).
// Production: OpenID Connect authorization code + PKCE against the configured issuer.
// The token lives in sessionStorage only (gone when the tab closes); sign-out removes it. Never persistent storage.
const KEY = 'familiehub.session';
const PKCE_KEY = 'familiehub.pkce';

let config = null;

export async function loadConfig() {
  if (!config) {
    const response = await fetch('/app/config.json', { headers: { Accept: 'application/json' } });
    config = await response.json();
  }
  return config;
}

export function session() {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function store(value) {
  sessionStorage.setItem(KEY, JSON.stringify(value));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(PKCE_KEY);
}

export async function devUsers() {
  const cfg = await loadConfig();
  const response = await fetch(cfg.devUsersUrl, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error('Kunne ikke hente demobrugere');
  return (await response.json()).users;
}

export async function devSignIn(username) {
  const cfg = await loadConfig();
  const response = await fetch(cfg.devTokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username }),
  });
  if (!response.ok) throw new Error('Log ind mislykkedes');
  const body = await response.json();
  store({ token: body.token, username: body.username, role: body.role });
  return session();
}

function base64url(bytes) {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function discovery(issuer) {
  const response = await fetch(issuer.replace(/\/$/, '') + '/.well-known/openid-configuration');
  if (!response.ok) throw new Error('Kunne ikke hente OIDC-konfigurationen');
  return response.json();
}

export async function oidcSignIn() {
  const cfg = await loadConfig();
  const meta = await discovery(cfg.issuer);
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: location.origin + '/app/callback',
    scope: cfg.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

export async function oidcCallback(params) {
  const cfg = await loadConfig();
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || 'null');
  sessionStorage.removeItem(PKCE_KEY);
  if (!saved || params.get('state') !== saved.state) throw new Error('Ugyldigt svar fra log ind (state)');
  const meta = await discovery(cfg.issuer);
  const response = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') || '',
      redirect_uri: location.origin + '/app/callback',
      client_id: cfg.clientId,
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) throw new Error('Log ind mislykkedes');
  const body = await response.json();
  store({ token: body.access_token, username: null, role: null });
  return session();
}

export function rememberViewer(viewer) {
  const current = session();
  if (current) store({ ...current, username: viewer.username, role: viewer.role, personId: viewer.personId });
}
