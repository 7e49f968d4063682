// Classify: an image (dropped, chosen or pasted) -> POST /v1/models/{model}/classify -> label and bars.
import { call, modelPath } from './api.js';
import { $, el, showError, hideError, percent, ms } from './dom.js';
import { dropzone, preview } from './dropzone.js';

export function initClassify({ onImage }) {
  dropzone($('#classify-drop'), $('#classify-file'), (files) => {
    onImage(files[0]);
    classify(files);
  });
}

async function classify(files) {
  const model = $('#classify-model').value;
  const busy = $('#classify-busy');
  const error = $('#classify-error');
  const result = $('#classify-result');
  preview($('#classify-preview'), files[0]);
  hideError(error);
  result.hidden = true;
  $('#classify-empty').hidden = true;
  busy.hidden = false;
  $('#classify-drop').setAttribute('aria-busy', 'true');

  // One image: its raw bytes with its own type (the gateway sniffs when the type is empty).
  // Several: a multipart form, one prediction per file in order.
  let options;
  if (files.length === 1) {
    options = { method: 'POST', body: files[0], headers: files[0].type ? { 'content-type': files[0].type } : {} };
  } else {
    const form = new FormData();
    files.forEach((f) => form.append('image', f, f.name));
    options = { method: 'POST', body: form };
  }
  const started = performance.now();
  try {
    const response = await call(modelPath(model) + '/classify', options);
    const reply = await response.json();
    show(reply, files, performance.now() - started);
  } catch (e) {
    showError(error, e, files.length === 1 ? files[0].name : files.length + ' files');
  } finally {
    busy.hidden = true;
    $('#classify-drop').removeAttribute('aria-busy');
  }
}

function show(reply, files, roundTripMs) {
  const predictions = $('#classify-predictions');
  predictions.replaceChildren(...reply.predictions.map((p, i) => prediction(p, files[i])));
  const t = reply.timing || {};
  const meta = $('#classify-meta');
  meta.replaceChildren(
    el('span', { id: 'classify-model-version', text: reply.model + ' v' + reply.version }),
    ' · worker ', el('code', { id: 'classify-worker', text: reply.worker || '?' }),
    ' · ', el('span', { id: 'classify-latency', text: ms(roundTripMs) + ' round trip' }),
    ' (gateway ' + ms(t.serverMs) + ', decode ' + ms(t.decodeMs) + ', queue ' + ms(t.queueMs)
      + ', compute ' + ms(t.computeMs) + (t.batchSize ? ', batch of ' + t.batchSize : '') + ')');
  meta.dataset.model = reply.model;
  meta.dataset.version = reply.version;
  $('#classify-result').hidden = false;
}

function prediction(p, file) {
  const classes = p.classes && p.classes.length ? p.classes : [{ label: p.label, probability: p.probability }];
  const bars = classes.map((c) => {
    const fill = el('span', { class: 'bar-fill' });
    fill.style.width = Math.max(0, Math.min(100, c.probability * 100)) + '%';
    return el('li', { dataset: { label: c.label, probability: String(c.probability) } },
      el('span', { class: 'bar-label', text: c.label, title: c.label }),
      el('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
      el('span', { class: 'bar-value', text: percent(c.probability) }));
  });
  const name = p.image || (file && file.name) || '';
  return el('article', { class: 'prediction', dataset: { label: p.label, probability: String(p.probability) } },
    el('div', { class: 'prediction-head' },
      el('span', { class: 'prediction-label', text: p.label }),
      el('span', { class: 'prediction-prob', text: percent(p.probability) }),
      name ? el('span', { class: 'prediction-image', text: name }) : null),
    el('ul', { class: 'bars', 'aria-label': 'Probability of each class' }, bars));
}
