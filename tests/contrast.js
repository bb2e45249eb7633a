async (figure) => {
  const panelBox = figure.querySelector('.repro-svg');
  const svg = panelBox.querySelector('svg');
  const probe = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
  probe.canvas.width = probe.canvas.height = 1;
  // any CSS colour (rgb(), color(srgb ...) from color-mix, ...) as 8-bit RGBA
  const rgba = (css) => {
    probe.clearRect(0, 0, 1, 1);
    probe.fillStyle = 'transparent';
    probe.fillStyle = css;
    probe.fillRect(0, 0, 1, 1);
    return Array.from(probe.getImageData(0, 0, 1, 1).data);
  };
  const panel = rgba(getComputedStyle(panelBox).backgroundColor);
  const name = (el) => {
    const group = el.closest('g[id]');
    const id = group ? group.id.replace(/^[^-]+-\d+-\d+-/, '') : '';
    return `${id} <${el.tagName}>`;
  };
  const opacity = (el) => {
    let value = 1;
    for (let e = el; e && e !== panelBox; e = e.parentElement) value *= parseFloat(getComputedStyle(e).opacity);
    return value;
  };
  // a <use> draws its referenced shape, whose own style wins over what it inherits from the <use>
  const style = (el, property) => {
    if (el.tagName === 'use') {
      const ref = svg.querySelector(el.getAttribute('xlink:href') || el.getAttribute('href'));
      if (ref && ref.style.getPropertyValue(property)) return getComputedStyle(ref).getPropertyValue(property);
    }
    return getComputedStyle(el).getPropertyValue(property);
  };
  const paint = (el, property) => {
    const value = style(el, property);
    if (!value || value === 'none') return null;
    if (value.startsWith('url(')) return {unsupported: value};
    const colour = rgba(value);
    colour[3] = colour[3] / 255 * parseFloat(style(el, property + '-opacity') || '1') * opacity(el);
    return colour;
  };

  // images: opaque ones are backdrops, the others layers of marks
  const backdrops = [];
  const layers = [];
  for (const image of svg.querySelectorAll('image')) {
    const source = new Image();
    source.src = image.getAttribute('xlink:href') || image.getAttribute('href');
    await source.decode();
    const canvas = document.createElement('canvas');
    canvas.width = source.naturalWidth;
    canvas.height = source.naturalHeight;
    const context = canvas.getContext('2d', {willReadFrequently: true});
    context.filter = getComputedStyle(image).filter;  // a theme may render images differently
    context.drawImage(source, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let opaque = opacity(image) === 1;
    for (let i = 3; i < data.length && opaque; i += 4) opaque = data[i] === 255;
    const found = {image, rect: image.getBoundingClientRect(), data, width: canvas.width, height: canvas.height};
    (opaque ? backdrops : layers).push(found);
  }
  // The backdrop's colour at a point of the screen: null off the image, undefined within a
  // pixel of its edge (under the axes' frame, on neither side).
  const pixel = (b, x, y) => {
    const {left, right, top, bottom} = b.rect;
    if (x < left - 1 || x > right + 1 || y < top - 1 || y > bottom + 1) return null;
    if (x < left + 1 || x > right - 1 || y < top + 1 || y > bottom - 1) return undefined;
    const px = Math.min(b.width - 1, Math.floor((x - left) / b.rect.width * b.width));
    const py = Math.min(b.height - 1, Math.floor((y - top) / b.rect.height * b.height));
    const i = 4 * (py * b.width + px);
    return [b.data[i], b.data[i + 1], b.data[i + 2]];
  };
  // what lies under a point: the last backdrop drawn there, null (the panel) or undefined (an edge)
  const lying = (below, x, y) => {
    let found = null;
    for (const b of below) {
      const colour = pixel(b, x, y);
      if (colour !== null) found = colour;
    }
    return found;
  };
  const before = (el) => backdrops.filter((b) => b.image.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
  const items = backdrops.map((b) => ({name: name(b.image), kind: 'backdrop', colour: null, under: null}));
  // A layer's marks are where it has a colour of its own: pixels whose four neighbours have
  // the same colour and opacity (not an anti-aliased rim, nor the blend where two rims meet).
  // Each such colour is checked against what lies under it; its opacity is settled in Python.
  for (const layer of layers) {
    const {data, width, height} = layer;
    const under = before(layer.image);
    const scale = opacity(layer.image);
    const seen = new Map();
    const same = (i, j) => data[i] === data[j] && data[i + 1] === data[j + 1] && data[i + 2] === data[j + 2] && data[i + 3] === data[j + 3];
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1; x < width - 1; x++) {
        const i = 4 * (y * width + x);
        if (data[i + 3] === 0) continue;
        const inside = same(i, i - 4) && same(i, i + 4) && same(i, i - 4 * width) && same(i, i + 4 * width);
        let background = null;
        if (under.length) {
          const sx = layer.rect.left + (x + 0.5) / width * layer.rect.width;
          const sy = layer.rect.top + (y + 0.5) / height * layer.rect.height;
          background = lying(under, sx, sy);
          if (background === undefined) continue;
        }
        // inside a mark the opacity is the mark's own: keep the faintest; on rims, the strongest
        const key = `${data[i]},${data[i + 1]},${data[i + 2]}|${background}|${inside}`;
        const known = seen.get(key);
        const better = !known || (inside ? data[i + 3] < known.alpha : data[i + 3] > known.alpha);
        if (better) seen.set(key, {rgb: [data[i], data[i + 1], data[i + 2]], alpha: data[i + 3], background, inside});
      }
    }
    for (const {rgb, alpha, background, inside} of seen.values()) {
      items.push({name: name(layer.image), kind: inside ? 'layer' : 'rim', colour: [...rgb, alpha / 255 * scale], under: background && [background]});
    }
  }

  // where an element lies over a backdrop, the backdrop's pixels under it are its background
  const pointsOf = (el) => {
    const points = [];
    const matrix = el.getScreenCTM();
    if (el.tagName === 'path' && el.getTotalLength() > 0) {
      const length = el.getTotalLength();
      for (let k = 0; k <= 64; k++) {
        const p = el.getPointAtLength(length * k / 64);
        const q = new DOMPoint(p.x, p.y).matrixTransform(matrix);
        points.push([q.x, q.y]);
      }
    } else {
      const r = el.getBoundingClientRect();
      for (const fx of [0.25, 0.5, 0.75]) for (const fy of [0.25, 0.5, 0.75]) points.push([r.left + fx * r.width, r.top + fy * r.height]);
    }
    return points;
  };
  const under = (el) => {
    const found = new Set();
    let outside = false;
    const below = before(el);
    if (!below.length) return null;
    for (const [x, y] of pointsOf(el)) {
      const colour = lying(below, x, y);
      if (colour) found.add(colour.join(',')); else if (colour === null) outside = true;
    }
    if (!found.size) return null;
    if (outside) found.add(panel.slice(0, 3).join(','));
    return [...found].map((key) => key.split(',').map(Number));
  };

  const shapes = 'path, line, polyline, polygon, rect, circle, ellipse, use, text';
  for (const el of svg.querySelectorAll(shapes)) {
    if (el.closest('defs, clipPath, mask, marker, symbol, pattern')) continue;
    const computed = getComputedStyle(el);
    if (computed.display === 'none' || computed.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const isText = el.tagName === 'text';
    const parts = [paint(el, 'fill')];
    if (!isText && parseFloat(style(el, 'stroke-width')) > 0) parts.push(paint(el, 'stroke'));
    const background = under(el);
    for (const colour of parts) {
      if (colour === null || colour[3] === 0) continue;
      items.push({name: name(el), kind: isText ? 'text' : 'mark', colour, under: background});
    }
  }
  return {id: figure.id, panel: panel.slice(0, 3), items};
}
