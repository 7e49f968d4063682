// Training: start a job (POST /v1/training-jobs), list and cancel jobs, and follow one live through
// its server-sent events (/v1/training-jobs/{id}/events): learning curves, batch progress, the ending.
import { json, call } from './api.js';
import { $, el, showError, hideError, setProgress, fixed, percent, time, every } from './dom.js';
import { LineChart } from './charts.js';

const NUMBERS = ['epochs', 'batchSize', 'learningRate', 'seed', 'maxImagesPerClass', 'imageSize', 'patience'];
const ENDED = ['succeeded', 'failed', 'cancelled'];

let lossChart;
let accuracyChart;
/** The job on screen: its id, its EventSource, its epochs by number, the running point. */
let watched = null;

export function initTraining({ onPublished }) {
  lossChart = new LineChart($('#chart-loss'), { name: 'Loss', clamp: [0, Infinity], format: (y) => fixed(y, 2) });
  accuracyChart = new LineChart($('#chart-accuracy'), { name: 'Accuracy', clamp: [0, 1], format: (y) => fixed(y, 2) });
  $('#train-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submit(e.target);
  });
  $('#train-form [name="architecture"]').addEventListener('change', (e) => fillDefaults(e.target.value.trim()));
  loadDefaults();
  $('#jobs-refresh').addEventListener('click', loadJobs);
  $('#jobs-state').addEventListener('change', loadJobs);
  $('#job-cancel').addEventListener('click', () => watched && cancel(watched.id));
  onPublishedCallback = onPublished;
  every(5000, loadJobs);
  // A link to a job (#job=<id>, as the address bar shows while one is watched) opens it.
  const linked = /^#job=([\w.-]+)$/.exec(location.hash);
  if (linked) {
    watch(linked[1]);
    $('#job-view').scrollIntoView();
  }
}

let onPublishedCallback = () => {};

/** Each architecture's job defaults, by id (GET /v1/training-jobs/defaults): what the form offers and fills in. */
let defaults = {};

async function loadDefaults() {
  try {
    defaults = (await json('/v1/training-jobs/defaults')).architectures;
    $('#architectures').replaceChildren(...Object.keys(defaults).map((a) => el('option', { value: a })));
  } catch (e) {
    // the form keeps the tutorial's values, and any architecture can still be typed in
  }
}

/** Picking an architecture fills the form with its job's defaults (LeNet-5: the mnist folder, Adam, ...). */
function fillDefaults(architecture) {
  const spec = defaults[architecture];
  if (!spec) return;
  const form = $('#train-form');
  for (const [name, value] of Object.entries(spec)) {
    const input = form.querySelector(`[name="${name}"]`);
    if (!input || name === 'architecture') continue;
    if (input.type === 'checkbox') input.checked = !!value;
    else input.value = String(value);
  }
}

async function submit(form) {
  const error = $('#train-error');
  hideError(error);
  const spec = {};
  for (const input of form.querySelectorAll('input[name], select[name]')) {
    if (input.type === 'checkbox') spec[input.name] = input.checked;
    else if (NUMBERS.includes(input.name)) spec[input.name] = Number(input.value);
    else spec[input.name] = input.value.trim();
  }
  const button = $('#train-submit');
  button.disabled = true;
  try {
    const job = await json('/v1/training-jobs', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec),
    });
    await loadJobs();
    watch(job.id);
  } catch (e) {
    showError(error, e, 'The job was not started');
  } finally {
    button.disabled = false;
  }
}

export async function loadJobs() {
  const error = $('#jobs-error');
  const state = $('#jobs-state').value;
  try {
    const list = await json('/v1/training-jobs?limit=50' + (state ? '&state=' + state : ''));
    hideError(error);
    renderJobs(list.jobs);
  } catch (e) {
    showError(error, e, 'Job list');
  }
}

