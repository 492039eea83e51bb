// The Pipeline dashboard: plain JavaScript over the service's own APIs, no framework, no build step.
// Views are hash routes (#/, #/robot/ID, #/patterns, #/alerts, #/tail); the shown view refreshes every
// few seconds, the charts sample /metrics and the fleet on every tick whatever the view.
'use strict';

const TokenKey = 'pipeline.ops_token';
const TickMs = 3000;
const ChartPoints = 120;
const TailLines = 500;
const FleetPage = 200;

let token = sessionStorage.getItem(TokenKey);
let current = null; // { name, refresh(), stop() }
const samples = { events: [], errors: [], last: null };

function h(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) {
    if (kid !== undefined && kid !== null) node.append(kid instanceof Node ? kid : String(kid));
  }
  return node;
}

function fill(id, ...kids) {
  const node = document.getElementById(id);
  if (node) node.replaceChildren(...kids.flat());
}

class AuthNeeded extends Error {}

function authHeaders(extra) {
  const headers = Object.assign({}, extra || {});
  if (token) headers.Authorization = 'Bearer ' + token;
  return headers;
}

// One call to the API: {status, body}. A 401 shows the token form and throws.
async function api(path, options) {
  const init = Object.assign({}, options || {});
  init.headers = authHeaders(init.headers);
  const response = await fetch(path, init);
  if (response.status === 401) {
    askToken();
    throw new AuthNeeded('ops token needed');
  }
  const text = await response.text();
  let body = text;
  try { body = text ? JSON.parse(text) : null; } catch { /* text/plain bodies stay text */ }
  return { status: response.status, body };
}

function askToken() {
  const form = document.getElementById('token-form');
  form.hidden = false;
  document.getElementById('token-input').focus();
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = document.getElementById('token-input').value.trim() || null;
  if (token) sessionStorage.setItem(TokenKey, token); else sessionStorage.removeItem(TokenKey);
  e.target.hidden = true;
  route();
});

function ago(seconds) {
  if (seconds === undefined || seconds === null) return '';
  if (seconds < 60) return Math.round(seconds) + 's ago';
  if (seconds < 3600) return Math.round(seconds / 60) + 'm ago';
  if (seconds < 86400) return Math.round(seconds / 3600) + 'h ago';
  return Math.round(seconds / 86400) + 'd ago';
}

function json(value) { return JSON.stringify(value, null, 2); }

function flat(value) {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  return Object.entries(value).map(([k, v]) => k + '=' + (typeof v === 'object' ? JSON.stringify(v) : v)).join(' ');
}

function errorLine(result, what) {
  const message = result.body && result.body.error ? result.body.error : 'HTTP ' + result.status;
  return h('p', { class: 'error' }, what + ': ' + message);
}

// Charts: hand-written SVG polylines over the last ChartPoints samples.
function chart(id, title, points, color) {
  const width = 360, height = 90;
  const max = Math.max(1, ...points);
  const step = width / Math.max(1, ChartPoints - 1);
  const offset = ChartPoints - points.length;
  const coords = points.map((v, i) => ((offset + i) * step).toFixed(1) + ',' + (height - (v / max) * (height - 4)).toFixed(1)).join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', width); svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', coords); line.setAttribute('fill', 'none');
  line.setAttribute('stroke', color); line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  const last = points.length ? points[points.length - 1] : 0;
  return h('div', { class: 'chart', id },
    h('div', null, h('strong', null, title), ' ', h('span', { class: 'muted' }, last.toFixed(1) + '/s now, max ' + max.toFixed(1))),
    svg);
}

function sumMetric(text, name) {
  let total = 0, found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(name + '{') || line.startsWith(name + ' ')) {
      const value = parseFloat(line.slice(line.lastIndexOf(' ') + 1));
      if (!Number.isNaN(value)) { total += value; found = true; }
    }
  }
  return found ? total : 0;
}

function push(series, value) {
  series.push(value);
  if (series.length > ChartPoints) series.shift();
}

