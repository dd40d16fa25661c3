// The page's way to the API (/api/v1 on the same listener): the token from
// sessionStorage as `Authorization: Bearer`, errors as ApiError with the
// body's code and message, and the event stream read with fetch (EventSource
// cannot send the Authorization header).

const TOKEN_KEY = 'keel.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function headers(extra = {}) {
  const all = {Accept: 'application/json', ...extra};
  if (token()) all.Authorization = `Bearer ${token()}`;
  return all;
}

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    throw new ApiError(response.status, error.code || `http_${response.status}`,
      error.message || `the API answered ${response.status}`);
  }
  return body;
}

// GET /api/v1/PATH?QUERY (query: an object; empty values are left out).
export async function get(path, query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, value);
  }
  const search = params.toString();
  const response = await fetch(`/api/v1/${path}${search ? `?${search}` : ''}`, {headers: headers()});
  return answer(response);
}

export async function post(path, body) {
  const response = await fetch(`/api/v1/${path}`, {
    method: 'POST',
    headers: headers({'Content-Type': 'application/json'}),
    body: JSON.stringify(body),
  });
  return answer(response);
}

export function workspacePath(workspace, ...parts) {
  return ['workspaces', workspace, ...parts].map(encodeURIComponent).join('/');
}

// Follows the workspace's event stream until `signal` aborts, calling
// onEvent({seq, id, type, subject, time, actor}) for each event and
// onState(true|false) as the connection comes and goes. Reconnects after a
// drop with Last-Event-ID, so no event is missed or repeated.
export async function follow(workspace, signal, onEvent, onState) {
  let lastId = '';
  while (!signal.aborted) {
    try {
      const extra = {Accept: 'text/event-stream'};
      if (lastId) extra['Last-Event-ID'] = lastId;
      const response = await fetch(`/api/v1/${workspacePath(workspace, 'stream')}`,
        {headers: headers(extra), signal});
      if (!response.ok || !response.body) throw new ApiError(response.status, 'stream', 'no stream');
      onState(true);
      await readEvents(response.body.getReader(), (event) => {
        if (event.id) lastId = event.id;
        if (event.data) onEvent(event.data);
      });
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
        onState(false);
        return;  // no use retrying: the page asks for a token or another workspace
      }
    }
    onState(false);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// Parses text/event-stream (fields id, event, data; comment lines start with
// ':') into events, each handed over at its blank line.
async function readEvents(reader, onEvent) {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = {data: ''};
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, {stream: true});
    let end;
    while ((end = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (event.data) {
          try {
            event.data = JSON.parse(event.data);
          } catch {
            event.data = null;
          }
        }
        onEvent(event);
        event = {data: ''};
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') event.data += (event.data ? '\n' : '') + value;
        else if (field === 'id' || field === 'event') event[field] = value;
      }
    }
  }
}
