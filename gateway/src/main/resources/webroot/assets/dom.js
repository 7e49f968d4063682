// Small DOM and formatting helpers shared by the page's sections.
import { hintFor } from './api.js';

export const $ = (selector, root = document) => root.querySelector(selector);

/** el('td', {class: 'num', text: '3'}, child...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** Shows an ApiError (or any Error) in an alert box: status and code, the message, a hint (the page-wide one by default). */
export function showError(box, error, prefix = '', hint = undefined) {
  box.replaceChildren();
  const status = error.status !== undefined
    ? (error.status ? error.status + ' ' : '') + (error.code || '') : 'Error';
  box.append(el('strong', { text: (prefix ? prefix + ': ' : '') + status }), error.message);
  const advice = hint ?? (error.status !== undefined ? hintFor(error) : '');
  if (advice) box.append(el('span', { class: 'hint', text: advice }));
  box.dataset.status = error.status ?? '';
  box.dataset.code = error.code ?? '';
  box.hidden = false;
}

export function hideError(box) {
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.status;
  delete box.dataset.code;
}

export function setProgress(bar, fraction) {
  const pct = Math.max(0, Math.min(100, Math.round(fraction * 1000) / 10));
  bar.setAttribute('aria-valuenow', String(pct));
  bar.firstElementChild.style.width = pct + '%';
}

export const percent = (p) => (p * 100).toFixed(1) + '%';
export const fixed = (x, digits = 3) => (typeof x === 'number' && isFinite(x) ? x.toFixed(digits) : '-');

export function ms(x) {
  if (typeof x !== 'number' || !isFinite(x)) return '-';
  return x < 10 ? x.toFixed(1) + ' ms' : Math.round(x) + ' ms';
}

export function duration(millis) {
  const s = Math.floor(millis / 1000);
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + (s % 60) + ' s';
  const h = Math.floor(m / 60);
  if (h < 48) return h + ' h ' + (m % 60) + ' min';
  return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
}

export function time(millis) {
  if (!millis) return '-';
  const d = new Date(millis);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** Runs fn every `millis` while the page is visible (and once at once). */
export function every(millis, fn) {
  fn();
  setInterval(() => {
    if (document.visibilityState === 'visible') fn();
  }, millis);
}
