// The Token field: the bearer token this tab sends with every API call (sessionStorage only), checked
// against GET /v1/whoami so the page shows whose it is, or that it is not valid. Sections that offer
// what only some roles may do ask mayDo() and listen for 'convnet:identity'.
import { $ } from './dom.js';
import { json, token, setToken } from './api.js';

const RANKS = { reader: 1, trainer: 2, admin: 3 };
/** GET /v1/whoami's answer for this tab's token; null until known, or when the token is not valid. */
let me = null;

/** Whether the identity in use has `role` or a higher one (roles are ordered reader < trainer < admin). */
export function mayDo(role) {
  return !!me && (RANKS[me.role] || 0) >= RANKS[role];
}

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
    me = await json('/v1/whoami');
    if (me.auth === 'off') {
      state(status, 'off', 'access control off', 'warn');
    } else if (me.authenticated) {
      state(status, 'ok', me.subject + ' (' + (me.role || 'no role') + ')', 'ok');
    } else {
      state(status, 'none', me.read === 'reader' ? 'no token: reading needs one' : 'no token', '');
    }
  } catch (e) {
    me = null;
    state(status, 'bad', e.status === 401 ? 'token not valid' : 'token not checked (' + e.message + ')', 'bad');
  }
  window.dispatchEvent(new Event('convnet:identity'));
}

function state(status, name, text, kind) {
  status.dataset.state = name;
  status.textContent = text;
  status.className = 'pill' + (kind ? ' ' + kind : '');
}
