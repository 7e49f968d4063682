// Learning curves on a <canvas>: training (solid) and validation (dashed) per epoch, plus a hollow
// point for the running mean of the epoch in progress. Sharp on high-DPI screens, redrawn on resize.

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const MARGIN = { left: 46, right: 12, top: 12, bottom: 26 };

export class LineChart {
  /** options: name (for the accessible label), clamp [lo, hi] the y range never leaves, format(y). */
  constructor(canvas, options) {
    this.canvas = canvas;
    this.options = options;
    this.reset();
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  reset() {
    this.train = [];
    this.val = [];
    this.live = null;
    this.xMax = 1;
    this.draw();
  }

  /** points: [{x, train, val}] sorted by x; live: {x, y} or null; epochs: the planned number. */
  set(points, live, epochs) {
    this.train = points.filter((p) => isFinite(p.train)).map((p) => ({ x: p.x, y: p.train }));
    this.val = points.filter((p) => isFinite(p.val)).map((p) => ({ x: p.x, y: p.val }));
    this.live = live && isFinite(live.y) ? live : null;
    const lastX = Math.max(0, ...points.map((p) => p.x), this.live ? Math.ceil(this.live.x) : 0);
    this.xMax = Math.max(1, epochs || 0, lastX);
    this.canvas.dataset.points = String(points.length);
    this.canvas.dataset.live = this.live ? 'true' : 'false';
    this.draw();
  }

  draw() {
    const canvas = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);

    const style = getComputedStyle(document.documentElement);
    const color = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    const colors = {
      train: color('--train', '#1d4ed8'), val: color('--val', '#d9480f'),
      grid: '#e8ebf0', axis: '#9aa3b2', text: color('--muted', '#5c6675'),
    };
    const plot = {
      x0: MARGIN.left, x1: width - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top,
    };
    const ys = [...this.train, ...this.val, ...(this.live ? [this.live] : [])].map((p) => p.y);
    const [lo, hi] = niceRange(ys, this.options.clamp);
    const sx = (x) => plot.x0 + (x / this.xMax) * (plot.x1 - plot.x0);
    const sy = (y) => plot.y0 - ((y - lo) / (hi - lo)) * (plot.y0 - plot.y1);

    // grid and y labels
    g.font = FONT;
    g.fillStyle = colors.text;
    g.strokeStyle = colors.grid;
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (const y of ticks(lo, hi, 5)) {
      const py = Math.round(sy(y)) + 0.5;
      g.beginPath();
      g.moveTo(plot.x0, py);
      g.lineTo(plot.x1, py);
      g.stroke();
      g.fillText(this.options.format(y), plot.x0 - 6, py);
    }
    // x axis: whole epochs
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const step = Math.max(1, Math.ceil(this.xMax / 10));
    for (let x = step; x <= this.xMax; x += step) {
      const px = Math.round(sx(x)) + 0.5;
      g.strokeStyle = colors.grid;
      g.beginPath();
      g.moveTo(px, plot.y0);
      g.lineTo(px, plot.y1);
      g.stroke();
      g.fillText(String(x), px, plot.y0 + 6);
    }
    g.strokeStyle = colors.axis;
    g.beginPath();
    g.moveTo(plot.x0 + 0.5, plot.y1);
    g.lineTo(plot.x0 + 0.5, plot.y0 + 0.5);
    g.lineTo(plot.x1, plot.y0 + 0.5);
    g.stroke();

    if (!this.train.length && !this.val.length && !this.live) {
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillStyle = colors.text;
      g.fillText('waiting for the first epoch…', (plot.x0 + plot.x1) / 2, (plot.y0 + plot.y1) / 2);
    }
    series(g, this.val, sx, sy, colors.val, [6, 4]);
    series(g, this.train, sx, sy, colors.train, []);
    if (this.live) {
      // the epoch in progress: a dotted link from the last epoch to a hollow point
      const last = this.train[this.train.length - 1];
      g.strokeStyle = colors.train;
      g.setLineDash([2, 3]);
      if (last) {
        g.beginPath();
        g.moveTo(sx(last.x), sy(last.y));
        g.lineTo(sx(this.live.x), sy(this.live.y));
        g.stroke();
      }
      g.setLineDash([]);
      g.fillStyle = '#fff';
      g.lineWidth = 2;
      g.beginPath();
      g.arc(sx(this.live.x), sy(this.live.y), 3.5, 0, 2 * Math.PI);
      g.fill();
      g.stroke();
    }
    this.canvas.setAttribute('aria-label', this.describe());
  }

  describe() {
    const name = this.options.name;
    if (!this.train.length) return name + ' per epoch: no epochs yet';
    const t = this.train[this.train.length - 1];
    const v = this.val.find((p) => p.x === t.x);
    return name + ' per epoch, ' + this.train.length + ' epochs; epoch ' + t.x + ': training '
      + this.options.format(t.y) + (v ? ', validation ' + this.options.format(v.y) : '');
  }
}

function series(g, points, sx, sy, color, dash) {
  if (!points.length) return;
  g.strokeStyle = color;
  g.fillStyle = color;
  g.lineWidth = 2;
  g.setLineDash(dash);
  g.beginPath();
  points.forEach((p, i) => (i ? g.lineTo(sx(p.x), sy(p.y)) : g.moveTo(sx(p.x), sy(p.y))));
  g.stroke();
  g.setLineDash([]);
  for (const p of points) {
    g.beginPath();
    g.arc(sx(p.x), sy(p.y), 3, 0, 2 * Math.PI);
    g.fill();
  }
}

/** A y range around the values on round numbers, inside clamp. */
function niceRange(values, clamp) {
  const [cLo, cHi] = clamp || [-Infinity, Infinity];
  if (!values.length) return [isFinite(cLo) ? cLo : 0, isFinite(cHi) ? cHi : 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const span = hi - lo || Math.abs(hi) || 1;
  lo -= span * 0.1;
  hi += span * 0.1;
  const unit = niceStep(hi - lo, 5);
  lo = Math.max(cLo, Math.floor(lo / unit) * unit);
  hi = Math.min(cHi, Math.ceil(hi / unit) * unit);
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

function niceStep(span, count) {
  const raw = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

function ticks(lo, hi, count) {
  const step = niceStep(hi - lo, count);
  const out = [];
  for (let y = Math.ceil(lo / step) * step; y <= hi + step * 1e-9; y += step) {
    out.push(Math.round(y / step) * step);
  }
  return out;
}