// Throughput: pipeline_ingest_events_total per second; errors: ERROR and CRITICAL events per second,
// from the fleet's errors in the last hour (a difference, never below 0 as minutes leave the hour).
async function sample() {
  const at = performance.now();
  const metrics = await fetch('/metrics').then((r) => r.text());
  const fleet = await api('/api/robots?limit=0');
  const events = sumMetric(metrics, 'pipeline_ingest_events_total');
  const errors = fleet.status === 200 ? (fleet.body.errors_last_hour || 0) : 0;
  if (samples.last) {
    const seconds = Math.max(0.001, (at - samples.last.at) / 1000);
    push(samples.events, Math.max(0, events - samples.last.events) / seconds);
    push(samples.errors, Math.max(0, errors - samples.last.errors) / seconds);
  }
  samples.last = { at, events, errors };
}

// ---- views ----

function fleetView() {
  let query = '';
  let offset = 0;
  const view = h('div', null,
    h('div', { id: 'fleet-summary' }),
    h('div', { class: 'charts', id: 'charts' }),
    h('h2', null, 'Robots'),
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); query = e.target.q.value; offset = 0; refresh(); } },
      h('label', null, 'robot id contains', h('input', { name: 'q', id: 'fleet-q' })),
      h('button', { type: 'submit' }, 'Filter')),
    h('div', { id: 'fleet' }));
  fill('view', view);

  async function refresh() {
    fill('charts', chart('chart-events', 'Events', samples.events, '#0b5cad'), chart('chart-errors', 'Errors', samples.errors, '#c62828'));
    const params = new URLSearchParams({ limit: FleetPage, offset, status: 'true' });
    if (query) params.set('q', query);
    const result = await api('/api/robots?' + params);
    if (result.status !== 200) { fill('fleet', errorLine(result, 'robots')); return; }
    const b = result.body;
    fill('fleet-summary', h('p', null, h('strong', { id: 'online-count' }, b.online), ' of ', b.total, ' robots online · ',
      b.events_last_hour, ' events and ', b.errors_last_hour, ' errors in the last hour'));
    const rows = b.robots.map((r) => h('tr', { 'data-robot': r.robot_id },
      h('td', null, h('a', { href: '#/robot/' + encodeURIComponent(r.robot_id) }, r.robot_id)),
      h('td', null, h('span', { class: 'badge ' + (r.online ? 'online' : 'offline') }, r.online ? 'online' : 'offline')),
      h('td', { class: 'num' }, r.session),
      h('td', null, ago(r.last_seen_seconds_ago)),
      h('td', null, r.protocol || '', ' ', h('span', { class: 'muted' }, r.remote || '')),
      h('td', { class: 'num' }, r.events_last_hour),
      h('td', { class: 'num' + (r.errors_last_hour ? ' error' : '') }, r.errors_last_hour),
      h('td', { class: 'muted' }, flat(r.status))));
    const more = b.matched > offset + b.robots.length;
    fill('fleet',
      h('table', { id: 'fleet-table' },
        h('thead', null, h('tr', null, ['robot', 'state', 'session', 'last seen', 'connection', 'events/h', 'errors/h', 'status']
          .map((t, i) => h('th', { class: i === 2 || i === 5 || i === 6 ? 'num' : null }, t)))),
        h('tbody', null, rows)),
      h('p', { class: 'muted' }, `robots ${b.matched ? offset + 1 : 0}–${offset + b.robots.length} of ${b.matched} `,
        offset > 0 ? h('button', { onclick: () => { offset = Math.max(0, offset - FleetPage); refresh(); } }, 'previous') : null,
        more ? h('button', { onclick: () => { offset += FleetPage; refresh(); } }, 'next') : null));
  }

  return { name: 'fleet', refresh, stop() {} };
}

