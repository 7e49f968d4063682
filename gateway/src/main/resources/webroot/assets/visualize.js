// Visualize: feature maps, saliency and Grad-CAM of an image (PNG answers), and filter or class
// patterns by activation maximization (a job: 202 + status URL, polled until done, then its PNG).
import { call, json, ApiError, modelPath } from './api.js';
import { $, el, showError, hideError, setProgress } from './dom.js';
import { dropzone, preview } from './dropzone.js';
import { labelsOf, convLayersOf } from './models.js';

const POLL_MS = 1000;
let image = null;
let resultUrl = null;
let poll = null;  // {cancelled} of the job being polled
let defaultLayers = [];  // the datalist's names in the page, for a worker that does not list a model's layers

export function initVisualize() {
  defaultLayers = [...$('#layer-names').options].map((o) => o.value);
  dropzone($('#viz-drop'), $('#viz-file'), (files) => useImage(files[0]));
  $('#viz-model').addEventListener('change', fillLabels);
  $('#viz-feature-maps').addEventListener('click', () => explain('feature-maps'));
  $('#viz-saliency').addEventListener('click', () => explain('saliency'));
  $('#viz-grad-cam').addEventListener('click', () => explain('grad-cam'));
  $('#viz-filters').addEventListener('click', () => startJob('filters'));
  $('#viz-class-output').addEventListener('click', () => startJob('class'));
}

/** The image the synchronous visualizations explain (also set by Classify). */
export function useImage(file) {
  image = file;
  preview($('#viz-preview'), file);
}

/** Refills the class selectors from the chosen model's labels. */
export function fillLabels() {
  const labels = labelsOf($('#viz-model').value);
  const label = $('#viz-label');
  const previous = label.value;
  label.replaceChildren(el('option', { value: '', text: 'the predicted one' }),
    ...labels.map((l) => el('option', { value: l, text: l })));
  label.value = labels.includes(previous) ? previous : '';
  const cls = $('#viz-class');
  const previousClass = cls.value;
  cls.replaceChildren(...(labels.length ? labels : ['cat', 'dog']).map((l) => el('option', { value: l, text: l })));
  if ([...cls.options].some((o) => o.value === previousClass)) cls.value = previousClass;
  fillLayers(convLayersOf($('#viz-model').value));
}

/** The layer fields suggest the model's convolutions; the filter layer becomes one of them. */
function fillLayers(names) {
  const known = names.length ? names : defaultLayers;
  $('#layer-names').replaceChildren(...known.map((n) => el('option', { value: n })));
  $('#layer-names').dataset.source = names.length ? 'model' : 'default';
  if (!names.length) return;
  $('#viz-layers').placeholder = names.slice(0, 2).join(', ');
  const filterLayer = $('#viz-filter-layer');
  if (!names.includes(filterLayer.value.trim())) filterLayer.value = names[0];
}

/** The layer names a visualizer's 400 lists ("...; conv layers: a, b" or "...; layers of model 'm': a, b"). */
function layersNamedIn(message) {
  const m = /(?:conv layers|layers of model '[^']*'): ([\w.\-/]+(?:, [\w.\-/]+)*)\s*$/.exec(message || '');
  return m ? m[1].split(', ') : [];
}

function layers() {
  return $('#viz-layers').value.split(',').map((s) => s.trim()).filter(Boolean);
}

function vizModelPath() {
  return modelPath($('#viz-model').value);
}

async function explain(kind) {
  if (!image) {
    fail(new Error('Drop or choose an image first.'), 'No image');
    return;
  }
  const q = new URLSearchParams();
  const label = $('#viz-label').value;
  let what;
  if (kind === 'feature-maps') {
    if (layers().length) q.set('layers', layers().join(','));
    q.set('channels', $('#viz-channels').value || '8');
    what = 'Feature maps of ' + (layers().join(', ') || 'every convolutional layer');
  } else if (kind === 'saliency') {
    if (label) q.set('label', label);
    if ($('#viz-smooth').checked) q.set('smooth', 'true');
    what = ($('#viz-smooth').checked ? 'SmoothGrad saliency' : 'Saliency') + ' for ' + (label || 'the predicted class');
  } else {
    if (label) q.set('label', label);
    if (layers().length) q.set('layer', layers()[0]);
    what = 'Grad-CAM for ' + (label || 'the predicted class') + ' at ' + (layers()[0] || 'the last conv layer');
  }
  await busy(async () => {
    const started = performance.now();
    const response = await call(vizModelPath() + '/' + kind + '?' + q, {
      method: 'POST', body: image, headers: image.type ? { 'content-type': image.type } : {},
    });
    await showPng(response, what + ' · ' + image.name + ' · ' + ((performance.now() - started) / 1000).toFixed(1) + ' s',
      kind);
  });
}

