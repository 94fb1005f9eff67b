/* The page's model (web/model.js) on data written by tests/web/lib.js's makeData: the call
 * tree, its views by thread and state merged by function, function and line sums, sorting,
 * and data that is malformed or hostile. The expected numbers are worked out by hand from the
 * stacks below.
 * SPDX-License-Identifier: MIT */
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { model: M, HOSTILE, makeData, py, thread, state, task, funcOf, nodeAt, pack } =
  require('./lib.js');

const TA = 'thread A (1)', TB = 'thread B\u{1f600} (2)';
const STACKS = [
  { frames: [thread(TA), py('main', 'f.py', 1), py('work', 'f.py', 5), py('hot', 'f.py', 9), state('<cpu>')], w: 30 },
  { frames: [thread(TA), py('main', 'f.py', 1), py('work', 'f.py', 6), py('hot', 'f.py', 10), state('<cpu>')], w: 10 },
  { frames: [thread(TA), py('main', 'f.py', 1), py('work', 'f.py', 5), state('<sleep>')], w: 5 },
  { frames: [thread(TB), py('main', 'f.py', 1), py('rec', 'r.py', 2), py('rec', 'r.py', 3), py('rec', 'r.py', 2), state('<cpu>')], w: 7 },
  { frames: [thread(TB), task('Task ' + HOSTILE.astral), py(HOSTILE.script, HOSTILE.quotes, 4)], w: 3 },
  { frames: [], w: 2 },
  { frames: [thread(TA), py('main', 'f.py', 1)], w: 4 }
];

function build(stacks, extra) { return M.buildModel(makeData(stacks || STACKS, extra)); }

test('frames are grouped into functions by name, file and kind', () => {
  const m = build();
  const names = m.funcs.map((f) => f.name + '|' + f.file);
  assert.equal(new Set(names).size, names.length, 'one function per name and file');
  const work = m.funcs[funcOf(m, 'work')], rec = m.funcs[funcOf(m, 'rec')];
  assert.deepEqual([work.lo, work.hi, [...work.lines].sort()], [5, 6, [5, 6]]);
  assert.deepEqual([rec.lo, rec.hi, rec.file], [2, 3, 'r.py']);
  assert.equal(m.funcs[funcOf(m, '<cpu>')].kind, M.KIND_STATE);
  assert.equal(m.funcs[funcOf(m, TA)].kind, M.KIND_THREAD);
  assert.equal(m.funcs[funcOf(m, 'Task ' + HOSTILE.astral)].kind, M.KIND_TASK);
  /* a frame of another kind with the same name is another function */
  const m2 = build([{ frames: [py('x', null, 0)], w: 1 }, { frames: [state('x')], w: 1 }]);
  assert.equal(m2.funcs.length, 2);
  /* rank: by name, then file */
  const byRank = m.funcs.slice().sort((a, b) => m.rank[a.id] - m.rank[b.id]).map((f) => f.name);
  assert.deepEqual(byRank, byRank.slice().sort());
});

test('the call tree: parents, totals, threads and states', () => {
  const m = build();
  assert.equal(m.total, 61);
  assert.equal(m.rootSelf, 2);
  assert.deepEqual(m.threads.map((t) => [m.funcs[t.func].name, t.weight]), [[TA, 49], [TB, 10]]);
  assert.deepEqual(m.states.map((t) => [m.funcs[t.func].name, t.weight]), [['<cpu>', 47], ['<sleep>', 5]]);
  for (let i = 0; i < m.n; i++) {
    const p = m.parent[i];
    assert.ok(p < i, 'parents come first');
    assert.equal(m.depth[i], p < 0 ? 0 : m.depth[p] + 1);
  }
});

test('the merged view: one node per call path of functions', () => {
  const m = build(), V = M.buildView(m, -1, -1);
  assert.equal(V.total[0], 61);
  assert.equal(V.self[0], 2);
  const main = nodeAt(m, V, ['main']), work = nodeAt(m, V, ['main', 'work']);
  assert.equal(V.total[main], 56);
  assert.equal(V.self[main], 4);
  assert.equal(V.total[work], 45);
  assert.deepEqual([V.lo[work], V.hi[work]], [5, 6], 'lines of the merged frames');
  assert.equal(V.total[nodeAt(m, V, ['main', 'work', 'hot'])], 40);
  assert.equal(V.total[nodeAt(m, V, ['main', 'work', 'hot', '<cpu>'])], 40);
  assert.equal(V.total[nodeAt(m, V, ['main', 'work', '<sleep>'])], 5);
  assert.equal(V.total[nodeAt(m, V, ['main', 'rec', 'rec', 'rec', '<cpu>'])], 7);
  assert.equal(V.total[nodeAt(m, V, ['Task ' + HOSTILE.astral, HOSTILE.script])], 3);
  assert.throws(() => nodeAt(m, V, [TA]), /no node/, 'threads are merged away');
  /* children by name; a node's total is its self and its children's */
  for (let v = 0; v < V.n; v++) {
    let sum = V.self[v];
    const kids = [];
    for (let k = V.first[v]; k < V.first[v + 1]; k++) {
      sum += V.total[V.kids[k]];
      kids.push(m.funcs[V.func[V.kids[k]]].name);
    }
    assert.equal(V.total[v], sum);
    assert.deepEqual(kids, kids.slice().sort());
  }
  assert.equal(V.maxDepth, 5); /* main rec rec rec <cpu> */
});