function robotView(id) {
  const path = '/api/robots/' + encodeURIComponent(id);
  const view = h('div', null,
    h('h2', null, 'Robot ', h('span', { id: 'robot-id' }, id)),
    h('div', { id: 'robot-summary' }),
    h('h2', null, 'Send a command'),
    h('form', { class: 'inline', id: 'command-form', onsubmit: send },
      h('label', null, 'command', h('input', { name: 'command', id: 'command-name', value: 'get_status', required: true })),
      h('label', null, 'params (JSON object)', h('input', { name: 'params', id: 'command-params', value: '{}', size: 30 })),
      h('label', null, 'timeout', h('input', { name: 'timeout', id: 'command-timeout', value: '10s', size: 5 })),
      h('button', { type: 'submit', id: 'command-send' }, 'Send')),
    h('pre', { id: 'command-answer' }, 'no command sent yet'),
    h('div', { class: 'grid' },
      h('div', null, h('h2', null, 'Status'), h('pre', { id: 'robot-status' })),
      h('div', null, h('h2', null, 'Config'), h('pre', { id: 'robot-config' })),
      h('div', null, h('h2', null, 'Logs (the robot\'s answer)'), h('pre', { id: 'robot-logs' }))),
    h('h2', null, 'Recent events'),
    h('div', { id: 'robot-events' }));
  fill('view', view);

  async function send(e) {
    e.preventDefault();
    const form = e.target;
    let params;
    try { params = JSON.parse(form.params.value || '{}'); } catch (err) {
      fill('command-answer', 'params is not JSON: ' + err.message); return;
    }
    fill('command-answer', 'sending…');
    const result = await api(path + '/commands', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: form.command.value, params, timeout: form.timeout.value }),
    });
    fill('command-answer', 'HTTP ' + result.status + '\n' + json(result.body));
  }

  // Only what the robot reported (the robot's own summary says which): no 404 per refresh for a TCP robot,
  // which cannot be asked.
  async function state(kind, known) {
    const target = 'robot-' + kind;
    if (!known) { fill(target, `not reported yet: the service asks a robot on each new WebSocket session (TCP robots cannot be asked)`); return; }
    const result = await api(path + '/' + kind);
    if (result.status !== 200) { fill(target, result.body && result.body.error ? result.body.error : 'HTTP ' + result.status); return; }
    const b = result.body;
    fill(target, json(b.value) + `\n\n(${ago(b.age_seconds)}${b.stale ? ', stale' : ''}, from ${b.source})`);
  }

  async function refresh() {
    const result = await api(path);
    if (result.status !== 200) { fill('robot-summary', errorLine(result, 'robot')); return; }
    const r = result.body;
    fill('robot-summary', h('p', null,
      h('span', { class: 'badge ' + (r.online ? 'online' : 'offline') }, r.online ? 'online' : 'offline'),
      ` session ${r.session} · last seen ${ago(r.last_seen_seconds_ago)} · ${r.protocol || ''} ${r.remote || ''} · `,
      `${r.events_last_hour} events, ${r.errors_last_hour} errors in the last hour · ${r.connections.length} connection(s)`));
    await Promise.all(['status', 'config', 'logs'].map((kind) => state(kind, r.state && r.state[kind])));
    const events = await api(path + '/logs?source=pipeline&limit=50');
    if (events.status !== 200) { fill('robot-events', errorLine(events, 'events')); return; }
    fill('robot-events', eventTable(events.body.events.slice().reverse(), 'robot-events-table'));
  }

  return { name: 'robot', refresh, stop() {} };
}

function eventTable(events, id) {
  return h('table', { id },
    h('thead', null, h('tr', null, ['time', 'level', 'robot', 'type', 'message', 'attributes'].map((t) => h('th', null, t)))),
    h('tbody', null, events.map((e) => h('tr', null,
      h('td', { class: 'muted' }, e.ts || ''),
      h('td', { class: 'lvl-' + e.level }, e.level || ''),
      h('td', null, e.robot_id || ''),
      h('td', null, e.type || ''),
      h('td', null, e.msg || ''),
      h('td', { class: 'muted' }, flat(e.attrs))))));
}

