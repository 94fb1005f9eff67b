/* The page's rules against the built spyglass's writers: from one collapsed profile of hostile
 * names (script tags, quotes, bidi controls, invalid UTF-8, control characters, U+FFFE,
 * U+2028, astral characters), `spyglass report` writes an SVG (src/out_svg.c) and an HTML page
 * (src/out_html.c). The model built from the page's data must give every SVG box its fill and
 * its cut text, match the same labels as the SVG's own search script (run here on a stand-in
 * for its DOM), and sum the same totals as the collapsed text read here independently; a
 * differential pair (`spyglass diff`) must get out_diff.c's fills. Needs the binary: $SPYGLASS
 * or ./spyglass (make webtest builds it).
 * SPDX-License-Identifier: MIT */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const L = require('./lib.js');
const M = L.model;

const BIN = L.binary();
const skip = BIN ? false : 'no spyglass binary (set SPYGLASS, or run make webtest)';

/* Labels as bytes: strings are UTF-8, Buffers are written as they are. */
const b = (...parts) => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p, 'utf8'))));
const BAD = Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xc0, 0xaf]);
const LONG = '\u{1f600}\u{1d518}'.repeat(30) + 'tail';
/* [labels, weight]: each label once per call path (unique boxes in the SVG) but for 'work'. */
const PROFILE = [
  [['thread MainThread (11)', '<module> (/a/main.py:1)', 'work (/a/main.py:5)', b('hot', BAD, ' (/a/m\u202eain.py:9)'), '<cpu>'], 300],
  [['thread MainThread (11)', '<module> (/a/main.py:1)', 'work (/a/main.py:5)', '<sleep>'], 40],
  [['thread MainThread (11)', '<module> (/a/main.py:1)', L.HOSTILE.script + ' (/a/"q\'.py:3)', '<sleep>'], 70],
  [['thread MainThread (11)', '<module> (/a/main.py:1)', L.HOSTILE.close + ' (/a/x[1].py:4)'], 25],
  [['thread T\u{1f600}\u2067 (12)', 'Task \u{1d518}\u{1d518}name', LONG + ' (/a/b.py:2)'], 120],
  [['thread T\u{1f600}\u2067 (12)', 'Task \u{1d518}\u{1d518}name', L.HOSTILE.quotes + ' (/a/b.py:3)'], 60],
  [['thread T\u{1f600}\u2067 (12)', L.HOSTILE.isolate + ' (/a/\u05d0\u05d1.py:7)', 'ctl\u0001\u0007x (/a/c.py:1)'], 33],
  [['thread T\u{1f600}\u2067 (12)', L.HOSTILE.lines + ' (/a/c.py:2)', 'nonchar\ufffe\uffff (/a/c.py:3)'], 45],
  [['thread T\u{1f600}\u2067 (12)', L.HOSTILE.rtl + ' (/a/c.py:4)', 'work (/a/main.py:5)', 'work (/a/main.py:6)'], 15],
  [[b('\u{1f600}', BAD.subarray(0, 2)), 'x'.repeat(200) + ' (/a/' + 'long/'.repeat(20) + 'y.py:99999)'], 50]
];
function collapsed(profile) {
  return Buffer.concat(profile.map(([labels, w]) => b(...labels.flatMap((l, i) => (i ? [';', l] : [l])), ' ' + w + '\n')));
}

/* Bytes to a string as the writers do: each byte of an invalid UTF-8 sequence is U+FFFD
 * (utf8_seq_len: no overlongs, no surrogates, at most U+10FFFF). */