test('thread and state filters', () => {
  const m = build(), tA = m.threads[0].frame, tB = m.threads[1].frame;
  const cpu = m.states[0].frame, sleep = m.states[1].frame;
  let V = M.buildView(m, tA, -1); /* the thread's frame is its one root frame */
  assert.equal(V.total[0], 49);
  assert.deepEqual([V.first[0], V.first[1]], [0, 1]);
  assert.equal(V.total[nodeAt(m, V, [TA, 'main'])], 49);
  assert.throws(() => nodeAt(m, V, [TA, 'main', 'rec']));
  V = M.buildView(m, tB, -1);
  assert.equal(V.total[0], 10);
  assert.equal(V.total[nodeAt(m, V, [TB, 'main', 'rec'])], 7);
  assert.equal(V.total[nodeAt(m, V, [TB, 'Task ' + HOSTILE.astral])], 3);
  V = M.buildView(m, -1, cpu);
  assert.equal(V.total[0], 47);
  assert.equal(V.total[nodeAt(m, V, ['main', 'work', 'hot'])], 40);
  assert.equal(V.self[nodeAt(m, V, ['main', 'work', 'hot'])], 40, 'the state leaf is hidden');
  assert.throws(() => nodeAt(m, V, ['main', 'work', 'hot', '<cpu>']));
  V = M.buildView(m, tA, sleep);
  assert.equal(V.total[0], 5);
  assert.equal(V.total[nodeAt(m, V, [TA, 'main', 'work'])], 5);
});

test('function sums: self, total once per stack, calls seen', () => {
  const m = build(), V = M.buildView(m, -1, -1), s = M.functionStats(m, V);
  const get = (name) => {
    const f = funcOf(m, name);
    return [s.self[f], s.total[f], s.calls[f]];
  };
  assert.deepEqual(get('main'), [4, 56, 1]);
  assert.deepEqual(get('work'), [5, 45, 1]); /* self: the <sleep> leaf below it */
  assert.deepEqual(get('hot'), [40, 40, 1]);
  assert.deepEqual(get('rec'), [7, 7, 3]); /* recursion counts once in total */
  assert.deepEqual(get(HOSTILE.script), [3, 3, 1]);
  const order = M.sortFunctions(m, s, 'self', -1).map((f) => m.funcs[f].name);
  assert.deepEqual(order, ['hot', 'rec', 'work', 'main', HOSTILE.script]);
  assert.deepEqual(M.sortFunctions(m, s, 'total', -1).map((f) => m.funcs[f].name),
    ['main', 'work', 'hot', 'rec', HOSTILE.script]);
  assert.deepEqual(M.sortFunctions(m, s, 'name', 1).map((f) => m.funcs[f].name),
    [HOSTILE.script, 'hot', 'main', 'rec', 'work']);
  assert.deepEqual(M.sortFunctions(m, s, 'file', 1).map((f) => m.funcs[f].file),
    ['f.py', 'f.py', 'f.py', HOSTILE.quotes, 'r.py']);
});

test('line heat of a file', () => {
  const m = build(), V = M.buildView(m, -1, -1), f = m.funcs[funcOf(m, 'main')].fileId;
  const h = M.lineHeat(m, V, f);
  const obj = (map) => Object.fromEntries([...map.entries()].sort((a, b) => a[0] - b[0]));
  assert.deepEqual(obj(h.total), { 1: 56, 5: 35, 6: 10, 9: 30, 10: 10 });
  assert.deepEqual(obj(h.self), { 1: 4, 5: 5, 9: 30, 10: 10 });
  const V2 = M.buildView(m, -1, m.states[0].frame); /* <cpu> only */
  assert.deepEqual(obj(M.lineHeat(m, V2, f).total), { 1: 47, 5: 30, 6: 10, 9: 30, 10: 10 });
});

