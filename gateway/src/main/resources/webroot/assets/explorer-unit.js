// The unit panel: what one unit computes, on the numbers of the drawing or photo being explored. A convolution
// unit: the window of the layer below times the kernel, summed over the input channels, plus the bias, is its
// pre-activation (the tutorial's "feature detector"), and ReLU of that its output; a pooling unit: the largest
// value of its window; a dense unit: its strongest incoming contributions. Kernels are fetched when a unit is
// first looked at; windows the answer does not carry exactly (large models) are fetched too.
import { json, modelPath } from './api.js';
import { el } from './dom.js';
import { below, complete, flattenSource, fmt, layerByName, mapOf, receptiveField, windowOf } from './explorer-data.js';

const SHOWN_INPUTS = 8;

function grid(rows, cols, cell) {
  return el('table', { class: 'xl-grid' }, el('tbody', {}, Array.from({ length: rows }, (_, i) =>
    el('tr', {}, Array.from({ length: cols }, (_, j) => cell(i, j))))));
}

function num(v, cls = '') {
  return el('td', { class: (v < 0 ? 'neg ' : '') + cls, text: fmt(v) });
}

function exampleLink(text) {
  return el('a', { href: '#explore-examples', class: 'xl-example-link', text });
}

function activate(activation, z, all) {
  switch (activation) {
    case 'relu': return Math.max(0, z);
    case 'sigmoid': return 1 / (1 + Math.exp(-z));
    case 'tanh': return Math.tanh(z);
    case 'softmax': {
      const m = Math.max(...all);
      return Math.exp(z - m) / all.reduce((s, v) => s + Math.exp(v - m), 0);
    }
    default: return z;
  }
}

function formula(activation) {
  return {
    relu: 'ReLU: max(0, z)', sigmoid: 'sigmoid: 1 / (1 + e^−z)', tanh: 'tanh(z)',
    softmax: 'softmax: e^z / Σ e^z over the ' + 'outputs',
  }[activation] || 'linear: z';
}

export class UnitPanel {
  /**
   * @param box         where the panel goes
   * @param view        the NetworkView (for marks)
   * @param fetchWindow (layerName, y, x, channel) => Promise<{window, layer}>: the exact window of the layer below
   *                    and the layer's own values of that channel, for answers that do not carry them
   */
  constructor(box, view, fetchWindow) {
    this.box = box;
    this.view = view;
    this.fetchWindow = fetchWindow;
    this.weights = new Map();
    this.token = 0;
    this.unit = null;
  }

  /** Shows the same unit again for a new answer (the drawing changed). */
  refresh(net) {
    if (this.unit && layerByName(net, this.unit.layer)) this.show(net, this.unit);
  }

  clear() {
    this.unit = null;
    this.view.clearMarks();
    this.box.replaceChildren(el('p', { class: 'placeholder', text:
      'Hover over (or tap) any unit of the network: its window, its kernel and the arithmetic behind its value appear here.' }));
    delete this.box.dataset.state;
  }

  async show(net, unit) {
    const token = ++this.token;
    this.unit = unit;
    const layer = layerByName(net, unit.layer);
    this.view.clearMarks();
    const head = el('h3', { class: 'xl-unit-head' });
    const body = el('div', { class: 'xl-unit-body' });
    this.box.replaceChildren(head, body);
    for (const k of Object.keys(this.box.dataset)) delete this.box.dataset[k];
    Object.assign(this.box.dataset, { layer: unit.layer, kind: unit.kind, state: 'loading' });
    for (const k of ['channel', 'y', 'x', 'index']) {
      if (unit[k] !== undefined) this.box.dataset[k] = unit[k];
    }
    if (layer.spatial) {
      this.view.mark(layer.name, { channel: layer === net.input ? 0 : unit.channel, cls: 'unit',
        rect: { top: unit.y, left: unit.x, height: 1, width: 1 } });
      const field = receptiveField(net, layer, unit.y, unit.x);
      this.view.mark('input', { cls: 'field', rect: field });
      Object.assign(this.box.dataset, { fieldTop: field.top, fieldLeft: field.left, fieldHeight: field.height,
        fieldWidth: field.width });
    } else {
      this.view.mark(layer.name, { index: unit.index, cls: 'unit' });
    }
    try {
      const render = {
        Input: () => this.input(net, layer, unit, head, body),
        Conv2D: () => this.convolution(net, layer, unit, head, body, token),
        MaxPooling2D: () => this.pooling(net, layer, unit, head, body, token),
        Flatten: () => this.flattened(net, layer, unit, head, body),
        Dropout: () => this.flattened(net, layer, unit, head, body),
      }[layer.type] || (() => this.dense(net, layer, unit, head, body, token));
      await render();
      if (token === this.token) this.box.dataset.state = 'ready';
    } catch (e) {
      if (token !== this.token) return;
      body.append(el('p', { class: 'error', text: 'Could not fetch what this unit needs: ' + e.message }));
      this.box.dataset.state = 'failed';
    }
  }

