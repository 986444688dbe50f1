// The job log's view: ANSI colours (anser), collapsible sections with durations, numbered linkable lines,
// and auto-scroll that stops when the reader scrolls up. Text always goes in through textContent: log
// output never becomes markup.
import Anser from 'anser';
import { applyColor } from './ansi-colors.js';

const SGR = /\x1b\[([0-9;]*)m/g;
const MARKER = /section_(start|end):(\d+):([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?\r?(?:\x1b\[0?K)?/g;
const BLOCK_LINES = 200;
const SLICE_MS = 12;

function formatSeconds(total) {
  const s = Math.max(0, total);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  return `${h > 0 ? `${pad(h)}:` : ''}${pad(m)}:${pad(s % 60)}`;
}

export class LogView {
  constructor(root) {
    this.root = root;
    this.lines = root.querySelector('#log-lines');
    this.status = root.querySelector('#log-status');
    this.follow = document.getElementById('log-follow');
    this.anser = new Anser();
    this.lineNo = 0;
    this.partial = '';
    this.partialEl = null;
    /** Complete lines not drawn yet, from queueStart on. */
    this.queue = [];
    this.queueStart = 0;
    this.draining = false;
    /** Open sections, innermost last; the bottom entry is the log itself. */
    this.stack = [{ body: this.lines, name: null, started: 0, header: null, block: null, count: 0 }];
    /** SGR sequences still in force at the end of the last line (colours carry across lines). */
    this.carried = [];
    this.pendingHash = /^#L\d+$/.test(location.hash) ? location.hash.slice(1) : null;
    this.bind();
  }

  bind() {
    this.root.addEventListener('scroll', () => {
      const atBottom = this.root.scrollHeight - this.root.scrollTop - this.root.clientHeight < 24;
      this.setFollow(atBottom);
    }, { passive: true });
    this.follow?.addEventListener('change', () => {
      if (this.follow.checked) this.scrollToEnd();
    });
    this.lines.addEventListener('click', (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const number = target?.closest('a.ln');
      if (number) {
        event.preventDefault();
        const id = number.getAttribute('href').slice(1);
        history.replaceState(null, '', `#${id}`);
        this.highlight(id);
        return;
      }
      const header = target?.closest('.section-header');
      if (header) this.toggle(header.parentElement);
    });
    this.lines.addEventListener('keydown', (event) => {
      const header = event.target instanceof Element ? event.target.closest('.section-header') : null;
      if (header && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        this.toggle(header.parentElement);
      }
    });
    document.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('[data-log]') : null;
      if (!button) return;
      const action = button.getAttribute('data-log');
      if (action === 'collapse-all' || action === 'expand-all') {
        for (const section of this.lines.querySelectorAll('.section')) this.toggle(section, action === 'collapse-all');
      } else if (action === 'top') {
        this.setFollow(false);
        this.root.scrollTop = 0;
      } else if (action === 'bottom') {
        this.setFollow(true);
        this.scrollToEnd();
      }
    });
  }

  setFollow(on) {
    if (this.follow) this.follow.checked = on;
  }

  following() {
    return this.follow ? this.follow.checked : false;
  }

  scrollToEnd() {
    this.root.scrollTop = this.root.scrollHeight;
  }

  toggle(section, collapse = !section.classList.contains('collapsed')) {
    section.classList.toggle('collapsed', collapse);
    section.querySelector(':scope > .section-header')?.setAttribute('aria-expanded', String(!collapse));
  }

  highlight(id) {
    const line = document.getElementById(id);
    if (!line) return false;
    for (const old of this.lines.querySelectorAll('.line.highlight')) old.classList.remove('highlight');
    for (let section = line.closest('.section'); section; section = section.parentElement?.closest('.section')) this.toggle(section, false);
    line.classList.add('highlight');
    this.setFollow(false);
    line.scrollIntoView({ block: 'center' });
    return true;
  }

  /** Appends decoded log text (any length, any split); lines are drawn in slices (see drain). */
  append(text) {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop();
    if (this.partialEl) {
      this.partialEl.remove();
      this.partialEl = null;
    }
    for (const line of parts) this.queue.push(line);
    if (!this.draining) this.drain();
  }

  /**
   * Draws queued lines for at most SLICE_MS, then yields so the page can paint and answer input before the
   * next slice: a 50,000-line log arrives as a few large stream chunks, which drawn at once would freeze the
   * page for most of a second each. Small live appends fit in one slice and show at once.
   */
  drain() {
    const deadline = performance.now() + SLICE_MS;
    let next = this.queueStart;
    while (next < this.queue.length) {
      this.addLine(this.queue[next++]);
      if (next % 64 === 0 && performance.now() > deadline) break;
    }
    const done = next >= this.queue.length;
    if (done) {
      this.queue = [];
      this.queueStart = 0;
    } else {
      this.queueStart = next;
    }
    this.draining = !done;
    if (done && this.partial !== '') {
      const saved = { lineNo: this.lineNo, carried: this.carried };
      this.partialEl = this.renderText(this.partial, true);
      this.lineNo = saved.lineNo;
      this.carried = saved.carried;
    }
    if (this.pendingHash && this.highlight(this.pendingHash)) this.pendingHash = null;
    else if (this.following()) this.scrollToEnd();
    if (!done) setTimeout(() => this.drain(), 0);
  }

  /** One line of the log: section markers split it into text pieces and section openings/closings. */
  addLine(raw) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let last = 0;
    let match;
    let headerFor = null;
    MARKER.lastIndex = 0;
    while ((match = MARKER.exec(line))) {
      const before = line.slice(last, match.index);
      if (headerFor) this.openSection(headerFor, before);
      else if (before !== '') this.renderText(before, false);
      headerFor = null;
      const [, kind, time, name, options] = match;
      if (kind === 'start') headerFor = { name, time: Number(time), collapsed: /collapsed=true/.test(options ?? '') };
      else this.closeSection(name, Number(time));
      last = MARKER.lastIndex;
    }
    const rest = line.slice(last);
    if (headerFor) this.openSection(headerFor, rest);
    else if (rest !== '' || last === 0) this.renderText(rest, false);
  }

  openSection(start, headerText) {
    const section = document.createElement('div');
    section.className = 'section';
    section.dataset.section = start.name;
    const header = this.renderText(headerText || start.name, false, section);
    header.classList.add('section-header');
    header.setAttribute('role', 'button');
    header.setAttribute('tabindex', '0');
    header.setAttribute('aria-expanded', 'true');
    const caret = document.createElement('span');
    caret.className = 'caret';
    caret.setAttribute('aria-hidden', 'true');
    header.insertBefore(caret, header.children[1]);
    const body = document.createElement('div');
    body.className = 'section-body';
    section.append(header, body);
    this.place(section);
    this.stack.push({ body, name: start.name, started: start.time, header, section, block: null, count: 0 });
    if (start.collapsed) this.toggle(section, true);
  }

  closeSection(name, time) {
    const index = this.stack.findLastIndex((entry) => entry.name === name);
    if (index <= 0) return;
    const entry = this.stack[index];
    const duration = document.createElement('span');
    duration.className = 'section-duration';
    duration.textContent = formatSeconds(time - entry.started);
    entry.header.append(duration);
    this.stack.length = index;
  }

  current() {
    return this.stack[this.stack.length - 1];
  }

  /** Renders one line of text (carriage returns keep the last overwrite) into the current section. */
  renderText(text, partial, parent = null) {
    const pieces = text.replace(/\x1b\[0?K/g, '').split('\r');
    let shown = pieces.pop();
    while (shown === '' && pieces.length > 0) shown = pieces.pop();
    const prefix = this.carried.join('');
    this.trackSgr(text);
    this.lineNo += 1;
    const div = document.createElement('div');
    div.className = partial ? 'line partial' : 'line';
    div.id = `L${this.lineNo}`;
    const number = document.createElement('a');
    number.className = 'ln';
    number.href = `#L${this.lineNo}`;
    number.tabIndex = -1;
    number.textContent = String(this.lineNo);
    const content = document.createElement('span');
    content.className = 'lc';
    for (const chunk of this.anser.ansiToJson(prefix + shown, { use_classes: true, remove_empty: true })) {
      if (!chunk.content) continue;
      if (!chunk.fg && !chunk.bg && chunk.decorations.length === 0) {
        content.append(chunk.content);
        continue;
      }
      const span = document.createElement('span');
      span.textContent = chunk.content;
      applyColor(span, chunk.fg, chunk.fg_truecolor, 'fg');
      applyColor(span, chunk.bg, chunk.bg_truecolor, 'bg');
      for (const decoration of new Set(chunk.decorations)) span.classList.add(`ansi-${decoration}`);
      content.append(span);
    }
    div.append(number, content);
    if (!parent) this.place(div);
    return div;
  }

  /**
   * Lines go into blocks of BLOCK_LINES; the browser skips layout and painting of blocks out of view
   * (content-visibility), which keeps a 50,000-line log quick to render and to scroll.
   */
  place(node) {
    const entry = this.current();
    if (!entry.block || entry.count >= BLOCK_LINES) {
      entry.block = document.createElement('div');
      entry.block.className = 'log-block';
      entry.count = 0;
      entry.body.append(entry.block);
    }
    entry.block.append(node);
    entry.count += 1;
  }

  /** Remembers the SGR sequences in force after `text`, so the next line starts in the same colours. */
  trackSgr(text) {
    SGR.lastIndex = 0;
    let match;
    while ((match = SGR.exec(text))) {
      const params = match[1];
      if (params === '' || params === '0' || params.startsWith('0;')) this.carried = params.length > 2 ? [match[0]] : [];
      else if (this.carried.length < 16) this.carried.push(match[0]);
    }
  }
}
