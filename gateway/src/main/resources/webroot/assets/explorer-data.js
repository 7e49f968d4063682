// The explorer's numbers: the explore answer decoded into maps, and where each unit reads the layer below.
// Maps arrive base64-encoded, float32 (exact) or uint8 with each map's min and max; a spatial layer's
// chosen channels one after another ([c][h][w]), a vector as one map.

function bytesOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** One Float32Array per map: `count` maps of `size` values, from a block in its encoding (float32 or uint8). */
export function decodeMaps(block, count, size) {
  const bytes = bytesOf(block.data);
  const maps = [];
  if (block.encoding === 'uint8') {
    for (let k = 0; k < count; k++) {
      const min = block.min[k];
      const step = (block.max[k] - min) / 255;
      const map = new Float32Array(size);
      for (let p = 0; p < size; p++) map[p] = min + bytes[k * size + p] * step;
      maps.push(map);
    }
    return maps;
  }
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < count; k++) {
    const map = new Float32Array(size);
    for (let p = 0; p < size; p++) map[p] = view.getFloat32((k * size + p) * 4, true);
    maps.push(map);
  }
  return maps;
}

/**
 * The answer as the page uses it: `input` and `layers` each {name, type, shape, spatial, height, width,
 * channels, first, count, maps, preMaps, geometry, activation}; a vector has height 1, width n, one map.
 */
export function decode(answer) {
  const layer = (l) => {
    const spatial = l.shape.length === 3;
    const height = spatial ? l.shape[0] : 1;
    const width = spatial ? l.shape[1] : l.shape[0];
    const first = spatial ? l.channels.first : 0;
    const count = spatial ? l.channels.count : 1;
    return {
      name: l.name, type: l.type, shape: l.shape, spatial, height, width, channels: spatial ? l.shape[2] : 1,
      first, count, activation: l.activation || null, geometry: l.geometry || null, exact: l.output.encoding === 'float32',
      maps: decodeMaps(l.output, count, height * width),
      preMaps: l.preactivation ? decodeMaps(l.preactivation, count, height * width) : null,
    };
  };
  const [h, w, c] = answer.input.shape;
  const input = {
    name: 'input', type: 'Input', shape: answer.input.shape, spatial: true, height: h, width: w, channels: c,
    first: 0, count: c, activation: null, geometry: null, exact: answer.input.values.encoding === 'float32',
    preprocessing: answer.input.preprocessing, maps: decodeMaps(answer.input.values, c, h * w), preMaps: null,
  };
  return {
    model: answer.model, labels: answer.labels, probabilities: answer.probabilities, predicted: answer.predicted,
    encoding: answer.encoding, timings: answer.timings || {}, input, layers: answer.layers.map(layer),
  };
}

/** The window block of an answer asked with `window=`: {below, top, left, height, width, channels, values[c]}. */
export function decodeWindow(block) {
  const size = block.height * block.width;
  return { ...block, values: decodeMaps(block.values, block.channels, size) };
}

export function layerByName(net, name) {
  return name === 'input' ? net.input : net.layers.find((l) => l.name === name);
}

/** The layer a layer reads: the one before it, or the input. */
export function below(net, layer) {
  const i = net.layers.indexOf(layer);
  return i <= 0 ? net.input : net.layers[i - 1];
}

/** The map of channel `c` (null when the answer does not carry it); `pre` for the pre-activation. */
export function mapOf(layer, c, pre = false) {
  const maps = pre ? layer.preMaps : layer.maps;
  if (!maps || c < layer.first || c >= layer.first + layer.count) return null;
  return maps[c - layer.first];
}

/** Whether every channel of a layer is in the answer, exactly (what the arithmetic needs). */
export function complete(layer) {
  return layer.exact && layer.first === 0 && layer.count === layer.channels;
}

/** The rows and columns of the layer below that unit (y, x) of a conv or pooling layer reads. */
export function windowOf(layer, y, x) {
  const g = layer.geometry;
  return { top: y * g.stride[0] - g.pads.top, left: x * g.stride[1] - g.pads.left, height: g.kernel[0], width: g.kernel[1] };
}

/**
 * The part of the input a unit depends on, {top, left, height, width}, clipped to the input; the whole input for
 * units of flatten, dense and output layers.
 */
export function receptiveField(net, layer, y, x) {
  const whole = { top: 0, left: 0, height: net.input.height, width: net.input.width };
  if (layer === net.input) return { top: y, left: x, height: 1, width: 1 };
  let i = net.layers.indexOf(layer);
  let top = y;
  let bottom = y;
  let left = x;
  let right = x;
  for (; i >= 0; i--) {
    const l = net.layers[i];
    if (!l.spatial) return whole;
    const g = l.geometry;
    if (!g) return whole;
    top = top * g.stride[0] - g.pads.top;
    bottom = bottom * g.stride[0] - g.pads.top + g.kernel[0] - 1;
    left = left * g.stride[1] - g.pads.left;
    right = right * g.stride[1] - g.pads.left + g.kernel[1] - 1;
  }
  top = Math.max(0, top);
  left = Math.max(0, left);
  bottom = Math.min(net.input.height - 1, bottom);
  right = Math.min(net.input.width - 1, right);
  return { top, left, height: bottom - top + 1, width: right - left + 1 };
}

/** Where entry `i` of a flattened vector comes from: TensorFlow flattens [h, w, c] row-major. */
export function flattenSource(spatial, i) {
  const c = i % spatial.channels;
  const p = Math.floor(i / spatial.channels);
  return { channel: c, y: Math.floor(p / spatial.width), x: p % spatial.width };
}

/** A number as the explorer shows it. */
export function fmt(v, digits = 4) {
  if (typeof v !== 'number' || !isFinite(v)) return '-';
  const s = v.toFixed(digits);
  return s === '-' + (0).toFixed(digits) ? (0).toFixed(digits) : s;
}