function patternsView() {
  fill('view', h('div', null, h('h2', null, 'Top patterns'), h('div', { id: 'patterns' }), h('h2', null, 'Anomalies'), h('div', { id: 'anomalies' })));

  async function refresh() {
    const [patterns, anomalies] = await Promise.all([api('/api/patterns?top=25'), api('/api/patterns/anomalies?limit=25')]);
    fill('patterns', patterns.status !== 200 ? errorLine(patterns, 'patterns') : h('table', { id: 'patterns-table' },
      h('thead', null, h('tr', null, h('th', null, 'template'), h('th', { class: 'num' }, 'count'), h('th', { class: 'num' }, 'rate/s'), h('th', null, 'last seen'), h('th', null, 'id'))),
      h('tbody', null, patterns.body.templates.map((t) => h('tr', null,
        h('td', null, t.template), h('td', { class: 'num' }, t.count),
        h('td', { class: 'num' }, t.rate_per_s === undefined || t.rate_per_s === null ? '' : t.rate_per_s),
        h('td', { class: 'muted' }, t.last_seen || ''), h('td', { class: 'muted' }, t.id_str || t.id_hex))))));
    fill('anomalies', anomalies.status !== 200 ? errorLine(anomalies, 'anomalies')
      : anomalies.body.anomalies.length === 0 ? h('p', { class: 'muted' }, 'no anomalies')
      : h('table', { id: 'anomalies-table' },
        h('thead', null, h('tr', null, ['time', 'kind', 'robot', 'template', 'value', 'baseline', 'message'].map((t) => h('th', null, t)))),
        h('tbody', null, anomalies.body.anomalies.map((a) => h('tr', null,
          h('td', { class: 'muted' }, a.time), h('td', null, a.kind), h('td', null, a.robot_id || ''),
          h('td', null, a.template || ''), h('td', { class: 'num' }, a.value), h('td', { class: 'num' }, a.baseline),
          h('td', { class: 'muted' }, a.message || ''))))));
  }

  return { name: 'patterns', refresh, stop() {} };
}

function alertsView() {
  fill('view', h('div', null, h('h2', null, 'Alerts'), h('div', { id: 'alerts' }), h('h2', null, 'Silences'), h('div', { id: 'silences' })));

  async function refresh() {
    const [alerts, silences] = await Promise.all([api('/api/alerts'), api('/api/silences')]);
    if (alerts.status !== 200) { fill('alerts', errorLine(alerts, 'alerts')); fill('silences'); return; }
    const rows = alerts.body.active.concat(alerts.body.resolved).map((a) => h('tr', { 'data-rule': a.rule },
      h('td', null, h('span', { class: 'badge ' + a.state }, a.state)), h('td', null, a.rule), h('td', null, a.group_key || ''),
      h('td', { class: 'num' }, a.value), h('td', { class: 'muted' }, a.since || ''),
      h('td', null, a.silenced ? 'silenced' : '', a.flapping ? ' flapping' : '')));
    fill('alerts', rows.length === 0 ? h('p', { class: 'muted' }, 'no alerts') : h('table', { id: 'alerts-table' },
      h('thead', null, h('tr', null, ['state', 'rule', 'group', 'value', 'since', ''].map((t) => h('th', null, t)))), h('tbody', null, rows)));
    const list = silences.status === 200 ? silences.body.silences : [];
    fill('silences', list.length === 0 ? h('p', { class: 'muted' }, 'no silences') : h('table', { id: 'silences-table' },
      h('thead', null, h('tr', null, ['id', 'matchers', 'until', 'comment'].map((t) => h('th', null, t)))),
      h('tbody', null, list.map((s) => h('tr', null, h('td', null, s.id),
        h('td', null, (s.matchers || []).map((m) => m.name + (m.is_regex ? '=~' : '=') + m.value).join(', ')),
        h('td', { class: 'muted' }, s.until || ''), h('td', null, s.comment || ''))))));
  }

  return { name: 'alerts', refresh, stop() {} };
}

