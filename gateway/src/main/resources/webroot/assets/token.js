// The Token field: the bearer token this tab sends with every API call (sessionStorage only), checked
// against GET /v1/whoami so the page shows whose it is, or that it is not valid.
import { $ } from './dom.js';
import { json, token, setToken } from './api.js';

export function initToken() {
  $('#token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('#token-input').value.trim();
    $('#token-input').value = '';
    use(value);
  });
  $('#token-forget').addEventListener('click', () => use(''));
  show();
}

/** Keeps the token and tells the page, whose sections load again with it. */
function use(value) {
  setToken(value);
  show();
  window.dispatchEvent(new Event('convnet:token'));
}

async function show() {
  const status = $('#token-status');
  $('#token-forget').hidden = !token();
  try {
    const me = await json('/v1/whoami');
    if (me.auth === 'off') {
      state(status, 'off', 'access control off', 'warn');
    } else if (me.authenticated) {
      state(status, 'ok', me.subject + ' (' + (me.role || 'no role') + ')', 'ok');
    } else {
      state(status, 'none', me.read === 'reader' ? 'no token: reading needs one' : 'no token', '');
    }
  } catch (e) {
    state(status, 'bad', e.status === 401 ? 'token not valid' : 'token not checked (' + e.message + ')', 'bad');
  }
}

function state(status, name, text, kind) {
  status.dataset.state = name;
  status.textContent = text;
  status.className = 'pill' + (kind ? ' ' + kind : '');
}
