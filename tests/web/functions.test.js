/* The page's functions against the C query's: for the profile fixtures and a profile of edge
 * cases (recursion through several lines and another function, state leaves, a state inside a
 * stack, one name in two files, a function without a file, asyncio tasks), `spyglass report`
 * writes the page (src/out_html.c) and a pstats file (src/out_pstats.c, whose figures are
 * src/agg_func.c's agg_functions). The model built from the page's data, merged over all
 * threads and states (buildView(m, -1, -1), functionStats), must give every Python function
 * the pstats file's total (ct) and its self: tt plus what the states it called weigh as the
 * leaf of its stacks (a state leaf counts for the function above it; pstats keeps it apart as
 * a function of its own). Needs the binary: $SPYGLASS or ./spyglass (make webtest builds it).
 * SPDX-License-Identifier: MIT */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const L = require('./lib.js');
const M = L.model;

const BIN = L.binary();
const skip = BIN ? false : 'no spyglass binary (set SPYGLASS, or run make webtest)';

const EDGE = [
  'thread Main (1);main (a.py:1);f (a.py:3);f (a.py:4);f (a.py:3);<cpu> 10',
  'thread Main (1);main (a.py:1);f (a.py:3);g (b.py:9);f (a.py:5) 7',
  'thread Main (1);main (a.py:1);f (b.py:3);<sleep> 4',
  'thread Main (1);main (a.py:1);<sleep>;h (a.py:8) 3',
  'thread Main (1);<sleep> 2',
  '<gil> 5',
  'thread W (2);Task t1;main (a.py:2);f (a.py:3);<await> 6',
  'thread W (2);main (a.py:1) 1',
  'f (a.py:3) 2',
  'f 3',
  'f (a.py) 4',
  'thread W (2);Task t1;rec (r.py:1);rec (r.py:2);rec (r.py:1);<cpu> 9'
].join('\n') + '\n';

/* A marshal file of out_pstats.c (src/util_marshal.h: dicts, tuples, str, int, float) read
 * back; dict keys as JSON text. */
function readMarshal(buf) {
  let at = 0;
  function u32() { const v = buf.readUInt32LE(at); at += 4; return v; }
  function item() {
    const t = String.fromCharCode(buf[at++]);
    if (t === 'i') { const v = buf.readInt32LE(at); at += 4; return v; }
    if (t === 'g') { const v = buf.readDoubleLE(at); at += 8; return v; }
    if (t === 'u') { const n = u32(), s = buf.toString('utf8', at, at + n); at += n; return s; }
    if (t === 'l') {
      const n = buf.readInt32LE(at);
      let v = 0;
      at += 4;
      for (let k = 0; k < Math.abs(n); k++, at += 2) v += buf.readUInt16LE(at) * 2 ** (15 * k);
      return n < 0 ? -v : v;
    }
    if (t === '(') {
      const out = [];
      for (let n = u32(); n > 0; n--) out.push(item());
      return out;
    }
    if (t === '{') {
      const out = new Map();
      while (buf[at] !== 0x30) { const k = item(); out.set(JSON.stringify(k), item()); }
      at++;
      return out;
    }
    throw new Error('marshal type ' + JSON.stringify(t) + ' at ' + (at - 1));
  }
  const v = item();
  assert.equal(at, buf.length, 'one object, the whole file');
  return v;
}

/* The pstats key of page function f: (file, its smallest line, name), or ("~", 0, name). */
function keyOf(f) {
  return JSON.stringify(f.file === null ? ['~', 0, f.name] : [f.file, f.lo, f.name]);
}

function compare(dir, name, profile) {
  const html = path.join(dir, name + '.html'), prof = path.join(dir, name + '.pstats');
  L.run(['report', profile, '-o', html, '--no-sources']);
  L.run(['report', profile, '-o', prof, '--rate', '1']); /* 1 s a sample: tt, ct are weights */
  const m = M.buildModel(L.pageData(fs.readFileSync(html, 'utf8')));
  const stats = readMarshal(fs.readFileSync(prof));
  const V = M.buildView(m, -1, -1), st = M.functionStats(m, V);
  const states = new Set(m.funcs.filter((f) => f.kind === M.KIND_STATE).map(keyOf));
  let checked = 0;
  for (const f of m.funcs) {
    if (f.kind !== M.KIND_PY || !(st.total[f.id] > 0)) continue;
    const key = keyOf(f), row = stats.get(key);
    assert.ok(row, name + ': pstats has ' + key);
    const [, , tt, ct] = row;
    let below = 0; /* the stacks that end in a state called by f */
    for (const s of states) {
      const by = stats.has(s) ? stats.get(s)[4].get(key) : undefined;
      if (by) below += by[2];
    }
    assert.equal(st.total[f.id], ct, name + ': total of ' + key);
    assert.equal(st.self[f.id], tt + below, name + ': self of ' + key);
    checked++;
  }
  /* and no Python function of the pstats file is missing from the page */
  const withFile = [...stats.keys()].filter((k) => JSON.parse(k)[0] !== '~');
  const pageWithFile = m.funcs.filter((f) => f.kind === M.KIND_PY && f.file !== null &&
    st.total[f.id] > 0);
  assert.equal(pageWithFile.length, withFile.length, name + ': functions with a file');
  assert.ok(checked > 0, name + ': functions compared');
  return checked;
}

test('the page sums the functions as agg_functions does (pstats)', { skip }, () => {
  const dir = L.tmpdir();
  try {
    const fix = path.join(L.ROOT, 'tests', 'fixtures');
    const files = fs.readdirSync(path.join(fix, 'collapsed')).map((f) => path.join(fix, 'collapsed', f))
      .concat(fs.readdirSync(path.join(fix, 'raw')).map((f) => path.join(fix, 'raw', f)));
    fs.writeFileSync(path.join(dir, 'edge.txt'), EDGE);
    files.push(path.join(dir, 'edge.txt'));
    assert.ok(files.length >= 5);
    for (const p of files) compare(dir, path.basename(p), p);
    /* the edge cases, worked out by hand: f in a.py (lines 3, 4, 5 and none) */
    const m = M.buildModel(L.pageData(fs.readFileSync(path.join(dir, 'edge.txt.html'), 'utf8')));
    const st = M.functionStats(m, M.buildView(m, -1, -1));
    const fa = L.funcOf(m, 'f', 'a.py'), h = L.funcOf(m, 'h'), main = L.funcOf(m, 'main');
    const rec = L.funcOf(m, 'rec');
    assert.deepEqual([st.self[fa], st.total[fa]], [10 + 7 + 6 + 2 + 4, 10 + 7 + 6 + 2 + 4]);
    assert.deepEqual([st.self[h], st.total[h]], [3, 3]);
    assert.deepEqual([st.self[main], st.total[main]], [1, 10 + 7 + 4 + 3 + 6 + 1]);
    assert.deepEqual([st.self[rec], st.total[rec]], [9, 9]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
