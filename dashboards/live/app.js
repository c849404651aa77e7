// Minimal live view: a snapshot on connect, then coalesced deltas from the gateway.
const rows = new Map();
const rooms = document.getElementById('rooms');
const connection = document.getElementById('connection');

function format(value, unit) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'ON' : 'OFF';
  return `${Number(value.toFixed(2))} ${unit}`;
}

function age(ts) {
  if (!ts) return '';
  const s = Math.round((Date.now() - ts) / 1000);
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)} min ago`;
}

function sectionFor(info) {
  const key = `${info.building}/${info.room}`;
  let section = document.getElementById(key);
  if (!section) {
    section = document.createElement('section');
    section.id = key;
    section.innerHTML = `<h2></h2><table><tbody></tbody></table>`;
    section.querySelector('h2').textContent = `${info.building} · ${info.room}`;
    rooms.appendChild(section);
  }
  return section.querySelector('tbody');
}

function render(id) {
  const row = rows.get(id);
  const v = row.value;
  const quality = v ? v.quality : 'no-data';
  row.tr.className = `q-${quality}`;
  row.valueCell.textContent = format(v ? v.value : null, row.info.unit);
  row.qualityCell.textContent = quality === 'good' ? '' : `${quality} ${v ? age(v.ts) : ''}`;
}

function addRow(info, value) {
  const tr = document.createElement('tr');
  tr.dataset.point = info.id;
  const label = document.createElement('td');
  label.textContent = `${info.deviceName} — ${info.label}`;
  const valueCell = document.createElement('td');
  valueCell.className = 'value';
  const qualityCell = document.createElement('td');
  tr.append(label, valueCell, qualityCell);
  sectionFor(info).appendChild(tr);
  rows.set(info.id, { info, value, tr, valueCell, qualityCell });
  render(info.id);
}

const socket = io();
socket.on('connect', () => {
  connection.textContent = 'live';
  connection.className = 'conn-ok';
});
socket.on('disconnect', () => {
  connection.textContent = 'connection lost';
  connection.className = 'conn-lost';
});
socket.on('snapshot', (points) => {
  rooms.textContent = '';
  rows.clear();
  for (const { info, value } of points) addRow(info, value);
});
socket.on('points', (values) => {
  for (const v of values) {
    const row = rows.get(v.id);
    if (!row) continue;
    row.value = v;
    render(v.id);
  }
});
setInterval(() => {
  for (const id of rows.keys()) if (rows.get(id).value?.quality !== 'good') render(id);
}, 5000);
