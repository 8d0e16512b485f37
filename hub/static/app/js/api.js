// The public GraphQL API only: operations are the .graphql files under /app/operations/ (fetched, cached),
// sent over HTTP POST /graphql or graphql-transport-ws with the user's bearer token.
import { session } from './auth.js';

const documents = new Map();

export class ApiError extends Error {
  constructor(message, code, field = null) {
    super(message);
    this.code = code;
    this.field = field; // BAD_USER_INPUT names the input field it is about
  }
}

async function operationText(name) {
  if (!documents.has(name)) {
    documents.set(
      name,
      fetch(`/app/operations/${name}.graphql`).then((r) => {
        if (!r.ok) throw new ApiError(`Ukendt operation ${name}`, 'CLIENT');
        return r.text();
      }),
    );
  }
  return documents.get(name);
}

function authHeader() {
  const s = session();
  return s && s.token ? { Authorization: `Bearer ${s.token}` } : {};
}

export async function gql(name, variables = {}) {
  const query = await operationText(name);
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeader() },
      body: JSON.stringify({ query, variables, operationName: name }),
    });
  } catch {
    throw new ApiError('Hubben kunne ikke nås', 'NETWORK');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError('Uventet svar fra hubben', 'BAD_RESPONSE');
  }
  if (body.errors && body.errors.length && !body.data) {
    const first = body.errors[0];
    const ext = first.extensions || {};
    throw new ApiError(first.message, ext.code || 'ERROR', ext.field || null);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const ext = first.extensions || {};
    // A root field that failed as a whole (e.g. NOT_FOUND) leaves data null for it.
    const roots = Object.values(body.data || {});
    if (roots.length && roots.every((v) => v === null)) throw new ApiError(first.message, ext.code || 'ERROR', ext.field || null);
  }
  return body.data;
}

export async function download(path, filename) {
  const response = await fetch(path, { headers: authHeader() });
  if (!response.ok) throw new ApiError('Download mislykkedes', String(response.status));
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// graphql-transport-ws, one socket per subscription; reconnects with a growing pause until stopped.
export function subscribe(name, variables, onNext, onState = () => {}) {
  let socket = null;
  let stopped = false;
  let pause = 1000;
  const connect = async () => {
    const query = await operationText(name);
    if (stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    socket = new WebSocket(url, 'graphql-transport-ws');
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: authHeader() }));
    socket.onmessage = async (event) => {
      const text = typeof event.data === 'string' ? event.data : await event.data.text();
      const message = JSON.parse(text);
      if (message.type === 'connection_ack') {
        pause = 1000;
        onState('open');
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables, operationName: name } }));
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'next' && message.payload && message.payload.data) {
        onNext(message.payload.data);
      } else if (message.type === 'error') {
        onState('error');
      }
    };
    socket.onclose = () => {
      onState('closed');
      if (!stopped) {
        setTimeout(connect, pause);
        pause = Math.min(pause * 2, 30_000);
      }
    };
  };
  connect();
  return () => {
    stopped = true;
    if (socket && socket.readyState <= 1) socket.close(1000);
  };
}