function renderJobs(jobs) {
  const rows = jobs.map((job) => {
    const spec = job.spec || {};
    const ended = ENDED.includes(job.state);
    const epochs = (job.epochsCompleted || 0) + ' / ' + ((job.data && job.data.epochs) || spec.epochs || '?');
    return el('tr', { dataset: { jobId: job.id, state: job.state }, class: watched && watched.id === job.id ? 'selected' : '' },
      el('td', {}, el('code', { text: job.id })),
      el('td', { text: spec.model || '-' }),
      el('td', {}, badge(job.state, job.cancelRequested && !ended ? 'cancel requested' : '')),
      el('td', { class: 'num', text: epochs }),
      el('td', { text: time(job.submittedMs) }),
      el('td', {},
        el('button', { type: 'button', class: 'small', text: 'Watch', 'aria-label': 'Watch job ' + job.id,
          onclick: () => watch(job.id) }),
        ended ? null : el('button', { type: 'button', class: 'small danger', text: 'Cancel',
          'aria-label': 'Cancel job ' + job.id, onclick: () => cancel(job.id) })));
  });
  $('#jobs-table tbody').replaceChildren(...rows);
  $('#jobs-empty').hidden = jobs.length > 0;
}

function badge(state, extra) {
  return el('span', { class: 'badge ' + state, text: state + (extra ? ' (' + extra + ')' : '') });
}

async function cancel(id) {
  const error = $('#jobs-error');
  try {
    await call('/v1/training-jobs/' + encodeURIComponent(id), { method: 'DELETE' });
    hideError(error);
    if (watched && watched.id === id) {
      $('#job-view').dataset.cancelRequested = 'true';
      $('#job-cancel').disabled = true;
      $('#job-stream').textContent = 'cancel requested: the trainer stops at its next step';
    }
  } catch (e) {
    showError(error, e, 'Cancel ' + id);
  }
  loadJobs();
}

/** Shows job `id` and follows its events; the replay brings the epochs so far. */
export function watch(id) {
  if (watched && watched.source) watched.source.close();
  watched = { id, epochs: new Map(), live: null, planned: 0, source: null };
  history.replaceState(null, '', '#job=' + encodeURIComponent(id));
  const view = $('#job-view');
  view.hidden = false;
  view.dataset.jobId = id;
  delete view.dataset.cancelRequested;
  $('#job-id').textContent = id;
  $('#job-summary').textContent = '';
  $('#job-message').textContent = '';
  $('#job-message').className = '';
  $('#job-cancel').disabled = false;
  $('#epoch-table tbody').replaceChildren();
  setState('queued');
  setProgress($('#job-progress'), 0);
  $('#job-progress-text').textContent = '';
  lossChart.reset();
  accuracyChart.reset();
  $('#chart-loss').dataset.points = '0';
  $('#chart-accuracy').dataset.points = '0';
  for (const row of document.querySelectorAll('#jobs-table tbody tr')) {
    row.classList.toggle('selected', row.dataset.jobId === id);
  }

  const source = new EventSource('/v1/training-jobs/' + encodeURIComponent(id) + '/events');
  watched.source = source;
  const mine = watched;
  const on = (name, fn) => source.addEventListener(name, (e) => {
    if (watched === mine) fn(JSON.parse(e.data));
  });
  source.onopen = () => { if (watched === mine) $('#job-stream').textContent = 'live'; };
  source.onerror = () => {
    if (watched !== mine) return;
    $('#job-stream').textContent = source.readyState === EventSource.CLOSED ? 'stream closed' : 'reconnecting…';
  };
  on('submitted', (e) => summary(e.job, null));
  on('started', (e) => {
    mine.planned = e.epochs;
    mine.started = e;
    setState('running');
    summary(null, e);
    if (e.resumedFromEpoch) note('interrupted', 'Resumed from the checkpoint of epoch ' + e.resumedFromEpoch + '.');
    redraw();
  });
  on('progress', (e) => {
    setState('running');
    mine.live = { x: e.epoch - 1 + e.batch / e.batches, loss: e.loss, accuracy: e.accuracy };
    progress(e.epoch - 1 + e.batch / e.batches, 'epoch ' + e.epoch + ' of ' + (mine.planned || '?') + ' · batch '
      + e.batch + '/' + e.batches + ' · loss ' + fixed(e.loss) + ' · accuracy ' + percent(e.accuracy)
      + ' · ' + Math.round(e.imagesPerSecond) + ' images/s');
    redraw();
  });
  on('epoch', (e) => {
    setState('running');
    mine.planned = e.epochs || mine.planned;
    mine.epochs.set(e.epoch, e);
    if (mine.live && mine.live.x <= e.epoch) mine.live = null;
    progress(e.epoch, 'epoch ' + e.epoch + ' of ' + mine.planned + ' done · loss ' + fixed(e.loss) + ' · val. loss '
      + fixed(e.valLoss) + ' · val. accuracy ' + percent(e.valAccuracy) + ' · ' + fixed(e.seconds, 1) + ' s');
    epochRow(e);
    redraw();
  });
  on('published', (e) => {
    end(source, 'succeeded');
    note('succeeded', 'Published ' + e.model + ' version ' + e.version + ': validation accuracy '
      + percent(e.valAccuracy) + ', loss ' + fixed(e.valLoss) + ' (best epoch ' + e.bestEpoch + ' of ' + e.epochsRun
      + (e.stoppedEarly ? ', stopped early' : '') + ', ' + Math.round(e.seconds) + ' s). It is served as soon as the workers load it.');
    onPublishedCallback(e);
  });
  on('failed', (e) => {
    end(source, 'failed');
    note('failed', 'Failed (' + e.error.code + '): ' + e.error.message);
  });
  on('cancelled', (e) => {
    end(source, 'cancelled');
    note('cancelled', 'Cancelled after ' + e.epoch + (e.epoch === 1 ? ' epoch.' : ' epochs.'));
  });
  on('interrupted', (e) => {
    setState('queued');
    note('interrupted', 'The trainer stopped (' + e.reason + '); the job waits for a trainer and resumes after epoch '
      + e.epoch + '.');
  });
}

