// Lists and the pipeline page refresh their live region every few seconds while something runs.
const INTERVAL_MS = 4000;

async function refresh() {
  const region = document.getElementById('live-region');
  if (!region || region.dataset.live !== 'on') return;
  if (!document.hidden) {
    try {
      const response = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
      if (response.ok) {
        const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
        const fresh = doc.getElementById('live-region');
        const focused = document.activeElement && region.contains(document.activeElement);
        if (fresh && !focused) region.replaceWith(document.importNode(fresh, true));
      }
    } catch {
      // Offline for a moment: try again next time.
    }
  }
  setTimeout(refresh, INTERVAL_MS);
}

setTimeout(refresh, INTERVAL_MS);