// The live tail: GET /api/tail as Server-Sent Events, read with fetch so the ops token goes in the
// Authorization header (EventSource cannot send headers, and a token in the URL ends up in logs).
function tailView() {
  let controller = null;
  let dropped = 0;
  const lines = [];
  const fields = ['robot', 'site', 'type', 'template_id', 'grep', 'sample'];
  fill('view', h('div', null,
    h('h2', null, 'Live tail'),
    h('form', { class: 'inline', id: 'tail-form', onsubmit: (e) => { e.preventDefault(); start(e.target); } },
      fields.map((f) => h('label', null, f, h('input', { name: f, id: 'tail-' + f, size: f === 'grep' ? 20 : 10 }))),
      h('label', null, 'level (minimum)', h('select', { name: 'level', id: 'tail-level' },
        ['', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'].map((l) => h('option', { value: l }, l || 'any')))),
      h('button', { type: 'submit', id: 'tail-start' }, 'Start'),
      h('button', { type: 'button', id: 'tail-stop', onclick: stop }, 'Stop')),
    h('p', { id: 'tail-state', class: 'muted' }, 'stopped'),
    h('pre', { id: 'tail-lines' })));

  function show() {
    fill('tail-lines', lines.map((e) => h('div', { class: 'lvl-' + e.level },
      `${e.ts || ''} ${e.level || ''} ${e.robot_id || ''} ${e.type ? '[' + e.type + '] ' : ''}${e.msg || ''} ${e.attrs ? JSON.stringify(e.attrs) : ''}`)));
  }

  // The service drops for a viewer that reads too slowly, and says how many: shown until the next start.
  function counts(state) {
    return `${state} · ${lines.length} shown` + (dropped ? ` · ${dropped} dropped (the tail was faster than this page)` : '');
  }

  function onMessage(type, data) {
    if (type === 'dropped') { dropped += JSON.parse(data).dropped || 0; }
    else if (type === 'event') {
      lines.unshift(JSON.parse(data));
      if (lines.length > TailLines) lines.pop();
    }
    fill('tail-state', counts('tailing'));
    show();
  }

  async function start(form) {
    stop();
    const params = new URLSearchParams();
    for (const f of fields.concat('level')) if (form[f].value) params.set(f, form[f].value);
    controller = new AbortController();
    lines.length = 0; dropped = 0; show();
    let response;
    try {
      response = await fetch('/api/tail?' + params, { headers: authHeaders({ Accept: 'text/event-stream' }), signal: controller.signal });
    } catch (err) { if (err.name !== 'AbortError') fill('tail-state', 'tail failed: ' + err.message); return; }
    if (response.status === 401) { askToken(); fill('tail-state', 'an ops token is needed'); return; }
    if (response.status !== 200) {
      const text = await response.text();
      let message = text; try { message = JSON.parse(text).error || text; } catch { /* not JSON */ }
      fill('tail-state', h('span', { class: 'error' }, `tail refused (HTTP ${response.status}): ${message}`));
      return;
    }
    fill('tail-state', 'tailing · waiting for events');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length) onMessage(type, data.join('\n'));
        }
      }
      fill('tail-state', counts('the service ended the tail'));
    } catch (err) {
      if (err.name !== 'AbortError') fill('tail-state', counts('tail ended: ' + err.message));
    }
  }

  function stop() {
    if (controller) { controller.abort(); controller = null; fill('tail-state', 'stopped'); }
  }

  return { name: 'tail', refresh: async () => {}, stop };
}

// ---- routing and the tick ----

function route() {
  if (current) current.stop();
  const hash = location.hash || '#/';
  const robot = hash.match(/^#\/robot\/(.+)$/);
  current = robot ? robotView(decodeURIComponent(robot[1]))
    : hash === '#/patterns' ? patternsView()
    : hash === '#/alerts' ? alertsView()
    : hash === '#/tail' ? tailView()
    : fleetView();
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === current.name);
  tick();
}

let ticking = false;
async function tick() {
  if (ticking) return;
  ticking = true;
  try {
    await sample();
    await current.refresh();
    fill('status', 'updated ' + new Date().toLocaleTimeString());
  } catch (err) {
    fill('status', err instanceof AuthNeeded ? 'ops token needed' : 'update failed: ' + err.message);
  } finally {
    ticking = false;
  }
}

window.addEventListener('hashchange', route);
setInterval(tick, TickMs);
route();
