// The served models (GET /v1/models) behind every model selector on the page.
import { json } from './api.js';
import { $, el } from './dom.js';

const FALLBACK = 'cats-vs-dogs';
let models = [];
const listeners = [];

export function onModels(fn) {
  listeners.push(fn);
}

export function labelsOf(name) {
  const m = models.find((x) => x.name === name);
  return m ? m.labels || [] : [];
}

/** The model's convolutions, input to output ([] when the worker does not say). */
export function convLayersOf(name) {
  const m = models.find((x) => x.name === name);
  return m ? m.convLayers || [] : [];
}

/** Loads the model list and refills every select.model-select, keeping each one's choice. */
export async function loadModels() {
  const status = $('#models-status');
  status.textContent = 'loading models…';
  for (const select of document.querySelectorAll('select.model-select')) {
    if (!select.options.length) fill(select);  // the usual name until the list arrives
  }
  let error = null;
  try {
    models = (await json('/v1/models')).models || [];
  } catch (e) {
    error = e;
    models = [];
  }
  for (const select of document.querySelectorAll('select.model-select')) {
    fill(select);
  }
  if (error) {
    status.textContent = 'model list unavailable (' + (error.status ? error.status + ' ' : '') + error.message + ')';
    status.dataset.state = 'error';
  } else if (!models.length) {
    status.textContent = 'no model is served yet: train one below';
    status.dataset.state = 'empty';
  } else {
    status.textContent = models.length + (models.length === 1 ? ' model' : ' models') + ' served';
    status.dataset.state = 'ok';
  }
  listeners.forEach((fn) => fn(models));
  return models;
}

function fill(select) {
  const previous = select.value;
  const options = models.map((m) => {
    const served = m.servedVersion ? 'v' + m.servedVersion : 'no version served';
    const training = m.training ? ', training' : '';
    return el('option', { value: m.name, text: m.name + ' (' + served + training + ')' });
  });
  if (!options.length) {
    // Nothing listed (no worker yet): the usual name still lets a request explain what is wrong.
    options.push(el('option', { value: FALLBACK, text: FALLBACK }));
  }
  select.replaceChildren(...options);
  if ([...select.options].some((o) => o.value === previous)) select.value = previous;
}
