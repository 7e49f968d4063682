// Explore: a served network layer by layer on a drawing (digit models: a 28x28 pad, classified live as you
// draw) or a photo. One API call per drawing brings every layer (POST .../explore); hovering a unit shows the
// arithmetic behind its value (explorer-unit.js), fetching kernels and exact windows lazily.
import { call, modelPath } from './api.js';
import { $, el, showError, hideError, ms } from './dom.js';
import { dropzone, preview } from './dropzone.js';
import { onModels } from './models.js';
import { drawingPad } from './explorer-pad.js';
import { decode, decodeWindow } from './explorer-data.js';
import { NetworkView } from './explorer-view.js';
import { UnitPanel } from './explorer-unit.js';
import { initExamples } from './explorer-examples.js';

const LIVE_MS = 50;        // while drawing: one request in flight, the next at least this long after the last
const SMALL_INPUT = 64;    // inputs up to this side: every channel, exact; larger: 8 channels at a time, uint8

let models = [];
let pad;
let view;
let panel;
let net = null;
let source = null;         // 'pad' or a dropped File
let shownBody = null;      // the image the shown answer is of (windows are fetched for it)
let inflight = false;
let pending = false;
let lastSent = 0;
let timer = null;
let answers = 0;

export function initExplorer() {
  view = new NetworkView($('#explore-net'), (unit) => net && panel.show(net, unit));
  panel = new UnitPanel($('#explore-unit'), view, fetchWindow);
  panel.clear();
  pad = drawingPad($('#explore-pad'), () => {
    source = 'pad';
    schedule();
  });
  $('#explore-clear').addEventListener('click', () => {
    pad.clear();
    if (source === 'pad') reset();
  });
  dropzone($('#explore-drop'), $('#explore-file'), (files) => {
    source = files[0];
    preview($('#explore-preview'), source);
    explore();
  });
  $('#explore-model').addEventListener('change', modelChanged);
  $('#explore-first').addEventListener('change', explore);
  onModels((list) => {
    models = list;
    modelChanged();
  });
  initExamples($('#explore-examples'));
  $('#explore').addEventListener('click', (e) => {
    if (e.target.closest('.xl-example-link')) $('#explore-examples').open = true;
  });
}

function modelInfo() {
  return models.find((m) => m.name === $('#explore-model').value) || null;
}

/** Digit models (MNIST preprocessing, one channel) get the drawing pad. */
function digits(info) {
  return !!info && (info.preprocessing === 'MNIST' || (info.input && info.input.channels === 1));
}

function options(info) {
  const small = info && info.input && Math.max(info.input.height, info.input.width) <= SMALL_INPUT;
  return small ? { encoding: 'float32', channels: 16 } : { encoding: 'uint8', channels: 8 };
}

function modelChanged() {
  const info = modelInfo();
  $('#explore-pad-box').hidden = !digits(info);
  $('#explore-drop-hint').textContent = digits(info) ? 'a photo of a digit works too' : 'JPEG or PNG';
  if (source === 'pad' && !digits(info)) source = null;
  $('#explore-first').replaceChildren(el('option', { value: '0', text: 'first channels' }));
  $('#explore-channels').hidden = true;
  reset();
  explore();
}

function reset() {
  net = null;
  view.key = null;
  $('#explore-net').replaceChildren(el('p', { class: 'placeholder', id: 'explore-empty', text:
    'Draw a digit or drop a photo: every layer of the network appears here, from the input to the prediction.' }));
  $('#explore-result').hidden = true;
  panel.clear();
}

function schedule() {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    explore();
  }, Math.max(0, LIVE_MS - (performance.now() - lastSent)));
}

async function body() {
  return source === 'pad' ? pad.png() : source;
}

