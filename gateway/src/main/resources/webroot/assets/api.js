// Calls to the gateway's API and how its errors read. Every error the gateway sends is
// {"error": {"status", "code", "message"}}; anything else (a proxy's page, no network) is described too.

/** An API error: HTTP status (0: no answer), the ErrorCode name, the server's message. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** True when the gateway has no route at all for the request (a feature not deployed here). */
  get noRoute() {
    return this.status === 404 && /^no route for /.test(this.message);
  }
}

/**
 * The API's path of a model, as every route names it: /v1/models/{name}, and /versions/{v} for
 * one version (without it the served version answers).
 */
export function modelPath(name, version) {
  return '/v1/models/' + encodeURIComponent(name) + (version ? '/versions/' + encodeURIComponent(version) : '');
}

const TOKEN_KEY = 'convnet.token';

/** The bearer token this tab uses ('' for none): kept in sessionStorage, gone when the tab closes. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * fetch() with the gateway's error shape and this tab's bearer token: resolves to the Response
 * when it is 2xx, rejects with an ApiError otherwise.
 */
export async function call(url, options = {}) {
  const headers = new Headers(options.headers || {});
  if (token() && !headers.has('authorization')) headers.set('authorization', 'Bearer ' + token());
  let response;
  try {
    response = await fetch(url, { ...options, headers });
  } catch (e) {
    throw new ApiError(0, 'UNREACHABLE', 'the gateway did not answer (' + e.message + ')');
  }
  if (response.ok) {
    return response;
  }
  throw await errorOf(response);
}

/** call() for a JSON answer. */
export async function json(url, options = {}) {
  const response = await call(url, options);
  return response.status === 204 ? null : response.json();
}

async function errorOf(response) {
  const retryAfter = response.headers.get('retry-after');
  let text = '';
  try {
    text = await response.text();
  } catch (e) {
    // the body is lost; the status still says something
  }
  try {
    const error = JSON.parse(text).error;
    if (error && error.message) {
      return new ApiError(error.status || response.status, error.code || '', error.message, retryAfter);
    }
  } catch (e) {
    // not JSON: fall through
  }
  const what = text && text.length < 200 && !/<html/i.test(text) ? text : response.statusText || 'no details';
  return new ApiError(response.status, 'HTTP_' + response.status, what, retryAfter);
}

/** A sentence that helps the user on top of the server's message, or ''. */
export function hintFor(error) {
  switch (error.status) {
    case 0: return 'Check that the gateway is running and reachable.';
    case 401:
      return 'This needs a token: paste one into the Token field at the top (./run.sh wrote an admin token to '
        + 'run/admin.token; ./token.sh makes more).';
    case 403: return 'The token in use lacks the role this needs: use a token with that role (./token.sh).';
    case 413: return 'The file is too large: images travel inline up to the gateway\'s limit (4 MiB by default).';
    case 415: return 'Only JPEG and PNG images can be classified.';
    case 503:
      return error.code === 'BUSY' ? 'The cluster is busy; try again in a moment.'
        : 'Try again' + (error.retryAfter ? ' in ' + error.retryAfter + ' s' : ' later') + '.';
    case 504: return 'No worker answered in time: is an inference worker (or visualizer) running?';
    default: return '';
  }
}