function decode(buf) {
  let out = '';
  for (let i = 0; i < buf.length;) {
    const c = buf[i], n = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    let cp = n === 2 ? c & 0x1f : n === 3 ? c & 0x0f : c & 0x07, ok = n > 0 && i + n <= buf.length;
    for (let k = 1; ok && k < n; k++) {
      if ((buf[i + k] & 0xc0) !== 0x80) ok = false;
      cp = cp << 6 | (buf[i + k] & 0x3f);
    }
    if (n === 1) cp = c;
    const min = [0, 0, 0x80, 0x800, 0x10000][n];
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) { out += '\ufffd'; i++; continue; }
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

let dir, svg, data;
function setup() {
  if (dir) return;
  dir = L.tmpdir();
  fs.writeFileSync(path.join(dir, 'h.collapsed'), collapsed(PROFILE));
  L.run(['report', path.join(dir, 'h.collapsed'), '-o', path.join(dir, 'h.svg')]);
  L.run(['report', path.join(dir, 'h.collapsed'), '-o', path.join(dir, 'h.html'), '--no-sources']);
  svg = fs.readFileSync(path.join(dir, 'h.svg'), 'utf8');
  data = L.pageData(fs.readFileSync(path.join(dir, 'h.html'), 'utf8'));
}
test.after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

/* label (as the SVG holds it) -> fill, for every frame of the page's model */
function pageFills(m) {
  const fills = new Map();
  for (let i = 0; i < m.nf; i++) {
    const f = m.funcs[m.fFunc[i]], l = L.xmlChars(M.frameLabel(f.name, f.file, m.fLine[i], f.kind));
    assert.ok(!fills.has(l) || fills.get(l) === f.color, 'one colour per label: ' + l);
    fills.set(l, f.color);
  }
  return fills;
}

test('every SVG box has the fill and the cut text of the page\'s rules', { skip }, () => {
  setup();
  const m = M.buildModel(data), fills = pageFills(m), { boxes, total } = L.svgBoxes(svg);
  const k = (1200 - 2 * 10) / total; /* out_svg.c: SVG_W, PAD_X */
  let root = 0, cut = 0;
  assert.ok(boxes.length >= 20, boxes.length + ' boxes');
  for (const x of boxes) {
    if (x.label === 'all' && x.w === total) {
      root++;
      assert.equal(x.fill, M.ROOT_COLOUR, 'the root');
    } else {
      assert.ok(fills.has(x.label), 'a frame of the page for ' + JSON.stringify(x.label));
      assert.equal(x.fill, fills.get(x.label), JSON.stringify(x.label));
    }
    const want = M.fitLabel(x.label, x.w * k, 7.2); /* out_svg.c: CHAR_W */
    assert.equal(x.text, want, 'text of ' + JSON.stringify(x.label) + ' in ' + x.width + ' px');
    if (want !== x.label) cut++;
  }
  assert.equal(root, 1);
  assert.ok(cut >= 3, 'labels cut: ' + cut); /* the astral and long labels at least */
  assert.ok(boxes.some((x) => x.label.startsWith('hot\ufffd') && x.label.indexOf('\u202e') > 0));
  assert.ok(boxes.some((x) => x.text.startsWith('\u{1f600}\u{1d518}') && x.text.endsWith('..')));
});

/* The SVG's own script (svg_js of out_svg.c) on a stand-in for the few DOM calls it makes. */
function svgScript() {
  const src = /<!\[CDATA\[\n([^]*?)\]\]><\/script>/.exec(svg)[1];
  const { boxes, total } = L.svgBoxes(svg);
  function el(attrs, kids, text) {
    return {
      attrs, children: kids || [], firstChild: (kids || [])[0], textContent: text || '', style: {},
      classList: { contains: (c) => attrs.class === c }, parentNode: null,
      getAttribute(a) { return a in this.attrs ? this.attrs[a] : null; },
      setAttribute(a, v) { this.attrs[a] = String(v); },
      hasAttribute(a) { return a in this.attrs; },
      addEventListener() {}
    };
  }
  const gs = boxes.map((x) => el({ class: 'f', 'data-x': String(x.x), 'data-w': String(x.w) }, [
    el({}, [], x.label + '\n' + x.detail), el({ x: '0', y: String(x.y), width: String(x.width), fill: x.fill }),
    el({}, [], x.text)]));
  const frames = el({ 'data-total': String(total) });
  frames.querySelectorAll = () => gs;
  const ids = { frames, details: el({}), unzoom: el({}), search: el({}), matched: el({}) };
  const ctx = {
    document: { getElementById: (id) => ids[id] }, window: { addEventListener() {} }, query: '',
    prompt() { return ctx.query; }
  };
  vm.createContext(ctx);
  vm.runInContext(src, ctx);
  vm.runInContext('init()', ctx);
  return { ctx, gs, matched: ids.matched };
}

test('the SVG script cuts labels as the page does when it zooms', { skip }, () => {
  setup();
  const { gs } = svgScript(); /* init() zooms out: every text is cut by the script's fit() */
  for (const g of gs) {
    const label = g.children[0].textContent.split('\n')[0], width = +g.children[1].attrs.width;
    assert.equal(g.children[2].textContent, M.fitLabel(label, width, 7.2), JSON.stringify(label));
  }
});

test('the search matches the labels and the share the SVG\'s script does', { skip }, () => {
  setup();
  const m = M.buildModel(data), V = M.buildView(m, -1, -1), s = svgScript();
  const queries = ['work', '<script>', '^<', '\\.py:[0-9]+\\)$', '(', '[', 'main\\.py', '\u202e',
    '\u{1f600}', '(\u{1d518}){2}', 'hot\ufffd\ufffd\\(', '^\u{1f600}\ufffd', '"q\'', 'Task', '^thread T', '<sleep>|<cpu>', 'zzz',
    'x{200}', 'quoted" &', '\u2028', 'c\\.py'];
  /* Left out: characters XML cannot hold (C0 controls, U+FFFE, U+FFFF), which the SVG's labels
   * have as spaces and U+FFFD (sbuf_add_xml_chars) and the page as they are. */
  let threads = 0, nonempty = 0;
  for (const q of queries) {
    s.ctx.query = q;
    vm.runInContext('search()', s.ctx);
    const svgHits = new Set(s.gs.filter((g) => g.children[1].attrs.fill === M.MATCH_COLOUR)
      .map((g) => g.children[0].textContent.split('\n')[0]).filter((l) => l !== 'all'));
    const search = M.compileSearch(q), match = M.matchFunctions(m, search), pageHits = new Set();
    for (let i = 0; i < m.nf; i++) if (search.test(m.labels[i])) pageHits.add(L.xmlChars(m.labels[i]));
    assert.deepEqual([...pageHits].sort(), [...svgHits].sort(), 'labels matched by ' + JSON.stringify(q));
    for (let i = 0; i < m.nf; i++)
      if (pageHits.has(L.xmlChars(m.labels[i]))) assert.equal(match[m.fFunc[i]], 1, q);
    /* The same share, but where a thread matches: all threads merged, the page draws no
     * thread boxes (a thread is a filter there). No function here has two lines under one
     * caller, where the page's one box would count both lines. */
    const share = (100 * M.matchWeight(V, match).w / V.total[0]).toFixed(1);
    const svgShare = /Matched: ([0-9.]+)%/.exec(s.matched.textContent);
    const thread = m.threads.some((t) => match[t.func]);
    if (!thread) assert.equal(share, svgShare ? svgShare[1] : '0.0', 'share of ' + JSON.stringify(q));
    else threads++;
    if (pageHits.size) nonempty++;
    vm.runInContext('clearSearch()', s.ctx);
  }
  assert.ok(threads >= 2 && threads < queries.length && nonempty === queries.length - 1, threads + ', ' + nonempty);
});

test('function totals are those of the collapsed text', { skip }, () => {
  setup();
  const m = M.buildModel(data), V = M.buildView(m, -1, -1), st = M.functionStats(m, V);
  /* a frame's function: its label without ":LINE" (name (file)); threads are merged away */
  const key = (label) => label.replace(/:\d+\)$/, ')');
  const want = new Map(), threads = new Map();
  let total = 0;
  for (const line of decode(collapsed(PROFILE)).split('\n').filter(Boolean)) {
    const sp = line.lastIndexOf(' '), w = +line.slice(sp + 1), labels = line.slice(0, sp).split(';');
    total += w;
    for (const k of new Set(labels.map(key))) {
      const map = /^thread .* \(\d+\)$/.test(k) ? threads : want;
      map.set(k, (map.get(k) || 0) + w);
    }
  }
  assert.equal(m.total, total);
  assert.equal(V.total[0], total);
  const got = new Map(), gotThreads = new Map();
  m.funcs.forEach((f) => {
    const k = M.frameLabel(f.name, f.file, 0, f.kind);
    if (f.kind === M.KIND_THREAD) return;
    got.set(k, (got.get(k) || 0) + st.total[f.id]);
  });
  m.threads.forEach((t) => gotThreads.set(m.funcs[t.func].name, t.weight));
  assert.deepEqual([...got.entries()].sort(), [...want.entries()].sort());
  assert.deepEqual([...gotThreads.entries()].sort(), [...threads.entries()].sort());
});

