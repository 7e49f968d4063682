// The drawing pad: a 28x28 canvas (MNIST's field), light ink on black, drawn with mouse, pen or finger
// through pointer events and shown enlarged. The drawing leaves as a PNG of those 28x28 pixels.

const SIDE = 28;
const INK = 2.4;  // stroke width in pad pixels: MNIST's pen is about 2 to 3 pixels wide

/**
 * @param canvas   the pad (28x28 pixels, enlarged by CSS)
 * @param onChange called as strokes grow ({final: false}) and when one ends ({final: true})
 */
export function drawingPad(canvas, onChange) {
  canvas.width = SIDE;
  canvas.height = SIDE;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  let last = null;
  let strokes = 0;

  const clear = () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, SIDE, SIDE);
    strokes = 0;
    canvas.dataset.strokes = '0';
  };
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * SIDE / r.width, (e.clientY - r.top) * SIDE / r.height];
  };
  const line = (from, to) => {
    g.strokeStyle = '#fff';
    g.fillStyle = '#fff';
    g.lineWidth = INK;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(from[0], from[1]);
    g.lineTo(to[0], to[1]);
    g.stroke();
  };

  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    line(last, [last[0] + 0.01, last[1]]);  // a tap leaves a dot
    onChange({ final: false });
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    const next = at(e);
    line(last, next);
    last = next;
    onChange({ final: false });
  });
  const end = () => {
    if (!last) return;
    last = null;
    strokes++;
    canvas.dataset.strokes = String(strokes);
    onChange({ final: true });
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  clear();

  return {
    clear,
    /** Whether anything was drawn since the last clear. */
    empty: () => strokes === 0 && !last,
    /** The drawing as a PNG. */
    png: () => new Promise((resolve) => canvas.toBlob(resolve, 'image/png')),
  };
}
