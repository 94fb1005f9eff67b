/* What the tests of the page's model (web/model.js) share: the model itself, a writer of the
 * page's data (src/out_html.h's format) from a list of stacks, made here independently of
 * out_html.c, the hostile names the fixtures use, and the spyglass binary with readers of the
 * SVG and HTML it writes (for the tests that compare the page's rules with out_svg.c's).
 * SPDX-License-Identifier: MIT */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const model = require(path.join(ROOT, 'web', 'model.js'));
const { KIND_PY, KIND_THREAD, KIND_STATE, KIND_TASK } = model;

/* Names a target or a profile file can hold, as JavaScript strings (valid UTF-16). */
const HOSTILE = {
  script: '<script>alert(1)</script>',
  close: '</script><img src=x onerror=alert(2)>',
  quotes: 'it\'s "quoted" & <b>',
  rtl: '\u202egnp.exe',            /* RIGHT-TO-LEFT OVERRIDE */
  isolate: 'a\u2067b\u2069c\u200f', /* RIGHT-TO-LEFT ISOLATE ... POP, RLM */
  astral: '\u{1f600}\u{1d518}x',     /* an emoji and MATHEMATICAL FRAKTUR CAPITAL U */
  lines: 'l\u2028m\u2029n',         /* JavaScript line breaks */
  replaced: 'bad\ufffd\ufffdname'   /* what invalid UTF-8 becomes (two bytes, two U+FFFD) */
};

/* The values of one PACKED column: {"bytes": B, "b64": ...}, B the fewest bytes that hold them. */
function pack(values) {
  const max = values.reduce((a, v) => Math.max(a, v), 0);
  const w = max < 256 ? 1 : max < 65536 ? 2 : 4;
  const buf = Buffer.alloc(values.length * w);
  values.forEach((v, i) => {
    if (w === 1) buf.writeUInt8(v, i);
    else if (w === 2) buf.writeUInt16LE(v, 2 * i);
    else buf.writeUInt32LE(v, 4 * i);
  });
  return { bytes: w, b64: buf.toString('base64') };
}

/* The page's data for stacks: [{frames: [[name, file or null, line, kind], ...], w, w2}],
 * root first. Equal frames are one frame; stacks sharing a prefix share its nodes (a trie in
 * preorder). w2 present: a differential page (self2, "diff"). */
function makeData(stacks, extra) {
  const strings = [], sIdx = new Map(), frames = [], fIdx = new Map();
  function str(s) {
    if (!sIdx.has(s)) { sIdx.set(s, strings.length); strings.push(s); }
    return sIdx.get(s);
  }
  function frame(f) {
    const key = JSON.stringify(f);
    if (!fIdx.has(key)) {
      fIdx.set(key, frames.length / 4);
      frames.push(str(f[0]), f[1] === null ? -1 : str(f[1]), f[2], f[3]);
    }
    return fIdx.get(key);
  }
  const root = { kids: new Map(), w: 0, w2: 0 };
  let rootSelf = 0, rootSelf2 = 0;
  const diff = stacks.some((s) => s.w2 !== undefined);
  for (const s of stacks) {
    let node = root;
    for (const f of s.frames) {
      const id = frame(f);
      if (!node.kids.has(id)) node.kids.set(id, { id, kids: new Map(), w: 0, w2: 0 });
      node = node.kids.get(id);
    }
    if (node === root) { rootSelf += s.w; rootSelf2 += s.w2 || 0; continue; }
    node.w += s.w;
    node.w2 += s.w2 || 0;
  }
  const depth = [], frame_ = [], self = [], self2 = [];
  let last = 0, last2 = 0;
  (function walk(node, d) {
    for (const k of node.kids.values()) {
      const i = depth.length;
      depth.push(d);
      frame_.push(k.id);
      if (k.w || (diff && k.w2)) { self.push(i - last, k.w); last = i; }
      if (diff && (k.w || k.w2)) { self2.push(i - last2, k.w2); last2 = i; }
      walk(k, d + 1);
    }
  })(root, 0);
  const data = {
    format: 'spyglass-html/1', meta: { unit: 'samples' }, strings, frames,
    tree: { n: depth.length, depth: pack(depth), frame: pack(frame_), self, root_self: rootSelf }
  };
  if (diff) {
    data.tree.self2 = self2;
    data.tree.root_self2 = rootSelf2;
    data.diff = {
      a: { name: 'a' }, b: { name: 'b' }, norm: 'none', factor: 1, counts: true,
      scale: { neutral: 235, rise: 20, fade: 200, noise_sd: 2 }
    };
  }
  return Object.assign(data, extra || {});
}

