// The cluster panel and the header's summary: GET /v1/cluster (every instance that answered a ping).
import { json } from './api.js';
import { $, el, showError, hideError, duration, every } from './dom.js';

export function initCluster() {
  $('#cluster-refresh').addEventListener('click', loadCluster);
  every(15000, loadCluster);
}

export async function loadCluster() {
  const pill = $('#cluster-pill');
  try {
    const cluster = await json('/v1/cluster');
    hideError($('#cluster-error'));
    render(cluster.instances);
    const ready = cluster.instances.filter((i) => i.ready).length;
    const services = new Set(cluster.instances.map((i) => i.service)).size;
    const text = cluster.count + (cluster.count === 1 ? ' instance' : ' instances') + ', ' + ready + ' ready';
    $('#cluster-summary').textContent = text + ' · ' + services + (services === 1 ? ' service' : ' services');
    pill.textContent = 'cluster: ' + text;
    pill.className = 'pill ' + (ready === cluster.count && ready > 0 ? 'ok' : 'warn');
  } catch (e) {
    showError($('#cluster-error'), e, 'Cluster');
    pill.textContent = 'cluster: unreachable';
    pill.className = 'pill bad';
  }
}

function render(instances) {
  const rows = instances.map((i) => el('tr', { dataset: { service: i.service, instance: i.instanceId, ready: String(i.ready) } },
    el('td', { text: i.service }),
    el('td', {}, el('code', { text: i.instanceId })),
    el('td', {}, el('span', { class: 'badge ' + (i.ready ? 'ready' : 'not-ready'), text: i.ready ? 'ready' : 'not ready' })),
    el('td', { text: i.version }),
    el('td', { text: i.host }),
    el('td', { class: 'num', text: duration(i.uptimeMs) }),
    el('td', { class: 'details', text: Object.entries(i.details || {}).map(([k, v]) => k + ': ' + v).join(' · ') })));
  if (!rows.length) {
    rows.push(el('tr', {}, el('td', { colspan: '7', class: 'details', text: 'No instance answered the ping.' })));
  }
  $('#cluster-table tbody').replaceChildren(...rows);
}
