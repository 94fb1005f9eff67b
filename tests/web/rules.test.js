/* The rules the page shares with the SVG writer (src/out_svg.c), on their own: a frame's label,
 * its cut to a box by code point, the colour hash over UTF-8, the search. tests/web/svg.test.js
 * compares them with what the built spyglass writes.
 * SPDX-License-Identifier: MIT */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { model: M, HOSTILE, makeData, py, thread, state, task, funcOf, nodeAt } = require('./lib.js');

test('frame labels as agg_frame_label joins them', () => {
  assert.equal(M.frameLabel('f', 'a.py', 12, M.KIND_PY), 'f (a.py:12)');
  assert.equal(M.frameLabel('f', 'a.py', 0, M.KIND_PY), 'f (a.py)');
  assert.equal(M.frameLabel('f', null, 3, M.KIND_PY), 'f');
  assert.equal(M.frameLabel('thread x (1)', 'a.py', 3, M.KIND_THREAD), 'thread x (1)');
  assert.equal(M.frameLabel('<cpu>', null, 0, M.KIND_STATE), '<cpu>');
  assert.equal(M.frameLabel(HOSTILE.script, HOSTILE.quotes, 1, M.KIND_PY),
    HOSTILE.script + ' (' + HOSTILE.quotes + ':1)');
});

test('labels are cut by code point, as add_fitted', () => {
  const CW = 7.2, box = (chars) => 6 + CW * chars + 1e-6; /* a box that fits chars */
  assert.equal(M.fitLabel('abc', box(3), CW), 'abc');
  assert.equal(M.fitLabel('abcd', box(3), CW), 'a..');
  assert.equal(M.fitLabel('abc', box(2.99), CW), '', 'under 3 characters: nothing');
  assert.equal(M.fitLabel('abcdefgh', box(5.5), CW), 'abc..');
  assert.equal(M.fitLabel('', box(10), CW), '');
  /* astral characters are one code point (two UTF-16 units) each: never split */
  const e = '\u{1f600}';
  assert.equal(M.fitLabel(e.repeat(4), box(4), CW), e.repeat(4));
  assert.equal(M.fitLabel(e.repeat(5), box(4), CW), e.repeat(2) + '..');
  assert.equal(M.fitLabel('a' + e + e + 'bcd', box(5), CW), 'a' + e + e + '..');
  for (let n = 3; n < 12; n++) {
    const cut = M.fitLabel(HOSTILE.astral.repeat(4), box(n), CW);
    assert.ok(Array.from(cut).length <= n, 'fits ' + n);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/.test(cut),
      'no half of a surrogate pair in ' + JSON.stringify(cut));
  }
  /* bidi controls count as characters and stay (the canvas draws text as text) */
  assert.equal(M.fitLabel(HOSTILE.rtl, box(20), CW), HOSTILE.rtl);
  assert.equal(M.fitLabel(HOSTILE.rtl, box(4), CW), '\u202eg..');
});

/* FNV-1a over the UTF-8 bytes node's Buffer makes (lone surrogates as U+FFFD), then
 * h ^ h >> 15: an implementation apart from the model's. */
function fnv(s) {
  let h = 2166136261;
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 16777619) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

test('the colour hash is over UTF-8 bytes', () => {
  const names = ['', 'a', 'main', 'é', '\u20ac', '\u{1f600}', '\ud800', 'x\udc00y', '\ud83d',
    ...Object.values(HOSTILE)];
  for (const n of names) assert.equal(M.hashName(n), fnv(n), JSON.stringify(n));
  assert.equal(M.hashName(''), (2166136261 ^ (2166136261 >>> 15)) >>> 0);
  /* a lone surrogate hashes as U+FFFD, as the writer's invalid bytes do */
  assert.equal(M.hashName('\ud800'), M.hashName('\ufffd'));
});