test('a differential page: A beside B, its colours by change', () => {
  const stacks = [
    { frames: [py('main', 'd.py', 1), py('grew', 'd.py', 2)], w: 60, w2: 20 },
    { frames: [py('main', 'd.py', 1), py('same', 'd.py', 3)], w: 30, w2: 30 },
    { frames: [py('main', 'd.py', 1), py('gone', 'd.py', 4)], w: 0, w2: 25 }
  ];
  const m = build(stacks), V = M.buildView(m, -1, -1), s = M.functionStats(m, V);
  assert.ok(m.diff && m.self2);
  assert.deepEqual([m.total, m.total2], [90, 75]);
  const grew = nodeAt(m, V, ['main', 'grew']), same = nodeAt(m, V, ['main', 'same']);
  const gone = nodeAt(m, V, ['main', 'gone']);
  assert.deepEqual([V.total2[grew], V.total[grew], V.total2[gone], V.total[gone]], [20, 60, 25, 0]);
  /* (60 - 20) / 60: 2/3 of the way; |60 - 20| = 40 > 2 sqrt(80): not noise */
  assert.deepEqual(M.diffChange(20, 60, m.diff), { c: 2 / 3, x: 2 / 3, noise: false });
  assert.equal(M.diffColour(20, 60, m.diff), 'rgb(248,102,102)');
  assert.equal(M.diffColour(25, 0, m.diff), 'rgb(35,35,255)');
  assert.equal(M.diffColour(30, 30, m.diff), 'rgb(235,235,235)');
  /* within noise: 11 against 9, |2| < 2 sqrt(20): faded by 2 / (2 sqrt 20) */
  const ch = M.diffChange(9, 11, m.diff);
  assert.ok(ch.noise);
  assert.ok(Math.abs(ch.x - (2 / 11) * (2 / (2 * Math.sqrt(20)))) < 1e-12);
  assert.equal(V.total[same], 30);
  const order = M.sortFunctions(m, s, 'delta', -1).map((f) => m.funcs[f].name);
  assert.deepEqual(order, ['grew', 'main', 'same', 'gone']);
  assert.deepEqual(M.sortFunctions(m, s, 'rel', -1).map((f) => m.funcs[f].name).slice(0, 1), ['grew']);
  assert.equal(M.relText(20, 60), '+200.0%');
  assert.equal(M.relText(25, 0), 'only in A');
  assert.equal(M.relText(0, 5), 'new');
});

test('hostile names are kept as they are, code unit for code unit', () => {
  const stacks = Object.values(HOSTILE).map((n, i) => ({ frames: [py(n, n + '.py', i + 1)], w: i + 1 }));
  const m = build(stacks), V = M.buildView(m, -1, -1);
  for (const n of Object.values(HOSTILE)) {
    const f = m.funcs[funcOf(m, n)];
    assert.equal(f.file, n + '.py');
    assert.equal(V.total[nodeAt(m, V, [n])], f.lo);
  }
});

test('malformed data: no exception, a tree that holds together', () => {
  const good = makeData(STACKS);
  const cases = {
    empty: {},
    'not objects': { strings: 'x', frames: 7, tree: 3, sources: 5, meta: 'y' },
    'no tree': Object.assign({}, good, { tree: undefined }),
    'bad base64': Object.assign({}, good, { tree: Object.assign({}, good.tree, { depth: { bytes: 1, b64: '!!!' } }) }),
    'depth jumps': Object.assign({}, good, { tree: Object.assign({}, good.tree, { depth: pack([0, 7, 9, 1]), n: 4 }) }),
    'negative depth': Object.assign({}, good, { tree: Object.assign({}, good.tree, { depth: { bytes: 4, b64: Buffer.from([255, 255, 255, 255, 0, 0, 0, 0]).toString('base64') }, n: 2 }) }),
    'frames out of range': Object.assign({}, good, { tree: Object.assign({}, good.tree, { frame: pack([200, 65535, 3]), n: 3 }) }),
    'n larger than the columns': Object.assign({}, good, { tree: Object.assign({}, good.tree, { n: 1e6 }) }),
    'self out of range': Object.assign({}, good, { tree: Object.assign({}, good.tree, { self: [-5, 3, 1e9, 4, 'x', 'y', 2] }) }),
    'strings not strings': Object.assign({}, good, { strings: good.strings.map(() => 5) })
  };
  for (const [name, d] of Object.entries(cases)) {
    const m = M.buildModel(d), V = M.buildView(m, -1, -1);
    const s = M.functionStats(m, V);
    assert.ok(V.n >= 1, name);
    for (let i = 0; i < m.n; i++) {
      assert.ok(m.parent[i] < i && m.depth[i] >= 0, name + ': node ' + i);
      assert.ok(m.frame[i] >= 0 && m.frame[i] < m.nf, name + ': frame of ' + i);
    }
    for (let v = 1; v < V.n; v++) assert.ok(V.parent[v] < v && V.total[v] >= 0, name);
    assert.ok(Number.isFinite(V.total[0]), name);
    M.sortFunctions(m, s, 'total', -1);
    if (m.funcs.length) M.lineHeat(m, V, m.funcs[0].fileId);
  }
  const m = M.buildModel(cases['strings not strings']);
  assert.ok(m.funcs.every((f) => f.name === '?' && f.file === null));
});