  input(net, layer, unit, head, body) {
    head.textContent = 'input · row ' + unit.y + ', column ' + unit.x;
    const p = unit.y * layer.width + unit.x;
    const values = layer.maps.map((m) => fmt(m[p]));
    body.append(el('p', { text: (layer.channels === 1 ? 'Value ' : 'Values (per channel) ') + values.join(', ')
      + (layer.preprocessing === 'CAFFE' ? ' (BGR minus the ImageNet means)' : ' (the pixel × 1/255)') + '.' }));
  }

  /** The window values [c][i][j] of the layer below for unit (y, x), from the answer or fetched. */
  async window(net, layer, unit, token) {
    const low = below(net, layer);
    const w = windowOf(layer, unit.y, unit.x);
    if (complete(low)) {
      const values = low.maps.map((map) => Float32Array.from({ length: w.height * w.width }, (_, k) => {
        const r = w.top + Math.floor(k / w.width);
        const c = w.left + (k % w.width);
        return r >= 0 && c >= 0 && r < low.height && c < low.width ? map[r * low.width + c] : 0;
      }));
      return { values, pre: mapOf(layer, unit.channel, true), out: mapOf(layer, unit.channel), at: unit.y * layer.width + unit.x };
    }
    const fetched = await this.fetchWindow(layer.name, unit.y, unit.x, unit.channel);
    if (token !== this.token) throw new Error('superseded');
    return { values: fetched.window.values, pre: fetched.layer.preMaps && fetched.layer.preMaps[0], out: fetched.layer.maps[0],
      at: unit.y * layer.width + unit.x, fetched: true };
  }

  unitWeights(net, layer, index) {
    const key = net.model.name + '@' + net.model.version + '/' + layer + '/' + index;
    if (!this.weights.has(key)) {
      const url = modelPath(net.model.name, net.model.version) + '/layers/' + encodeURIComponent(layer)
        + '/weights?unit=' + index;
      const request = json(url);
      request.catch(() => this.weights.delete(key));
      this.weights.set(key, request);
    }
    return this.weights.get(key);
  }

