// ANSI colours of the job log: anser names the 16 basic colours as classes (styled in app.css); the
// 256-colour palette and true colours are set through CSSOM, which the Content-Security-Policy allows
// where inline style attributes are refused.
const CUBE = [0, 95, 135, 175, 215, 255];
const BASIC = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

function paletteColor(n) {
  if (n < 16) return null;
  if (n >= 232) {
    const v = 8 + 10 * (n - 232);
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  return `rgb(${CUBE[Math.floor(i / 36)]}, ${CUBE[Math.floor(i / 6) % 6]}, ${CUBE[i % 6]})`;
}

/** anser's colour for one side (fg or bg) as a class name, or an inline colour set through CSSOM. */
export function applyColor(el, value, truecolor, side) {
  if (!value) return;
  if (value === 'ansi-truecolor' && truecolor) {
    el.style[side === 'fg' ? 'color' : 'backgroundColor'] = `rgb(${truecolor})`;
    return;
  }
  const palette = /^ansi-palette-(\d+)$/.exec(value);
  if (palette) {
    const n = Number(palette[1]);
    if (n < 16) el.classList.add(`ansi-${n >= 8 ? 'bright-' : ''}${BASIC[n % 8]}-${side}`);
    else el.style[side === 'fg' ? 'color' : 'backgroundColor'] = paletteColor(n);
    return;
  }
  el.classList.add(`${value}-${side}`);
}
