// The explorer's picture of a network: every layer in order, a canvas per map (spatial layers: one per channel,
// before and after the activation) or a grid of nodes (vectors), coloured per layer; marks laid over them
// (the hovered unit, the window it reads, its receptive field); and which unit the pointer is on.
import { el } from './dom.js';

const TILE = 84;       // CSS pixels a map tile aims at
const MAX_TILE = 128;
const VECTOR_WIDTH = 560;

/** Grid columns for a vector of n nodes. */
function columnsFor(n) {
  return n <= 60 ? n : n <= 600 ? 40 : 128;
}

function tileSize(layer) {
  if (!layer.spatial) {
    const cols = columnsFor(layer.width);
    const cell = Math.max(3, Math.min(16, Math.floor(VECTOR_WIDTH / cols)));
    return [cols * cell, Math.ceil(layer.width / cols) * cell];
  }
  const side = Math.max(layer.height, layer.width);
  const px = Math.min(MAX_TILE, side * Math.max(1, Math.round(TILE / side)));
  return [Math.round(px * layer.width / side), Math.round(px * layer.height / side)];
}

function describe(layer) {
  const g = layer.geometry;
  const shape = layer.shape.join('×');
  switch (layer.type) {
    case 'Input':
      return shape + ' · as the network sees it (' + (layer.preprocessing || '').toLowerCase() + ' preprocessing)';
    case 'Conv2D':
      return g.kernel.join('×') + ' convolution, stride ' + g.stride[0] + ', ' + g.padding + ' padding · ' + shape;
    case 'MaxPooling2D':
      return g.kernel.join('×') + ' max pooling, stride ' + g.stride[0] + ' · ' + shape;
    case 'Flatten': return shape + ' values: the maps below, row by row';
    case 'Dropout': return shape + ' values: passed on unchanged when classifying (dropout acts in training only)';
    default: return shape + (layer.activation ? ' units, ' + layer.activation : ' values');
  }
}

/** Diverging (negative blue, zero dark, positive orange) for signed maps; dark to light for the others. */
function colour(v, scale, signed) {
  if (signed) {
    const t = Math.max(-1, Math.min(1, scale > 0 ? v / scale : 0));
    return t >= 0
      ? [17 + t * (249 - 17), 24 + t * (146 - 24), 39 + t * (60 - 39)]
      : [17 - t * (96 - 17), 24 - t * (165 - 24), 39 - t * (250 - 39)];
  }
  const t = Math.max(0, Math.min(1, scale > 0 ? v / scale : 0));
  if (t < 0.5) {
    const u = t * 2;
    return [15 + u * (37 - 15), 23 + u * (140 - 23), 42 + u * (160 - 42)];
  }
  const u = (t - 0.5) * 2;
  return [37 + u * (253 - 37), 140 + u * (231 - 140), 160 + u * (37 - 160)];
}

function paint(canvas, map, layer, scale, signed, gray) {
  const g = canvas.getContext('2d');
  const image = g.createImageData(canvas.width, canvas.height);
  const d = image.data;
  for (let i = 0; i < map.length; i++) {
    const [r, gr, b] = gray ? [map[i] * 255, map[i] * 255, map[i] * 255] : colour(map[i], scale, signed);
    d[i * 4] = r;
    d[i * 4 + 1] = gr;
    d[i * 4 + 2] = b;
    d[i * 4 + 3] = 255;
  }
  g.putImageData(image, 0, 0);
}

/** The input as a picture: gray for one channel, RGB (undoing the preprocessing) for three. */
function paintInput(canvas, input) {
  const g = canvas.getContext('2d');
  const image = g.createImageData(input.width, input.height);
  const caffe = input.preprocessing === 'CAFFE';
  const means = [123.68, 116.779, 103.939];
  for (let p = 0; p < input.width * input.height; p++) {
    for (let k = 0; k < 3; k++) {
      const c = input.channels === 1 ? 0 : caffe ? 2 - k : k;
      const v = input.maps[c][p];
      image.data[p * 4 + k] = caffe ? v + means[k] : v * 255;
    }
    image.data[p * 4 + 3] = 255;
  }
  g.putImageData(image, 0, 0);
}

function scaleOf(maps) {
  let m = 0;
  for (const map of maps) for (const v of map) m = Math.max(m, Math.abs(v));
  return m;
}

/** A layout key: the view is rebuilt when it changes, repainted otherwise. */
function keyOf(net) {
  return [net.model.name, net.model.version, net.input.shape, ...net.layers.map((l) => l.name + l.first + '/' + l.count)]
    .join('|');
}

export class NetworkView {
  /** @param onUnit called with {layer, kind, channel, y, x} (spatial) or {layer, kind, index} (vectors) */
  constructor(container, onUnit) {
    this.container = container;
    this.onUnit = onUnit;
    this.key = null;
    this.hovered = '';
    const pick = (e) => {
      const unit = this.unitAt(e);
      if (!unit) return;
      const key = JSON.stringify(unit);
      if (key === this.hovered && e.type === 'pointermove') return;
      this.hovered = key;
      onUnit(unit);
    };
    container.addEventListener('pointermove', pick);
    container.addEventListener('pointerdown', pick);
  }

