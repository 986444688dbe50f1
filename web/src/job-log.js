// The job page: its log, followed over the log stream (Server-Sent Events) while the job runs, and the
// header and side panel refreshed when the job starts and ends.
import { LogView } from './log-view.js';

async function refreshPanels(pageUrl) {
  const response = await fetch(pageUrl, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
  for (const id of ['job-header', 'job-sidebar']) {
    const fresh = doc.getElementById(id);
    const current = document.getElementById(id);
    if (fresh && current) current.replaceWith(document.importNode(fresh, true));
  }
}

function start() {
  const root = document.getElementById('log');
  if (!root) return;
  const view = new LogView(root);
  const finished = root.dataset.finished === 'true';
  let sawOutput = false;
  const source = new EventSource(root.dataset.stream, { withCredentials: true });
  view.status.textContent = finished ? '' : 'Waiting for the log…';
  source.addEventListener('log', (event) => {
    const { content } = JSON.parse(event.data);
    view.append(content);
    if (!finished) view.status.textContent = 'Following the live log';
    if (!sawOutput && !finished) {
      sawOutput = true;
      refreshPanels(root.dataset.page).catch(() => undefined);
    }
  });
  source.addEventListener('end', (event) => {
    source.close();
    const { status } = JSON.parse(event.data);
    view.status.textContent = finished ? '' : `Job finished: ${status}`;
    if (!finished) refreshPanels(root.dataset.page).catch(() => undefined);
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) view.status.textContent = 'The log could not be loaded. Reload the page to try again.';
    else view.status.textContent = 'Connection lost, reconnecting…';
  });
}

start();
