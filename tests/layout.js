// The measurements of tests/test_browser_layout.py, run in the page: every finding as plain
// data (page overflow, boxes that scroll sideways, equation numbers, line starts, tables).
// Scroll positions are restored; the window ends scrolled to the top.
(async (closing) => {
  await document.fonts.ready;  // site.js marks the scrolling boxes then, and so it did before this
  await new Promise(r => requestAnimationFrame(r));
  const root = document.documentElement, width = root.clientWidth;
  const name = e => {
    const id = e.id || e.closest('[id]')?.id || '';
    const text = (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 40);
    return `${e.localName}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''}` +
      `${id ? ' #' + id : ''} «${text}»`;
  };
  const scrolls = e => e !== root && /(auto|scroll)/.test(getComputedStyle(e).overflowX);
  const insideScroller = e => { for (let a = e.parentElement; a && a !== root; a = a.parentElement) if (scrolls(a)) return true; return false; };
  const out = {pageOverflow: root.scrollWidth - width, sticking: [], scrollers: [], numbers: [], lineStarts: [], tables: []};

  // what sticks out of the viewport outside any scrolling box
  if (out.pageOverflow > 0) {
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.width && r.right > width + 0.5 && !insideScroller(e) && !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 0.5 && !scrolls(e.parentElement)))
        out.sticking.push(`${name(e)} reaches ${Math.round(r.right)} px`);
    }
  }

  // boxes that scroll sideways: named tab stop, shadow at the edges with more content
  const cue = (box, edge) => {
    if (box.matches('.repro-table-wrap')) {
      if (edge === 'right') { const a = getComputedStyle(box, '::after'); return parseFloat(a.opacity) > 0.5 && parseFloat(a.width) > 0 && a.backgroundImage !== 'none'; }
      const first = box.querySelector('tbody tr > :first-child');
      return !!first && getComputedStyle(first).boxShadow !== 'none';
    }
    // a formula: background layers "left, right" (site.css); a sticky equation number
    // carries the right edge's shadow itself
    const number = box.querySelector('mtd:last-child:has(.tml-eqn, .tml-tag)');
    if (edge === 'right' && number && getComputedStyle(number).position === 'sticky') return getComputedStyle(number).boxShadow !== 'none';
    const layers = getComputedStyle(box).backgroundImage.split(/,(?![^(]*\))/).map(s => s.trim());
    return (layers[edge === 'left' ? 0 : 1] || '').includes('gradient');
  };
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const boxes = [...document.querySelectorAll('.repro-table-wrap, .math-display, main math:not([display="block"])')]
    .filter(box => box.scrollWidth - box.clientWidth > 1 && box.getClientRects().length);
  const items = [];
  for (const box of boxes) {
    const room = box.scrollWidth - box.clientWidth;
    const item = {box: name(box), kind: box.matches('.repro-table-wrap') ? 'table' : 'math', problems: []};
    out.scrollers.push(item);
    if (!/(auto|scroll)/.test(getComputedStyle(box).overflowX)) { item.problems.push(`is ${room} px too wide but does not scroll`); continue; }
    if (box.getAttribute('tabindex') !== '0') item.problems.push('is not a tab stop (tabindex=0)');
    const labelled = box.getAttribute('aria-label') || document.getElementById(box.getAttribute('aria-labelledby') || '')?.textContent.trim();
    if (!labelled && box.localName !== 'math') item.problems.push('has no accessible name');
    items.push({box, room, item, before: box.scrollLeft});
  }
  // every box scrolled at once to its start, its end and half-way; the shadows follow
  for (const [fraction, more, none] of items.length ? [[0, 'right', 'left'], [1, 'left', 'right'], [0.5, null, null]] : []) {
    for (const x of items) x.box.scrollLeft = Math.round(x.room * fraction);
    await frame();
    for (const {box, room, item} of items) {
      const at = `at ${Math.round(room * fraction)} of ${room} px`;
      const edges = (box.dataset.scroll || '').split(' ').filter(Boolean);
      if (more && (!edges.includes(more) || !cue(box, more))) item.problems.push(`shows no shadow on the ${more} ${at}`);
      if (none && (edges.includes(none) || cue(box, none))) item.problems.push(`shows a shadow on the ${none}, with nothing beyond it, ${at}`);
      if (!more && !(edges.includes('left') && edges.includes('right'))) item.problems.push(`half-way does not mark both edges (${edges})`);
      if (item.kind === 'table' && fraction === 1) {
        const cell = box.querySelector('tbody tr > :first-child'), edge = box.getBoundingClientRect().left;
        if (!cell || Math.abs(cell.getBoundingClientRect().left - edge) > 1) item.problems.push(`loses its first column when scrolled to the end (${Math.round(cell.getBoundingClientRect().width)} px wide)`);
      }
    }
  }
  for (const x of items) x.box.scrollLeft = x.before;

  // equation numbers: on screen, in their box, on top, apart from the formula
  const leaves = 'mi, mn, mo, mtext, mspace, ms';
  for (const [index, number] of [...document.querySelectorAll('.tml-eqn, .tml-tag')].entries()) {
    const cell = number.closest('mtd'), row = number.closest('mtr'), box = number.closest('.math-display');
    // into view vertically only: the reader sees the formula's box scrolled to its start
    window.scrollTo(0, window.scrollY + number.getBoundingClientRect().top - innerHeight / 2);
    const box0 = number.getBoundingClientRect(), c = cell.getBoundingClientRect();
    // the number's text: its box without the padding that keeps it apart
    const pad = parseFloat(getComputedStyle(number).paddingLeft) + parseFloat(getComputedStyle(number).borderLeftWidth);
    const r = {left: box0.left + pad, right: box0.right, top: box0.top, bottom: box0.bottom, width: box0.width - pad};
    const frame = (box || cell).getBoundingClientRect();
    const em = parseFloat(getComputedStyle(number).fontSize);
    const problems = [];
    if (r.width < 1) problems.push('draws nothing');
    if (r.left < -0.5 || r.right > width + 0.5) problems.push(`is off screen (${Math.round(r.left)}–${Math.round(r.right)} px of ${width})`);
    if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5) problems.push('is outside its box');
    const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
    if (!hit || !(cell.contains(hit) || hit === cell)) problems.push(`is covered by ${hit ? name(hit) : 'nothing'}`);
    let right = -Infinity, under = false;
    for (const leaf of row.querySelectorAll(leaves)) {
      if (cell.contains(leaf)) continue;
      for (const q of leaf.getClientRects()) {
        if (q.width < 0.5 || q.right < frame.left || q.left > frame.right) continue;  // scrolled out of sight
        if (q.right > c.left + 0.5) under = true;
        right = Math.max(right, Math.min(q.right, c.left));
      }
    }
    const background = getComputedStyle(cell).backgroundColor;
    if (under && !/^rgb\(/.test(background)) problems.push(`the formula runs under it and its cell is not opaque (${background})`);
    const gap = r.left - right;
    if (gap < 0.5 * em) problems.push(`is ${gap.toFixed(1)} px from the formula (less than half an em)`);
    if (problems.length) out.numbers.push(`equation number ${index + 1} (${name(box || row)}): ${problems.join('; ')}`);
  }
  window.scrollTo(0, 0);

  // closing punctuation at the start of a line: it starts one when it lies left of and not
  // above the unit before it (the character or formula it follows)
  const range = document.createRange();
  const rectOf = unit => {
    if (unit.index === undefined) { const rects = unit.node.getClientRects(); return rects[rects.length - 1]; }
    range.setStart(unit.node, unit.index); range.setEnd(unit.node, unit.index + 1);
    return range.getClientRects()[0];
  };
  let previous = null;
  const walk = node => {
    if (node.nodeType === 3) {
      for (let i = 0; i < node.data.length; i++) {
        const ch = node.data[i];
        if (/\s/.test(ch)) continue;
        const unit = {node, index: i};
        if (closing.includes(ch) && previous) {
          const q = rectOf(unit), p = rectOf(previous);
          if (q && p && q.width && q.left < p.right - 2 && q.top >= p.bottom - 2) {
            const before = previous.index === undefined ? '$' + previous.node.textContent.slice(-8) + '$' : previous.node.data.slice(Math.max(0, previous.index - 8), previous.index + 1);
            out.lineStarts.push(`«${before}${node.data.slice(i, i + 6)}» in ${name(node.parentElement)}`);
          }
        }
        previous = unit;
      }
      return;
    }
    if (node.nodeType !== 1 || /^(script|style|template|svg|noscript)$/.test(node.localName)) return;
    // a code block (a BibTeX entry, a source listing) keeps its own line breaks: not prose typography
    if (node.localName === 'pre') { previous = null; return; }
    const style = getComputedStyle(node);
    if (style.display === 'none' || style.visibility === 'hidden') return;
    if (node.localName === 'math') { if (node.getClientRects().length) previous = {node}; return; }  // one unit of the line
    const block = !style.display.startsWith('inline') && style.display !== 'contents';
    if (block) previous = null;
    for (const child of node.childNodes) walk(child);
    if (block) previous = null;
  };
  walk(document.body);

  // tables and the text column
  const column = document.querySelector('.post-content')?.getBoundingClientRect().width || 0;
  for (const wrap of document.querySelectorAll('.repro-table-wrap')) {
    if (!wrap.getClientRects().length) continue;
    out.tables.push({box: name(wrap), width: wrap.getBoundingClientRect().width, column,
      scrolls: wrap.scrollWidth > wrap.clientWidth + 1});
  }
  return out;
})