  /** Shows `net`: rebuilt when its layout changed, else repainted in place. */
  show(net) {
    const key = keyOf(net);
    if (key !== this.key) {
      this.build(net);
      this.key = key;
    }
    this.net = net;
    paintInput(this.canvas('input', 'output', 0), net.input);
    for (const layer of net.layers) {
      for (const kind of layer.preMaps ? ['preact', 'output'] : ['output']) {
        const maps = kind === 'preact' ? layer.preMaps : layer.maps;
        const signed = kind === 'preact' || maps.some((m) => m.some((v) => v < 0));
        const scale = scaleOf(maps);
        maps.forEach((map, k) => paint(this.canvas(layer.name, kind, layer.first + k), map, layer, scale, signed));
      }
    }
  }

  build(net) {
    this.container.replaceChildren(...[net.input, ...net.layers].map((layer) => {
      const rows = layer.preMaps
        ? [['preact', layer.activation === 'linear' ? 'pre-activation' : 'before ' + layer.activation],
          ['output', layer.activation === 'linear' ? 'output (linear)' : 'after ' + layer.activation]]
        : [['output', '']];
      const [w, h] = tileSize(layer);
      return el('section', { class: 'xl-layer', dataset: { layer: layer.name, type: layer.type } },
        el('div', { class: 'xl-head' }, el('strong', { text: layer.name }), el('span', { class: 'muted', text:
          describe(layer) + (layer.spatial && layer.count < layer.channels
            ? ' · channels ' + layer.first + '–' + (layer.first + layer.count - 1) + ' shown' : '') })),
        rows.map(([kind, label]) => el('div', { class: 'xl-row' + (label ? '' : ' xl-single'), dataset: { kind } },
          label ? el('span', { class: 'xl-row-label', text: label }) : null,
          el('div', { class: 'xl-tiles' }, (layer.spatial && layer !== net.input
            ? Array.from({ length: layer.count }, (_, k) => layer.first + k) : [0]).map((c) => {
            const cols = layer.spatial ? layer.width : columnsFor(layer.width);
            const canvas = el('canvas', { width: cols, height: layer.spatial ? layer.height : Math.ceil(layer.width / cols) });
            canvas.style.width = w + 'px';  // CSSOM, not a style attribute: the page's CSP allows no inline styles
            canvas.style.height = h + 'px';
            return el('figure', { class: 'xl-tile' + (layer.spatial ? '' : ' xl-vector'),
              dataset: { layer: layer.name, kind, channel: c } },
            el('div', { class: 'xl-canvas' }, canvas, el('div', { class: 'xl-marks' })),
            layer.spatial && layer !== net.input ? el('figcaption', { text: '#' + c }) : null);
          })))));
    }));
  }

  canvas(layer, kind, channel) {
    return this.tile(layer, kind, channel).querySelector('canvas');
  }

  tile(layer, kind, channel) {
    return this.container.querySelector('.xl-tile[data-layer="' + CSS.escape(layer) + '"][data-kind="' + kind
      + '"][data-channel="' + channel + '"]');
  }

  /** The unit under the pointer, or null. */
  unitAt(e) {
    const tile = e.target.closest && e.target.closest('.xl-tile');
    if (!tile || !this.net) return null;
    const canvas = tile.querySelector('canvas');
    const r = canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - r.left) / r.width * canvas.width);
    const row = Math.floor((e.clientY - r.top) / r.height * canvas.height);
    if (col < 0 || row < 0 || col >= canvas.width || row >= canvas.height) return null;
    const { layer, kind, channel } = tile.dataset;
    if (tile.classList.contains('xl-vector')) {
      const index = row * canvas.width + col;
      const l = this.net.layers.find((x) => x.name === layer);
      return index < l.width ? { layer, kind, index } : null;
    }
    return { layer, kind, channel: Number(channel), y: row, x: col };
  }

  clearMarks() {
    this.container.querySelectorAll('.xl-mark').forEach((m) => m.remove());
  }

  /**
   * Lays a rectangle over tiles of `layer` (every kind unless `kind`, every channel unless `channel`); `rect` in
   * the map's rows and columns (a vector: index -> its cell); `data` become data attributes of the mark.
   */
  mark(layer, { kind = null, channel = null, rect = null, index = null, cls, data = {} }) {
    for (const tile of this.container.querySelectorAll('.xl-tile[data-layer="' + CSS.escape(layer) + '"]')) {
      if (kind !== null && tile.dataset.kind !== kind) continue;
      if (channel !== null && tile.dataset.channel !== String(channel)) continue;
      const canvas = tile.querySelector('canvas');
      let r = rect;
      if (index !== null) {
        r = { top: Math.floor(index / canvas.width), left: index % canvas.width, height: 1, width: 1 };
      }
      const top = Math.max(0, r.top);
      const left = Math.max(0, r.left);
      const bottom = Math.min(canvas.height, r.top + r.height);
      const right = Math.min(canvas.width, r.left + r.width);
      if (bottom <= top || right <= left) continue;
      const m = el('div', { class: 'xl-mark ' + cls,
        dataset: { top: r.top, left: r.left, height: r.height, width: r.width, ...data } });
      m.style.left = (100 * left / canvas.width) + '%';
      m.style.top = (100 * top / canvas.height) + '%';
      m.style.width = (100 * (right - left) / canvas.width) + '%';
      m.style.height = (100 * (bottom - top) / canvas.height) + '%';
      tile.querySelector('.xl-marks').append(m);
    }
  }
}
