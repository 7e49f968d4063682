// The Models panel: a model's versions with their metrics, labels and traffic (GET /v1/models/{name}),
// its learning curves, and for admins the changes: move stable (promote, roll back), make or end the
// canary (PUT/DELETE /v1/models/{name}/labels/{label}), the promotion policy with the canary's share
// (PUT /v1/models/{name}/policy) and deleting a version no label names (DELETE /v1/models/{name}/versions/{v}). What the workers serve is what the panel shows: after a change it
// reads the model again until the workers report the new labels.
import { json, call, modelPath } from './api.js';
import { $, el, showError, hideError, fixed, percent, ms, every } from './dom.js';
import { mayDo } from './token.js';

const POLL_MS = 500;
const SETTLE_MS = 15000;
/** Whether the workers listed any model: without one there is nothing to ask about (no 404s in the console). */
let listed = false;
let shown = null;
/** What the table was last drawn from: unchanged figures leave it (and a button about to be clicked) alone. */
let drawn = '';
let curvesUrl = null;

export function initLifecycle() {
  $('#lifecycle-model').addEventListener('change', () => load());
  $('#lifecycle-refresh').addEventListener('click', () => load());
  $('#policy-form').addEventListener('submit', (e) => {
    e.preventDefault();
    savePolicy();
  });
  window.addEventListener('convnet:identity', () => render());
  every(10000, () => load(true));
}

/** The model list arrived (models.js): show the chosen model, or nothing when none is served. */
export function modelsListed(models) {
  listed = models.length > 0;
  if (listed) {
    load();
  } else {
    shown = null;
    render();
  }
}

/** Reads the chosen model and draws it; quiet: a failure of a periodic refresh keeps what is shown. */
export async function load(quiet = false) {
  const name = $('#lifecycle-model').value;
  if (!name || !listed) return null;
  try {
    const model = await json(modelPath(name));
    shown = model;
    hideError($('#lifecycle-error'));
    render();
    return model;
  } catch (e) {
    if (!quiet) {
      shown = null;
      render();
      showError($('#lifecycle-error'), e, 'Model ' + name);
    }
    return null;
  }
}

function render() {
  const section = $('#lifecycle');
  const admin = mayDo('admin');
  section.dataset.admin = String(admin);
  $('#lifecycle-who').textContent = admin ? 'you may move labels, set the policy and delete versions no label names'
    : 'moving labels needs an admin token (Token field above)';
  const m = shown;
  section.dataset.model = m ? m.name : '';
  section.dataset.revision = m ? String(m.labelsRevision || 0) : '';
  $('#lifecycle-empty').hidden = !!m;
  $('#lifecycle-body').hidden = !m;
  if (!m) return;
  const labels = m.versionLabels || {};
  const stable = labels.stable || 0;
  const canary = labels.canary || 0;
  const state = JSON.stringify([admin, m.versions, labels]);
  if (state !== drawn) {
    drawn = state;
    $('#versions-table tbody').replaceChildren(...[...m.versions].reverse()
      .map((v) => versionRow(m, v, stable, canary, admin)));
  }
  renderPolicy(m, admin);
  renderCanary(m);
}

function versionRow(m, v, stable, canary, admin) {
  const metrics = v.metrics || {};
  const t = v.traffic || {};
  const actions = [];
  if (admin && v.version !== stable) {
    const older = v.version < stable;
    actions.push(button(older ? 'Roll back to v' + v.version : 'Promote v' + v.version, older ? 'rollback' : 'promote',
      () => move(m.name, 'stable', v.version)));
  }
  if (admin && v.version !== stable && v.version !== canary) {
    actions.push(button('Make canary', 'canary', () => move(m.name, 'canary', v.version)));
  }
  if (admin && v.version === canary) {
    actions.push(button('End canary', 'end-canary', () => removeLabel(m.name, 'canary')));
  }
  if (admin && (v.versionLabels || []).length === 0) {
    actions.push(button('Delete', 'delete', () => deleteVersion(m.name, v.version), 'danger'));
  }
  actions.push(button('Curves', 'curves', () => showCurves(m.name, v.version), 'ghost'));
  return el('tr', { dataset: { version: String(v.version), labels: (v.versionLabels || []).join(' '), state: v.state } },
    el('td', {}, el('strong', { text: 'v' + v.version })),
    el('td', {}, ...(v.versionLabels || []).map((l) => el('span', { class: 'badge label-' + l, text: l }))),
    el('td', { text: v.state + (v.served ? ' (served)' : '') }),
    el('td', { class: 'num', text: fixed(metrics.val_accuracy, 4) }),
    el('td', { class: 'num', text: fixed(metrics.val_loss, 4) }),
    el('td', { text: v.createdAt ? new Date(v.createdAt).toLocaleString() : '-' }),
    el('td', { class: 'num traffic-requests', text: t.requests === undefined ? '-' : String(t.requests) }),
    el('td', { class: 'num', text: t.errors === undefined ? '-' : String(t.errors) }),
    el('td', { class: 'num', text: ms(t.meanLatencyMs) }),
    el('td', { class: 'num traffic-agreement', text: typeof t.agreement === 'number'
      ? percent(t.agreement) + ' of ' + t.comparisons : '-' }),
    el('td', { class: 'actions' }, ...actions));
}