/** One request for the current drawing or photo; while one is in flight the newest waits for it. */
async function explore() {
  if (!source || (source === 'pad' && pad.empty())) return;
  if (inflight) {
    pending = true;
    return;
  }
  inflight = true;
  pending = false;
  lastSent = performance.now();
  const info = modelInfo();
  const o = options(info);
  const q = new URLSearchParams({ encoding: o.encoding, channels: String(o.channels) });
  const first = $('#explore-first').value;
  if (first && first !== '0') q.set('first', first);
  try {
    const image = await body();
    const started = performance.now();
    const response = await call(modelPath($('#explore-model').value) + '/explore?' + q, {
      method: 'POST', body: image, headers: { 'content-type': image.type || 'image/png' },
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    shownBody = image;
    show(decode(JSON.parse(text)), elapsed, text.length);
  } catch (e) {
    fail(e);
  } finally {
    inflight = false;
    if (pending) schedule();
  }
}

function show(next, elapsed, bytes) {
  net = next;
  hideError($('#explore-error'));
  $('#explore-empty')?.remove();
  view.show(net);
  panel.refresh(net);
  const p = net.predicted;
  const label = $('#explore-label');
  label.textContent = p.label;
  label.dataset.label = p.label;
  label.dataset.probability = p.probability;
  $('#explore-probability').textContent = (p.probability * 100).toFixed(1) + '%';
  const order = net.labels.map((l, i) => i).sort((a, b) => net.probabilities[b] - net.probabilities[a]).slice(0, 10);
  $('#explore-bars').replaceChildren(...order.map((i) => el('li', { dataset: { label: net.labels[i] } },
    el('span', { class: 'bar-label', text: net.labels[i] }),
    (() => {
      const fill = el('span', { class: 'bar-fill' });
      fill.style.width = (net.probabilities[i] * 100).toFixed(1) + '%';
      return el('span', { class: 'bar' }, fill);
    })(),
    el('span', { class: 'bar-value', text: (net.probabilities[i] * 100).toFixed(1) + '%' }))));
  const t = net.timings;
  $('#explore-meta').textContent = net.model.name + ' v' + net.model.version + ' · ' + ms(elapsed) + ' round trip'
    + (t.runMs !== undefined ? ' (visualizer: decode ' + ms(t.decodeMs) + ', TensorFlow ' + ms(t.runMs) + ', encode '
      + ms(t.encodeMs) + ')' : '') + ' · ' + (bytes / 1024).toFixed(1) + ' KB ' + net.encoding;
  $('#explore-result').hidden = false;
  answers++;
  $('#explore').dataset.answers = String(answers);
  channelChoice();
}

/** Large layers come 8 channels at a time: a choice of which, once the answer says how many there are. */
function channelChoice() {
  const most = Math.max(0, ...net.layers.filter((l) => l.spatial).map((l) => l.channels));
  const count = Math.max(1, ...net.layers.filter((l) => l.spatial).map((l) => l.count));
  const select = $('#explore-first');
  if (most <= count || select.options.length > 1) return;
  const choices = [];
  for (let f = 0; f < most; f += count) {
    choices.push(el('option', { value: String(f), text: 'channels ' + f + '–' + (f + count - 1) }));
  }
  select.replaceChildren(...choices);
  $('#explore-channels').hidden = false;
}

/** The exact window of the layer below one unit, and that unit's channel of its own layer (lazy, large models). */
async function fetchWindow(layer, y, x, channel) {
  const q = new URLSearchParams({ layers: layer, first: String(channel), channels: '1', encoding: 'float32',
    window: layer + ':' + y + ':' + x });
  const response = await call(modelPath(net.model.name, net.model.version) + '/explore?' + q, {
    method: 'POST', body: shownBody, headers: { 'content-type': shownBody.type || 'image/png' },
  });
  const answer = await response.json();
  return { window: decodeWindow(answer.window), layer: decode(answer).layers[0] };
}

function fail(error) {
  const hint = error.status === 504
    ? 'No visualizer answered in time: is visualizer-service running? The explorer runs the model there.'
    : error.status === 404 ? 'Choose a model the visualizer has in its store.' : undefined;
  showError($('#explore-error'), error, '', hint);
}