  async convolution(net, layer, unit, head, body, token) {
    const low = below(net, layer);
    const w = windowOf(layer, unit.y, unit.x);
    head.textContent = layer.name + ' · filter ' + unit.channel + ' · row ' + unit.y + ', column ' + unit.x;
    this.view.mark(low.name, { cls: 'window', rect: w });
    Object.assign(this.box.dataset, { windowTop: w.top, windowLeft: w.left, windowHeight: w.height, windowWidth: w.width });
    body.append(el('p', { text: 'Reads the ' + w.height + '×' + w.width + ' window at rows ' + w.top + '–'
      + (w.top + w.height - 1) + ', columns ' + w.left + '–' + (w.left + w.width - 1) + ' of ' + low.name + ', all '
      + low.channels + ' of its channels. Its receptive field, outlined on the input, is '
      + this.box.dataset.fieldHeight + '×' + this.box.dataset.fieldWidth + ' pixels.' }));
    const [win, weights] = await Promise.all([this.window(net, layer, unit, token),
      this.unitWeights(net, layer.name, unit.channel)]);
    if (token !== this.token) return;
    const [channels, kh, kw] = weights.shape;
    const kernel = (c, i, j) => weights.weights[c][i][j];
    const partial = win.values.map((values, c) => {
      let s = 0;
      for (let k = 0; k < kh * kw; k++) s += values[k] * kernel(c, Math.floor(k / kw), k % kw);
      return s;
    });
    const sum = partial.reduce((a, b) => a + b, 0) + weights.bias;
    const z = win.pre ? win.pre[win.at] : NaN;
    const a = win.out ? win.out[win.at] : NaN;
    let selected = partial.reduce((best, v, c) => (Math.abs(v) > Math.abs(partial[best]) ? c : best), 0);

    const detail = el('div', { class: 'xl-detail' });
    const showChannel = (c) => {
      selected = c;
      this.box.dataset.detailChannel = c;
      const inside = (i, j) => {
        const r = w.top + i;
        const col = w.left + j;
        return r >= 0 && col >= 0 && r < low.height && col < low.width;
      };
      const cell = (i, j, v) => num(v, inside(i, j) ? '' : 'pad');
      detail.replaceChildren(
        el('figure', {}, el('figcaption', { text: 'window of ' + low.name + (low.channels > 1 ? ' #' + c : '') }),
          grid(kh, kw, (i, j) => cell(i, j, win.values[c][i * kw + j]))),
        el('figure', {}, el('figcaption', { text: '× kernel of filter ' + unit.channel
          + (channels > 1 ? ', channel ' + c : '') }), grid(kh, kw, (i, j) => num(kernel(c, i, j)))),
        el('figure', {}, el('figcaption', { text: '= products; their sum ' + fmt(partial[c]) }),
          grid(kh, kw, (i, j) => num(win.values[c][i * kw + j] * kernel(c, i, j)))));
      list.querySelectorAll('tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.channel === String(c)));
    };
    const list = el('table', { class: 'xl-partials' }, el('tbody', {}, partial.map((v, c) =>
      el('tr', { dataset: { channel: c }, tabindex: 0, onclick: () => showChannel(c),
        onkeydown: (e) => { if (e.key === 'Enter') showChannel(c); } },
      el('th', { scope: 'row', text: channels > 1 ? 'channel ' + c : 'window' }),
      el('td', { text: 'Σ window × kernel =' }), num(v)))));
    body.append(detail,
      channels > 1 ? el('details', { class: 'xl-channels', open: channels <= 16 },
        el('summary', { text: 'The ' + channels + ' input channels (choose one to see its window and kernel)' }), list) : list,
      el('p', { class: 'xl-sum' },
        (channels > 1 ? 'Σ over the ' + channels + ' channels' : 'Σ') + ' + bias (' + fmt(weights.bias) + ') = ',
        el('output', { id: 'explore-sum', dataset: { value: sum }, text: fmt(sum) }),
        ' = z, the pre-activation (the network computed ',
        el('span', { id: 'explore-preact', dataset: { value: z }, text: fmt(z) }), ')'),
      el('p', { class: 'xl-sum' }, formula(layer.activation) + ' = ',
        el('span', { id: 'explore-output', dataset: { value: a }, text: fmt(a) }),
        layer.activation === 'relu' && z < 0 ? ' (negative: the feature is absent here)' : ''),
      el('p', { class: 'muted' }, 'The tutorial\'s feature detector on real numbers. ',
        exampleLink('The same arithmetic on the tutorial\'s 5×5 example'), win.fetched ? ' · window fetched exactly for this unit' : ''));
    showChannel(selected);
  }

  async pooling(net, layer, unit, head, body, token) {
    const low = below(net, layer);
    const w = windowOf(layer, unit.y, unit.x);
    const c = unit.channel;
    head.textContent = layer.name + ' · channel ' + c + ' · row ' + unit.y + ', column ' + unit.x;
    let values;
    let out = mapOf(layer, c);
    const map = low.exact ? mapOf(low, c) : null;
    if (map) {
      values = Float32Array.from({ length: w.height * w.width }, (_, k) => {
        const r = w.top + Math.floor(k / w.width);
        const col = w.left + (k % w.width);
        return r >= 0 && col >= 0 && r < low.height && col < low.width ? map[r * low.width + col] : NaN;
      });
    } else {
      const fetched = await this.fetchWindow(layer.name, unit.y, unit.x, c);
      if (token !== this.token) return;
      values = fetched.window.values[c];
      out = fetched.layer.maps[0];
    }
    let best = -1;
    values.forEach((v, k) => {
      const r = w.top + Math.floor(k / w.width);
      const col = w.left + (k % w.width);
      const inside = r >= 0 && col >= 0 && r < low.height && col < low.width;
      if (inside && (best < 0 || v > values[best])) best = k;
    });
    const maxRow = w.top + Math.floor(best / w.width);
    const maxCol = w.left + (best % w.width);
    this.view.mark(low.name, { kind: 'output', channel: c, cls: 'window', rect: w });
    this.view.mark(low.name, { kind: 'output', channel: c, cls: 'max', rect: { top: maxRow, left: maxCol, height: 1, width: 1 } });
    Object.assign(this.box.dataset, { windowTop: w.top, windowLeft: w.left, windowHeight: w.height,
      windowWidth: w.width, maxRow, maxCol });
    const value = out[unit.y * layer.width + unit.x];
    body.append(
      el('p', { text: 'The ' + w.height + '×' + w.width + ' window at rows ' + w.top + '–' + (w.top + w.height - 1)
        + ', columns ' + w.left + '–' + (w.left + w.width - 1) + ' of ' + low.name + ' #' + c + '; the largest value passes on.' }),
      el('div', { class: 'xl-detail' }, grid(w.height, w.width, (i, j) => (isNaN(values[i * w.width + j])
        ? el('td', { class: 'pad', text: '·' }) : num(values[i * w.width + j], i * w.width + j === best ? 'max' : '')))),
      el('p', { class: 'xl-sum' }, 'max(' + Array.from(values).filter((v) => !isNaN(v)).map((v) => fmt(v)).join(', ') + ') = ',
        el('output', { id: 'explore-max', dataset: { value: values[best] }, text: fmt(values[best]) }),
        ' (the network: ', el('span', { id: 'explore-output', dataset: { value }, text: fmt(value) }), ')'),
      el('p', { class: 'muted' }, exampleLink('2×2 max pooling, stride 2, on the tutorial\'s 5×5 map')));
  }

  flattened(net, layer, unit, head, body) {
    let low = below(net, layer);
    let index = unit.index;
    let via = '';
    while (!low.spatial && low !== net.input) {  // dropout after flatten: the same index one layer down
      via = ' (through ' + low.name + ')';
      low = below(net, low);
    }
    const value = layer.maps[0][index];
    head.textContent = layer.name + ' · value ' + index;
    const src = flattenSource(low, index);
    this.view.mark(low.name, { kind: 'output', channel: src.channel, cls: 'window',
      rect: { top: src.y, left: src.x, height: 1, width: 1 } });
    const field = receptiveField(net, low, src.y, src.x);
    this.view.mark('input', { cls: 'field', rect: field });
    body.append(el('p', { text: layer.name + '[' + index + '] = ' + low.name + ' channel ' + src.channel + ', row ' + src.y
      + ', column ' + src.x + via + ' = ' + fmt(value) + '. Flattening lays the maps out row by row, the channels of '
      + 'each position side by side.' }));
  }

  async dense(net, layer, unit, head, body, token) {
    const low = below(net, layer);
    const x = low.maps[0];
    const i = unit.index;
    const label = layer === net.layers[net.layers.length - 1] && net.labels[i] !== undefined
      && layer.width === net.labels.length ? ' ("' + net.labels[i] + '")' : '';
    head.textContent = layer.name + ' · unit ' + i + label;
    const weights = await this.unitWeights(net, layer.name, i);
    if (token !== this.token) return;
    const w = weights.weights;
    const contributions = Array.from(w, (wi, k) => ({ k, product: wi * x[k] }));
    const sum = contributions.reduce((s, c) => s + c.product, 0) + weights.bias;
    contributions.sort((a, b) => Math.abs(b.product) - Math.abs(a.product));
    const top = contributions.slice(0, SHOWN_INPUTS);
    const rest = contributions.slice(SHOWN_INPUTS).reduce((s, c) => s + c.product, 0);
    top.forEach((c) => this.view.mark(low.name, { kind: 'output', index: c.k, cls: 'source' }));
    const z = layer.preMaps ? layer.preMaps[0][i] : NaN;
    const a = layer.maps[0][i];
    const logits = layer.preMaps ? Array.from(layer.preMaps[0]) : [];
    const origin = (k) => {
      let spatial = low;
      while (!spatial.spatial && spatial !== net.input) spatial = below(net, spatial);
      if (!spatial.spatial || spatial === net.input || (low.type !== 'Flatten' && low.type !== 'Dropout')) return '';
      const s = flattenSource(spatial, k);
      return ' (' + spatial.name + ' #' + s.channel + ' at ' + s.y + ',' + s.x + ')';
    };
    body.append(
      el('p', { text: 'z = Σ weight × input over the ' + w.length + ' values of ' + low.name + ', plus the bias. The '
        + 'strongest contributions (outlined on ' + low.name + '):' }),
      el('table', { class: 'xl-contributions' },
        el('thead', {}, el('tr', {}, ['input', 'value', 'weight', 'product'].map((t) => el('th', { scope: 'col', text: t })))),
        el('tbody', {}, top.map((c) => el('tr', {}, el('th', { scope: 'row', text: low.name + '[' + c.k + ']' + origin(c.k) }),
          num(x[c.k]), num(w[c.k]), num(c.product))),
        el('tr', {}, el('th', { scope: 'row', text: 'the other ' + Math.max(0, w.length - SHOWN_INPUTS) }),
          el('td'), el('td'), num(rest)),
        el('tr', {}, el('th', { scope: 'row', text: 'bias' }), el('td'), el('td'), num(weights.bias)))),
      el('p', { class: 'xl-sum' }, 'z = ', el('output', { id: 'explore-sum', dataset: { value: sum }, text: fmt(sum) }),
        ' (the network computed ', el('span', { id: 'explore-preact', dataset: { value: z }, text: fmt(z) }), ')'),
      el('p', { class: 'xl-sum' }, formula(layer.activation) + ' = ',
        el('span', { id: 'explore-output', dataset: { value: a }, text: fmt(activate(layer.activation, z, logits)) })),
      el('p', { class: 'muted', text: 'Strongest incoming weights: ' + weights.strongest.slice(0, 5)
        .map((s) => low.name + '[' + s.index + '] ' + fmt(s.weight)).join(', ') + '.' }),
      el('p', { class: 'muted' }, layer.activation === 'softmax' || layer.activation === 'sigmoid'
        ? exampleLink('How a loss scores such probabilities: the tutorial\'s two networks') : null));
  }
}