async function startJob(kind) {
  if (poll) poll.cancelled = true;
  const mine = { cancelled: false };
  poll = mine;
  const q = new URLSearchParams();
  let url;
  let what;
  if (kind === 'filters') {
    const layer = $('#viz-filter-layer').value.trim();
    if (!layer) {
      fail(new Error('Name a convolutional layer, e.g. conv_1.'), 'No layer');
      return;
    }
    q.set('layers', layer);
    q.set('count', $('#viz-count').value || '8');
    url = vizModelPath() + '/filters';
    what = 'What the first ' + q.get('count') + ' filters of ' + layer + ' respond to';
  } else {
    url = vizModelPath() + '/classes/' + encodeURIComponent($('#viz-class').value);
    what = 'What the model takes for "' + $('#viz-class').value + '"';
  }
  q.set('steps', $('#viz-steps').value || '150');
  const job = $('#viz-job');
  await busy(async () => {
    const response = await call(url + '?' + q, { method: 'POST' });
    job.hidden = false;
    // A cached result answers 303, which fetch follows to the PNG itself.
    if ((response.headers.get('content-type') || '').startsWith('image/')) {
      jobProgress({ state: 'done', progress: 1 }, ' (cached)');
      await showPng(response, what + ' (cached)', kind);
      return;
    }
    let status = await response.json();
    while (!mine.cancelled && status.state !== 'done') {
      if (status.state === 'failed') {
        throw new ApiError(500, 'FAILED', 'the visualization job failed: ' + (status.error || 'no reason given'));
      }
      jobProgress(status);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      status = await json(status.status);
    }
    if (mine.cancelled) return;
    jobProgress(status);
    await showPng(await call(status.result), what + ' · ' + status.model.name + ' v' + status.model.version, kind);
  }, () => {
    job.dataset.state = 'failed';
    $('#viz-job-text').textContent = 'failed (see the message)';
  });
}

function jobProgress(status, note = '') {
  setProgress($('#viz-job-progress'), status.progress || 0);
  $('#viz-job').dataset.state = status.state;
  $('#viz-job-text').textContent = (status.state === 'queued'
    ? 'queued' + (status.queuePosition ? ' (' + status.queuePosition + ' ahead)' : '')
    : status.state + ' · ' + Math.round((status.progress || 0) * 100) + '%') + note;
}

async function showPng(response, caption, kind) {
  const blob = await response.blob();
  if (blob.type !== 'image/png') {
    throw new ApiError(response.status, 'NOT_AN_IMAGE', 'expected a PNG, the gateway sent ' + (blob.type || 'no type'));
  }
  if (resultUrl) URL.revokeObjectURL(resultUrl);
  resultUrl = URL.createObjectURL(blob);
  $('#viz-image').src = resultUrl;
  $('#viz-image').alt = caption;
  $('#viz-image').dataset.kind = kind;
  $('#viz-open').href = resultUrl;
  $('#viz-caption').textContent = caption;
  $('#viz-result').hidden = false;
  $('#viz-empty').hidden = true;
}

async function busy(work, onFailure) {
  const buttons = document.querySelectorAll('#visualize button');
  hideError($('#viz-error'));
  $('#viz-busy').hidden = false;
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await work();
    $('#viz-unavailable').hidden = true;
  } catch (e) {
    if (onFailure) onFailure(e);
    fail(e);
  } finally {
    $('#viz-busy').hidden = true;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

function fail(error, prefix) {
  const box = $('#viz-error');
  if (error instanceof ApiError && error.noRoute) {
    // This gateway was built without the visualization routes: say so kindly, once, at the top too.
    const notice = $('#viz-unavailable');
    notice.textContent = 'Visualizations are not available on this gateway yet: it has no visualization routes '
      + '(the server said: ' + error.message + '). Classification and training work as usual.';
    notice.hidden = false;
    showError(box, error, 'Not available here');
    return;
  }
  if (error instanceof ApiError && error.status === 400) {
    const named = layersNamedIn(error.message);
    if (named.length && !convLayersOf($('#viz-model').value).length) fillLayers(named);
  }
  showError(box, error, prefix || '', hint(error));
}

/** This section's own advice where the page-wide hint speaks of classify workers. */
function hint(error) {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 504) {
    return 'No visualizer answered in time: is visualizer-service running (and the model in its store)? '
      + 'Maps and patterns are computed there.';
  }
  if (error.status === 400 && layersNamedIn(error.message).length) {
    return 'Pick one of the layers named above (the layer fields suggest them).';
  }
  if (error.status === 404 && error.code === 'NOT_FOUND' && !error.noRoute) {
    return 'Choose a model the visualizer knows, or POST the job again if the visualizer restarted.';
  }
  return undefined;
}