test('colours by kind, from the name alone', () => {
  const rgb = (s) => /^rgb\((\d+),(\d+),(\d+)\)$/.exec(s).slice(1).map(Number);
  const within = (c, lo, hi) => c.every((v, i) => v >= lo[i] && v <= hi[i]);
  for (const n of ['main', 'work', ...Object.values(HOSTILE)]) {
    assert.ok(within(rgb(M.frameColour(n, M.KIND_PY)), [205, 0, 0], [255, 230, 55]), n);
    assert.ok(within(rgb(M.frameColour(n, M.KIND_THREAD)), [70, 130, 210], [120, 180, 255]), n);
    assert.ok(within(rgb(M.frameColour(n, M.KIND_STATE)), [70, 185, 110], [120, 235, 160]), n);
    assert.ok(within(rgb(M.frameColour(n, M.KIND_TASK)), [165, 130, 215], [205, 170, 255]), n);
  }
  /* the hash's bytes, in order: v1 = h & 255 drives red, v2 green, v3 blue */
  const h = M.hashName('main'), v = [h & 255, (h >>> 8) & 255, (h >>> 16) & 255];
  assert.equal(M.frameColour('main', M.KIND_PY), 'rgb(' + (205 + Math.floor(v[0] * 50 / 255)) + ',' +
    Math.floor(v[1] * 230 / 255) + ',' + Math.floor(v[2] * 55 / 255) + ')');
  assert.equal(M.ROOT_COLOUR, M.frameColour('all', M.KIND_PY));
  const m = M.buildModel(makeData([{ frames: [py('main', 'a.py', 1)], w: 1 }]));
  assert.equal(m.funcs[0].color, M.frameColour('main', M.KIND_PY));
});

test('the search: a regular expression, or text when it is not one', () => {
  assert.equal(M.compileSearch(''), null);
  let s = M.compileSearch('^ma.n \\(');
  assert.ok(s.regex && s.test('main (a.py:1)') && !s.test('xmain (a.py:1)'));
  s = M.compileSearch('(');
  assert.ok(!s.regex && s.test('f (a.py)') && !s.test('f'));
  s = M.compileSearch('[a');
  assert.ok(!s.regex && s.test('x[ay') && !s.test('xay'));
  s = M.compileSearch('Main');
  assert.ok(!s.test('main (a.py:1)'), 'case-sensitive');
  s = M.compileSearch('X[A');
  assert.ok(!s.regex && !s.test('x[a') && s.test('_X[A_'), 'case-sensitive as text too');
  s = M.compileSearch('<script>');
  assert.ok(s.regex && s.test(HOSTILE.script + ' (x.py:1)'));
  /* a valid regular expression is never taken as text: "(1)" is a group, as in the SVG */
  s = M.compileSearch(HOSTILE.script);
  assert.ok(s.regex && !s.test(HOSTILE.script) && s.test('<script>alert1</script>'));
});

test('a function matches when one of its frames\' labels does', () => {
  const stacks = [
    { frames: [thread('thread T (5)'), py('main', 'a.py', 1), py('f', 'b.py', 10), state('<cpu>')], w: 6 },
    { frames: [thread('thread T (5)'), py('main', 'a.py', 1), py('f', 'b.py', 20), py('f', 'b.py', 10)], w: 3 },
    { frames: [thread('thread T (5)'), py('main', 'a.py', 1), py('g', 'b.py', 30)], w: 1 },
    { frames: [task('Task (' + HOSTILE.astral + ')'), py(HOSTILE.script, HOSTILE.rtl, 2)], w: 2 }
  ];
  const m = M.buildModel(makeData(stacks)), V = M.buildView(m, -1, -1);
  const hits = (q) => {
    const match = M.matchFunctions(m, M.compileSearch(q));
    return m.funcs.filter((f) => match[f.id]).map((f) => f.name).sort();
  };
  assert.deepEqual(hits('b\\.py:20\\)$'), ['f'], 'a line of one of its frames');
  assert.deepEqual(hits('b.py'), ['f', 'g'], 'the file is in the label');
  assert.deepEqual(hits('^thread T \\(5\\)$'), ['thread T (5)'], 'threads by their name');
  assert.deepEqual(hits('<cpu>'), ['<cpu>']);
  assert.deepEqual(hits(HOSTILE.astral), ['Task (' + HOSTILE.astral + ')']);
  assert.deepEqual(hits(HOSTILE.rtl), [HOSTILE.script], 'a file with a bidi override');
  assert.deepEqual(hits('all'), [], 'the root is no frame');
  /* f within f counts once: 6 + 3 of 12 */
  const mw = M.matchWeight(V, M.matchFunctions(m, M.compileSearch('^f ')));
  assert.equal(mw.w, 9);
  const both = M.matchWeight(V, M.matchFunctions(m, M.compileSearch('^(main|f) ')));
  assert.equal(both.w, 10);
  assert.equal(V.total[nodeAt(m, V, ['main', 'f', 'f'])], 3);
  assert.equal(funcOf(m, 'f'), V.func[nodeAt(m, V, ['main', 'f'])]);
});