function button(text, action, onclick, kind = 'small') {
  return el('button', { type: 'button', class: kind === 'small' ? 'small' : 'small ' + kind, text,
    dataset: { action }, onclick });
}

function renderPolicy(m, admin) {
  const p = m.policy || { mode: 'manual', canaryShare: 0.1, shadowShare: 1, tolerance: 0.01, floor: 0.5 };
  const form = $('#policy-form');
  form.hidden = !admin;
  if (admin && !form.contains(document.activeElement)) {
    form.elements.mode.value = p.mode;
    form.elements.canaryShare.value = Math.round(p.canaryShare * 1000) / 10;
    form.elements.shadowShare.value = Math.round(p.shadowShare * 1000) / 10;
    form.elements.tolerance.value = p.tolerance;
    form.elements.floor.value = p.floor;
  }
  $('#policy-text').textContent = 'Policy: ' + p.mode + (p.mode === 'auto' ? ' (promote at validation accuracy >= '
    + 'stable\'s - ' + p.tolerance + ' and >= ' + p.floor + ')' : '') + (p.mode === 'manual'
    ? ' (a new version waits to be promoted)' : '') + '; canary share ' + percent(p.canaryShare)
    + ', shadow-scored ' + percent(p.shadowShare) + (m.policy ? '' : ' (defaults: no labels kept yet)');
}

function renderCanary(m) {
  const c = m.canary;
  const box = $('#canary-summary');
  box.hidden = !c;
  if (!c) return;
  box.dataset.share = String(c.share);
  box.dataset.observedShare = c.observedShare === null ? '' : String(c.observedShare);
  box.dataset.agreement = c.agreement === null ? '' : String(c.agreement);
  box.textContent = 'Canary v' + c.version + ' beside stable v' + c.stable + ': share ' + percent(c.share)
    + (c.observedShare === null ? '' : ' (observed ' + percent(c.observedShare) + ')') + ', ' + c.requests
    + ' requests, ' + c.errors + ' errors, agreement with stable '
    + (c.agreement === null ? '- (nothing compared yet)' : percent(c.agreement) + ' of ' + c.comparisons + ' compared');
}

async function move(name, label, version) {
  await change('PUT', name, '/labels/' + label, { version }, label + ' → v' + version);
}

async function removeLabel(name, label) {
  await change('DELETE', name, '/labels/' + label, null, label + ' removed');
}

async function deleteVersion(name, version) {
  if (!confirm('Delete v' + version + ' of ' + name + '? Its files leave the model store; requests for it get 404.')) {
    return;
  }
  await change('DELETE', name, '/versions/' + version, null, 'v' + version + ' deleted');
}

async function savePolicy() {
  const f = $('#policy-form').elements;
  const policy = {
    mode: f.mode.value, canaryShare: Number(f.canaryShare.value) / 100, shadowShare: Number(f.shadowShare.value) / 100,
    tolerance: Number(f.tolerance.value), floor: Number(f.floor.value),
  };
  await change('PUT', shown.name, '/policy', policy, 'policy ' + policy.mode + ', canary share '
    + percent(policy.canaryShare));
}

/** One change through the gateway (a trainer keeps it), then the model read again until the workers show it. */
async function change(method, name, path, body, what) {
  const status = $('#lifecycle-status');
  hideError($('#lifecycle-error'));
  for (const b of document.querySelectorAll('#lifecycle button')) b.disabled = true;
  status.textContent = what + '…';
  try {
    const state = await json(modelPath(name) + path, body === null ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const until = Date.now() + SETTLE_MS;
    let model = await load(true);
    while ((!model || (model.labelsRevision || 0) < state.revision) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      model = await load(true);
    }
    status.textContent = what + ' (by ' + state.updatedBy + ')';
    status.dataset.revision = String(state.revision);
    window.dispatchEvent(new Event('convnet:labels'));
  } catch (e) {
    status.textContent = '';
    showError($('#lifecycle-error'), e, what);
  } finally {
    for (const b of document.querySelectorAll('#lifecycle button')) b.disabled = false;
  }
}

async function showCurves(name, version) {
  const figure = $('#lifecycle-curves');
  try {
    const blob = await (await call(modelPath(name, version) + '/learning-curves.png')).blob();
    if (curvesUrl) URL.revokeObjectURL(curvesUrl);
    curvesUrl = URL.createObjectURL(blob);
    $('#lifecycle-curves img').src = curvesUrl;
    $('#lifecycle-curves img').alt = 'Learning curves of ' + name + ' v' + version;
    $('#lifecycle-curves figcaption').textContent = 'Learning curves of ' + name + ' v' + version
      + ' (loss and accuracy per epoch, training and validation)';
    figure.dataset.version = String(version);
    figure.hidden = false;
    hideError($('#lifecycle-error'));
  } catch (e) {
    figure.hidden = true;
    showError($('#lifecycle-error'), e, 'Curves of v' + version);
  }
}