/* Shorthands for frames. */
const py = (name, file, line) => [name, file, line, KIND_PY];
const thread = (name) => [name, null, 0, KIND_THREAD];
const state = (name) => [name, null, 0, KIND_STATE];
const task = (name) => [name, null, 0, KIND_TASK];

/* The function of model m named name (and in file, when given). */
function funcOf(m, name, file) {
  const f = m.funcs.find((x) => x.name === name && (file === undefined || x.file === file));
  if (!f) throw new Error('no function ' + name);
  return f.id;
}
/* The view's node reached from the root by function names. */
function nodeAt(m, V, names) {
  let v = 0;
  for (const name of names) {
    let next = -1;
    for (let k = V.first[v]; k < V.first[v + 1]; k++)
      if (m.funcs[V.func[V.kids[k]]].name === name) next = V.kids[k];
    if (next < 0) throw new Error('no node ' + names.join(' > '));
    v = next;
  }
  return v;
}

/* ---- the real writers ---- */
/* The spyglass binary: $SPYGLASS, else the repository's build; null when there is none. */
function binary() {
  const b = process.env.SPYGLASS || path.join(ROOT, 'spyglass');
  return fs.existsSync(b) ? b : null;
}
function tmpdir() { return fs.mkdtempSync(path.join(os.tmpdir(), 'spyglass-webtest.')); }
function run(args) { return execFileSync(binary(), args, { stdio: ['ignore', 'pipe', 'pipe'] }); }

function xmlText(s) {
  return s.replace(/&(lt|gt|amp|quot|#39|#(\d+)|#x([0-9a-f]+));/gi, (m, e, d, x) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' :
      e === '#39' ? '\'' : String.fromCodePoint(d ? +d : parseInt(x, 16)));
}
/* The boxes of an SVG of out_svg.c: label, detail, x and w (weights), y, width (px), fill and
 * the text drawn. */
function svgBoxes(svg) {
  const out = [], re = /<g class="f" data-x="(\d+)" data-w="(\d+)"><title>([^<]*)<\/title><rect x="([0-9.]+)" y="(\d+)" width="([0-9.]+)" [^>]*fill="([^"]*)"\/><text [^>]*>([^<]*)<\/text><\/g>/g;
  let m;
  while ((m = re.exec(svg))) {
    const title = xmlText(m[3]), nl = title.lastIndexOf('\n');
    out.push({
      label: title.slice(0, nl), detail: title.slice(nl + 1), x: +m[1], w: +m[2], y: +m[5],
      width: +m[6], fill: m[7], text: xmlText(m[8])
    });
  }
  const total = /<g id="frames" data-total="(\d+)"/.exec(svg);
  return { boxes: out, total: total ? +total[1] : 0 };
}
/* The data of a page of out_html.c, parsed. */
function pageData(html) {
  const m = /<script type="application\/json" id="spyglass-data">([^]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no data element in the page');
  return JSON.parse(m[1]);
}
/* A label as the SVG holds it (sbuf_add_xml_chars): C0 controls and DEL as spaces, U+FFFE and
 * U+FFFF as U+FFFD (invalid UTF-8 is U+FFFD in both already). */
function xmlChars(s) {
  /* control characters are what it replaces */
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/[\ufffe\uffff]/g, '\ufffd');
}

module.exports = {
  ROOT, model, KIND_PY, KIND_THREAD, KIND_STATE, KIND_TASK, HOSTILE, pack, makeData, py,
  thread, state, task, funcOf, nodeAt, binary, tmpdir, run, svgBoxes, pageData, xmlChars, xmlText
};