test('a differential page colours every box as the differential SVG', { skip }, () => {
  setup();
  const A = [
    [['main (/d/w.py:1)', 'grew (/d/w.py:2)'], 100], [['main (/d/w.py:1)', 'same (/d/w.py:3)'], 300],
    [['main (/d/w.py:1)', L.HOSTILE.script + ' (/d/w.py:4)'], 200], [['main (/d/w.py:1)', 'gone (/d/w.py:5)'], 90],
    [['main (/d/w.py:1)', b('noisy', BAD, ' (/d/\u202ew.py:6)')], 50], [['main (/d/w.py:1)', LONG + ' (/d/w.py:7)'], 40]
  ];
  const B = [
    [['main (/d/w.py:1)', 'grew (/d/w.py:2)'], 400], [['main (/d/w.py:1)', 'same (/d/w.py:3)'], 310],
    [['main (/d/w.py:1)', L.HOSTILE.script + ' (/d/w.py:4)'], 60], [['main (/d/w.py:1)', b('noisy', BAD, ' (/d/\u202ew.py:6)')], 58],
    [['main (/d/w.py:1)', LONG + ' (/d/w.py:7)'], 41], [['main (/d/w.py:1)', 'new (/d/w.py:8)'], 30]
  ];
  fs.writeFileSync(path.join(dir, 'a.collapsed'), collapsed(A));
  fs.writeFileSync(path.join(dir, 'b.collapsed'), collapsed(B));
  const ab = [path.join(dir, 'a.collapsed'), path.join(dir, 'b.collapsed'), '-q'];
  L.run(['diff', ...ab, '-o', path.join(dir, 'd.svg')]);
  L.run(['diff', ...ab, '-o', path.join(dir, 'd.html'), '--no-sources']);
  const dsvg = L.svgBoxes(fs.readFileSync(path.join(dir, 'd.svg'), 'utf8'));
  const m = M.buildModel(L.pageData(fs.readFileSync(path.join(dir, 'd.html'), 'utf8')));
  const V = M.buildView(m, -1, -1);
  assert.ok(m.diff, 'a differential model');
  const node = new Map(); /* label -> the view's node (each function is on one path here) */
  for (let v = 1; v < V.n; v++) {
    const f = m.funcs[V.func[v]], i = [...Array(m.nf).keys()].find((j) => m.fFunc[j] === f.id);
    node.set(L.xmlChars(M.frameLabel(f.name, f.file, m.fLine[i], f.kind)), v);
  }
  const seen = new Set();
  for (const x of dsvg.boxes) {
    const v = x.label === 'all' ? 0 : node.get(x.label);
    assert.ok(v !== undefined, 'a node for ' + JSON.stringify(x.label));
    assert.equal(M.diffColour(V.total2[v], V.total[v], m.diff), x.fill, JSON.stringify(x.label));
    seen.add(x.fill);
  }
  assert.ok(dsvg.boxes.length >= 7 && seen.size >= 5, seen.size + ' fills');
});
