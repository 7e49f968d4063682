// The tutorial's worked examples, computed exactly by the API (/v1/explain/convolution, /v1/explain/loss) when
// first opened: a 5x5 input convolved with a 3x3 kernel, ReLU, 2x2 max pooling with stride 2 over the 5x5 map;
// and the loss table of two networks that make the same one mistake with different confidence.
import { json } from './api.js';
import { el, showError } from './dom.js';

const INPUT = [[3, 0, 1, 2, 7], [1, 5, 8, 9, 3], [2, 7, 2, 5, 1], [0, 1, 3, 1, 7], [4, 2, 1, 6, 2]];
const LABELS = [[0, 0, 1], [0, 1, 0], [1, 0, 0]];
const NETWORKS = {
  'network 1': [[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]],
  'network 2': [[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]],
};

const number = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(4));

function matrix(caption, rows, name) {
  return el('figure', { class: 'xl-example', dataset: { matrix: name } }, el('figcaption', { text: caption }),
    el('table', { class: 'xl-grid' }, el('tbody', {}, rows.map((r) => el('tr', {}, r.map((v) =>
      el('td', { class: v < 0 ? 'neg' : '', text: number(v) })))))));
}

export function initExamples(details) {
  let loaded = false;
  details.addEventListener('toggle', async () => {
    if (!details.open || loaded) return;
    loaded = true;
    const box = details.querySelector('.xl-examples-body');
    box.replaceChildren(el('p', { class: 'busy', text: 'Computing…' }));
    try {
      const post = (url, body) => json(url, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body) });
      const conv = await post('/v1/explain/convolution', { input: INPUT, kernel: 'sobel-x', stride: 1, padding: 'same' });
      const losses = await Promise.all(Object.values(NETWORKS).map((predicted) =>
        post('/v1/explain/loss', { predicted, labels: LABELS })));
      box.replaceChildren(
        el('p', { text: 'A 3×3 kernel (Sobel x) slides over a 5×5 input with one row and column of zeros around it '
          + '("same" padding): each output is the sum of the nine products of kernel and window. ReLU keeps the '
          + 'positive values; 2×2 max pooling with stride 2 keeps the largest of each window, a window over the edge '
          + 'the largest of what it covers. Exact arithmetic, no rounding.' }),
        el('div', { class: 'xl-detail' }, matrix('input', conv.input.values, 'input'),
          el('span', { class: 'xl-op', text: '∗' }), matrix('kernel', conv.kernel.weights, 'kernel'),
          el('span', { class: 'xl-op', text: '=' }), matrix('feature map', conv.featureMap, 'featureMap'),
          el('span', { class: 'xl-op', text: '→' }), matrix('ReLU', conv.rectified, 'rectified'),
          el('span', { class: 'xl-op', text: '→' }), matrix('2×2 max pool', conv.pooled, 'pooled')),
        el('p', { text: 'Two networks classify the same three examples; each gets one wrong, so their '
          + 'classification error is the same, but mean squared error and cross-entropy see that the second is '
          + 'more confident when right:' }),
        el('table', { class: 'xl-losses' },
          el('thead', {}, el('tr', {}, ['', 'classification error', 'mean squared error', 'cross-entropy']
            .map((t) => el('th', { scope: 'col', text: t })))),
          el('tbody', {}, Object.keys(NETWORKS).map((name, i) => el('tr', { dataset: { network: i + 1 } },
            el('th', { scope: 'row', text: name }), el('td', { text: number(losses[i].classificationError) }),
            el('td', { text: number(losses[i].meanSquaredError) }), el('td', { text: number(losses[i].crossEntropy) }))))));
      details.dataset.state = 'ready';
    } catch (e) {
      loaded = false;
      const box2 = el('div', { class: 'error', role: 'alert' });
      box.replaceChildren(box2);
      showError(box2, e, 'Worked examples');
    }
  });
}