function end(source, state) {
  source.close();
  setState(state);
  watched.live = null;
  redraw();
  $('#job-stream').textContent = 'ended';
  loadJobs();
}

function setState(state) {
  const view = $('#job-view');
  view.dataset.state = state;
  $('#job-state').replaceWith(Object.assign(badge(state), { id: 'job-state' }));
  $('#job-cancel').hidden = ENDED.includes(state);
}

function note(kind, text) {
  const message = $('#job-message');
  message.className = kind;
  message.textContent = text;
}

function summary(spec, started) {
  const parts = [];
  if (spec) {
    watched.spec = spec;
    watched.planned = watched.planned || spec.epochs;
  }
  const s = watched.spec;
  if (s) {
    parts.push(s.model + ' · ' + s.architecture + ' on ' + s.dataDir, s.epochs + ' epochs of batch ' + s.batchSize,
      s.optimizer + ' ' + s.learningRate + (s.augment ? ' · augmented' : ''));
  }
  const d = started || watched.started;
  if (d) {
    parts.push(d.trainImages + ' training / ' + d.validationImages + ' validation images (' + d.labels.join(', ')
      + ')', d.parameters.toLocaleString() + ' parameters', d.imageSize + ' px');
  }
  $('#job-summary').textContent = parts.join(' · ');
  redraw();
}

function progress(epochsDone, text) {
  setProgress($('#job-progress'), watched.planned ? epochsDone / watched.planned : 0);
  $('#job-progress-text').textContent = text;
}

function epochRow(e) {
  const body = $('#epoch-table tbody');
  const existing = body.querySelector('tr[data-epoch="' + e.epoch + '"]');
  const row = el('tr', { dataset: { epoch: String(e.epoch) } },
    el('td', { class: 'num', text: e.epoch + (e.best ? ' ★' : '') }), el('td', { class: 'num', text: fixed(e.loss) }),
    el('td', { class: 'num', text: percent(e.accuracy) }), el('td', { class: 'num', text: fixed(e.valLoss) }),
    el('td', { class: 'num', text: percent(e.valAccuracy) }), el('td', { class: 'num', text: fixed(e.seconds, 1) }));
  if (existing) existing.replaceWith(row);
  else body.append(row);
}

function redraw() {
  const epochs = [...watched.epochs.values()].sort((a, b) => a.epoch - b.epoch);
  const live = watched.live;
  lossChart.set(epochs.map((e) => ({ x: e.epoch, train: e.loss, val: e.valLoss })),
    live && { x: live.x, y: live.loss }, watched.planned);
  accuracyChart.set(epochs.map((e) => ({ x: e.epoch, train: e.accuracy, val: e.valAccuracy })),
    live && { x: live.x, y: live.accuracy }, watched.planned);
}
