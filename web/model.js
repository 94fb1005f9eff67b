/* spyglass HTML report: the model, the part of the viewer that needs no DOM. It turns the page's
 * JSON data (format in src/out_html.h) into the call tree, merges it by function for a thread
 * and state filter, sums functions and lines, and holds the rules the page shares with the
 * SVG writers: a frame's label (agg_frame_label), its colour and the search (src/out_svg.c),
 * the cut of a label to a box (out_svg.c's add_fitted: by code point) and the colour of a
 * change (src/out_diff.c). Plain functions of their arguments, so that node can test them
 * (tests/web/).
 * Loaded two ways: scripts/embed.sh joins this file and web/report.js into the page's one
 * inline script, where it defines the global spyglassModel; under node, require() returns
 * the same object.
 * SPDX-License-Identifier: MIT */
'use strict';
var spyglassModel = (function () {
  /* enum agg_frame_kind (src/agg_stacks.h) */
  var KIND_PY = 0, KIND_THREAD = 1, KIND_STATE = 2, KIND_TASK = 3;

  /* ---- numbers ---- */
  function grouped(n) {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  function bytes(b) {
    var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
    if (!isFinite(b)) return '?';
    while (Math.abs(b) >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i ? b.toFixed(b < 10 ? 2 : 1) : String(Math.round(b))) + ' ' + u[i];
  }
  function pct(x) { return isFinite(x) ? (100 * x).toFixed(1) + '%' : '?'; }
  /* Half-width of the 95% Wilson score interval of the share k/n (as stats.c computes it). */
  function margin(k, n) {
    var z = 1.959963984540054;
    if (!(n > 0)) return 0;
    var p = k / n, d = 1 + z * z / n;
    return z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d;
  }
  /* A weight that need not be whole (A's are normalised), without its unit. */
  function amount(w, unit) {
    if (unit === 'bytes') return bytes(w);
    if (Math.abs(w) >= 100 || w === Math.round(w)) return grouped(w);
    return Math.abs(w) < 1 ? w.toPrecision(2) : w.toFixed(1);
  }
  function signed(w, unit) { return w ? (w > 0 ? '+' : '\u2212') + amount(Math.abs(w), unit) : '0'; }
  /* The change from A's weight a to B's b: "+12.5%", "new" (only in B), "only in A", or ''. */
  function relText(a, b) {
    if (a > 0 && b > 0) return (b >= a ? '+' : '\u2212') + (100 * Math.abs(b - a) / a).toFixed(1) + '%';
    return b > 0 ? 'new' : a > 0 ? 'only in A' : '';
  }
  function relValue(a, b) { return a > 0 ? (b - a) / a : b > 0 ? Infinity : 0; }

  /* ---- labels, colours and search: the SVG writer's rules (src/out_svg.c) ---- */
  /* The code points of s (a lone surrogate counts as one, as U+FFFD in UTF-8). */
  function codePoints(s) { return Array.from(s); }

  /* A frame's label, as agg_frame_label writes it: "name (file:line)" for a Python frame with
   * a file (":line" only when line > 0), else the name alone. */
  function frameLabel(name, file, line, kind) {
    if (kind !== KIND_PY || typeof file !== 'string') return name;
    return name + ' (' + file + (line > 0 ? ':' + line : '') + ')';
  }

  /* Label cut to a box w px wide at charW px per character, as add_fitted: nothing when
   * fewer than 3 characters fit, else the whole label if it fits, else its first fit - 2
   * code points and "..". Counted in code points, so an astral character is never split. */
  function fitLabel(label, w, charW) {
    var fit = (w - 6) / charW;
    if (!(fit >= 3)) return '';
    var max = Math.floor(fit), cps = codePoints(label);
    return cps.length <= max ? label : cps.slice(0, max - 2).join('') + '..';
  }

  /* FNV-1a of s's UTF-8 bytes (a lone surrogate as U+FFFD's), then h ^ h >> 15: hash_str. */
  function hashName(s) {
    var h = 2166136261;
    function put(b) { h = Math.imul(h ^ b, 16777619); }
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        var lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd; /* a lone surrogate */
      if (c < 0x80) put(c);
      else if (c < 0x800) { put(0xc0 | c >> 6); put(0x80 | c & 63); }
      else if (c < 0x10000) { put(0xe0 | c >> 12); put(0x80 | c >> 6 & 63); put(0x80 | c & 63); }
      else {
        put(0xf0 | c >> 18); put(0x80 | c >> 12 & 63); put(0x80 | c >> 6 & 63); put(0x80 | c & 63);
      }
    }
    h >>>= 0;
    return (h ^ h >>> 15) >>> 0;
  }

  /* A colour that depends only on the frame's name and kind, as add_colour: warm for Python
   * frames (and the root, named "all"), blue for threads, green for thread states, violet for
   * asyncio tasks. Integer arithmetic as the C (unsigned division truncates). */
  function frameColour(name, kind) {
    var h = hashName(name), v1 = h & 255, v2 = h >>> 8 & 255, v3 = h >>> 16 & 255;
    function q(v, k) { return Math.floor(v * k / 255); }
    var c = kind === KIND_THREAD ? [70 + q(v1, 50), 130 + q(v2, 50), 210 + q(v3, 45)] :
      kind === KIND_STATE ? [70 + q(v1, 50), 185 + q(v2, 50), 110 + q(v3, 50)] :
        kind === KIND_TASK ? [165 + q(v1, 40), 130 + q(v2, 40), 215 + q(v3, 40)] :
          [205 + q(v1, 50), q(v2, 230), q(v3, 55)];
    return 'rgb(' + c.join(',') + ')';
  }
  var ROOT_COLOUR = frameColour('all', KIND_PY); /* the SVG's root box: "all" */
  var MATCH_COLOUR = 'rgb(230,0,230)';           /* a search match: the SVG's HL */

  /* The search of the SVG: the query as a regular expression when it is one, else as text
   * (case-sensitive either way), tested against frame labels. null for an empty query. */
  function compileSearch(q) {
    if (typeof q !== 'string' || q === '') return null;
    var re = null;
    try { re = new RegExp(q); } catch (err) { re = null; }
    return {
      query: q, regex: re !== null,
      test: re ? function (s) { return re.test(s); } : function (s) { return s.indexOf(q) >= 0; }
    };
  }

  /* Functions (1 per function id) with a frame whose label the search s matches. */
  function matchFunctions(m, s) {
    var match = new Uint8Array(m.funcs.length);
    if (!s) return match;
    if (!m.labels) {
      m.labels = new Array(m.nf);
      for (var i = 0; i < m.nf; i++) {
        var f = m.funcs[m.fFunc[i]];
        m.labels[i] = frameLabel(f.name, f.file, m.fLine[i], f.kind);
      }
    }
    for (var k = 0; k < m.nf; k++)
      if (!match[m.fFunc[k]] && s.test(m.labels[k])) match[m.fFunc[k]] = 1;
    return match;
  }

  /* The weight of the stacks of view V through at least one matching node (a stack with
   * several counts once, as the SVG's "Matched"): w (B's, or the profile's), w2 (A's). */
  function matchWeight(V, match) {
    var under = new Uint8Array(V.n), w = 0, w2 = 0, t2 = V.total2;
    for (var v = 1; v < V.n; v++) { /* parents come before children */
      var hit = match[V.func[v]];
      if (hit && !under[V.parent[v]]) {
        w += V.total[v];
        if (t2) w2 += t2[v];
      }
      under[v] = hit || under[V.parent[v]];
    }
    return { w: w, w2: w2 };
  }

  /* ---- differential profiles: the colour scale of src/out_diff.c ---- */
  /* The "diff" object with its numbers checked. */
  function readDiff(x) {
    var sc = x.scale || {};
    function n(v) { return typeof v === 'number' && isFinite(v) ? v : 0; }
    return {
      a: x.a || {}, b: x.b || {}, norm: String(x.norm || '?'), factor: n(x.factor),
      counts: x.counts === true,
      scale: { neutral: n(sc.neutral), rise: n(sc.rise), fade: n(sc.fade), sd: n(sc.noise_sd) || 1 }
    };
  }
  /* The change from a to b (out_diff_change, out_diff_intensity): c, the relative change
   * (b - a) / max(a, b), from -1 to 1; x, how strongly it is coloured: |c|, faded in
   * proportion when the weights are counts that differ by less than scale.sd standard
   * deviations of Poisson counts, sd sqrt(a + b) (noise: true). */
  function diffChange(a, b, diff) {
    var mx = Math.max(a, b), c = mx > 0 ? (b - a) / mx : 0, x = Math.abs(c), z = 1;
    if (diff.counts && a + b > 0) {
      z = Math.abs(b - a) / (diff.scale.sd * Math.sqrt(a + b));
      x *= Math.min(z, 1);
    }
    return { c: c, x: x, noise: z < 1 };
  }
  /* The fill of a box that weighs a in A and b in B (out_diff.c's colour). */
  function diffColour(a, b, diff) {
    var s = diff.scale, ch = diffChange(a, b, diff);
    var hi = Math.round(s.neutral + s.rise * ch.x), lo = Math.round(s.neutral - s.fade * ch.x);
    return ch.c > 0 ? 'rgb(' + hi + ',' + lo + ',' + lo + ')' : 'rgb(' + lo + ',' + lo + ',' + hi + ')';
  }

  /* ---- the profile ---- */
  /* The model of data (the parsed JSON): strings, frames and their functions (frames of one
   * name, file and kind, agg_functions' grouping in src/agg_func.h: f.lo..f.hi, the lines
   * seen), the call tree, sources and series. */
  function buildModel(d) {
    var S = Array.isArray(d.strings) ? d.strings : [], FR = Array.isArray(d.frames) ? d.frames : [];
    var nf = Math.floor(FR.length / 4);
    var m = {
      meta: d.meta && typeof d.meta === 'object' ? d.meta : {}, strings: S, nf: nf,
      fKind: new Uint8Array(nf), fFile: new Int32Array(nf), fLine: new Int32Array(nf),
      fFunc: new Int32Array(nf), funcs: [], sources: new Map(), labels: null
    };
    var byKey = new Map();
    for (var i = 0; i < nf; i++) {
      var nm = FR[4 * i], fl = FR[4 * i + 1], ln = FR[4 * i + 2], kd = FR[4 * i + 3];
      m.fKind[i] = kd; m.fFile[i] = fl; m.fLine[i] = ln;
      kd = m.fKind[i]; fl = m.fFile[i]; ln = m.fLine[i]; /* as stored: integers */
      var key = nm + ':' + fl + ':' + kd, f = byKey.get(key);
      if (f === undefined) {
        f = m.funcs.length;
        byKey.set(key, f);
        var name = typeof S[nm] === 'string' ? S[nm] : '?';
        m.funcs.push({
          id: f, name: name, fileId: fl, file: fl >= 0 && typeof S[fl] === 'string' ? S[fl] : null,
          kind: kd, lo: 0, hi: 0, lines: new Set(), color: frameColour(name, kd)
        });
      }
      m.fFunc[i] = f;
      if (ln > 0) {
        var fn = m.funcs[f];
        fn.lines.add(ln);
        fn.lo = fn.lo ? Math.min(fn.lo, ln) : ln;
        fn.hi = Math.max(fn.hi, ln);
      }
    }
    var order = m.funcs.map(function (fu) { return fu.id; });
    order.sort(function (a, b) {
      var x = m.funcs[a], y = m.funcs[b], fx = x.file || '', fy = y.file || '';
      return x.name < y.name ? -1 : x.name > y.name ? 1 : fx < fy ? -1 : fx > fy ? 1 : a - b;
    });
    m.rank = new Int32Array(m.funcs.length);
    order.forEach(function (id, k) { m.rank[id] = k; });
    readTree(m, d.tree && typeof d.tree === 'object' ? d.tree : {});
    (Array.isArray(d.sources) ? d.sources : []).forEach(function (s) {
      if (Array.isArray(s) && typeof s[1] === 'string') m.sources.set(s[0], s[1]);
    });
    m.sourceNote = d.source_note && typeof d.source_note === 'object' ? d.source_note : null;
    m.series = d.series && Array.isArray(d.series.t) ? d.series : null;
    m.unit = typeof m.meta.unit === 'string' && m.meta.unit ? m.meta.unit : 'samples';
    m.diff = m.self2 && d.diff && typeof d.diff === 'object' ? readDiff(d.diff) : null;
    return m;
  }

  /* {"bytes": B, "b64": "..."}: n unsigned little-endian values of B bytes each. */
  function unpack(c, n) {
    var out = new Int32Array(n);
    if (!c || typeof c.b64 !== 'string') return out;
    var bin;
    try { bin = atob(c.b64); } catch (err) { return out; }
    var w = c.bytes === 2 || c.bytes === 4 ? c.bytes : 1;
    n = Math.min(n, Math.floor(bin.length / w));
    for (var i = 0, k = 0; i < n; i++, k += w) {
      var v = bin.charCodeAt(k);
      if (w > 1) v |= bin.charCodeAt(k + 1) << 8;
      if (w > 2) v |= bin.charCodeAt(k + 2) << 16 | bin.charCodeAt(k + 3) << 24;
      out[i] = v;
    }
    return out;
  }
  /* [d, w, d, w...] (node distances and weights) into a weight per node. */
  function unsparse(list, n) {
    var out = new Float64Array(n), i = 0;
    if (!Array.isArray(list)) return out;
    for (var k = 0; k + 1 < list.length; k += 2) {
      i += list[k] | 0;
      if (i >= 0 && i < n) out[i] += +list[k + 1] || 0;
    }
    return out;
  }

  /* The preorder arrays into parent links; threads and states with their weights. */
  function readTree(m, t) {
    var n = m.nf ? Math.max(0, t.n | 0) : 0, depth = unpack(t.depth, n), frame = unpack(t.frame, n);
    var last = [];
    m.n = n;
    m.parent = new Int32Array(n); m.depth = depth; m.frame = frame;
    m.self = unsparse(t.self, n);
    m.self2 = t.self2 ? unsparse(t.self2, n) : null;
    m.rootSelf = +t.root_self || 0;
    m.rootSelf2 = +t.root_self2 || 0;
    var sub = new Float64Array(n), total = m.rootSelf, threads = new Map(), states = new Map();
    for (var i = 0; i < n; i++) {
      var d = depth[i], fr = frame[i];
      if (fr < 0 || fr >= m.nf) fr = frame[i] = 0;
      if (d < 0) d = depth[i] = 0;
      if (d > last.length) d = depth[i] = last.length; /* malformed: under the deepest node */
      m.parent[i] = d ? last[d - 1] : -1;
      last.length = d;
      last.push(i);
      total += m.self[i];
      if (m.fKind[fr] === KIND_STATE && m.self[i])
        states.set(fr, (states.get(fr) || 0) + m.self[i]);
    }
    for (i = n - 1; i >= 0; i--) {
      sub[i] += m.self[i];
      if (m.parent[i] >= 0) sub[m.parent[i]] += sub[i];
      else if (m.fKind[m.frame[i]] === KIND_THREAD)
        threads.set(m.frame[i], (threads.get(m.frame[i]) || 0) + sub[i]);
    }
    m.total = total;
    m.total2 = m.rootSelf2;
    if (m.self2) for (i = 0; i < n; i++) m.total2 += m.self2[i];
    function list(map) {
      return Array.from(map.entries()).map(function (e) {
        return { frame: e[0], func: m.fFunc[e[0]], weight: e[1] };
      }).sort(function (a, b) { return b.weight - a.weight || a.frame - b.frame; });
    }
    m.threads = list(threads);
    m.states = list(states);
  }

  /* The tree shown: raw stacks filtered by thread (-1: all, merged) and state (-1: all, shown
   * as leaves; else only stacks ending in that state, the leaf hidden), merged by function.
   * Nodes are numbered as made (parents before children); node 0 is the root, "all". */
  function buildView(m, threadSel, stateSel) {
    var n = m.n, cap = n + 1, raw2v = new Int32Array(n), rawW = new Float64Array(n);
    var parent = new Int32Array(cap), func = new Int32Array(cap), depth = new Int32Array(cap);
    var self = new Float64Array(cap), self2 = m.self2 ? new Float64Array(cap) : null;
    var lo = new Int32Array(cap), hi = new Int32Array(cap), nv = 1;
    /* (parent, function) -> node: open addressing in typed arrays (a Map is several times
     * slower at a few hundred thousand nodes) */
    var size = 16;
    while (size < 2 * cap) size *= 2;
    var mask = size - 1, keyP = new Int32Array(size).fill(-1), keyF = new Int32Array(size);
    var slot = new Int32Array(size);
    parent[0] = -1;
    func[0] = -1;
    if (threadSel < 0 && stateSel < 0) {
      self[0] = m.rootSelf;
      if (self2) self2[0] = m.rootSelf2;
    }
    function child(vp, f, line) {
      var h = (Math.imul(vp, 0x9e3779b1) ^ Math.imul(f + 1, 0x85ebca77)) >>> 0;
      for (h = (h ^ (h >>> 15)) & mask; keyP[h] >= 0; h = (h + 1) & mask) {
        if (keyP[h] === vp && keyF[h] === f) {
          var v = slot[h];
          if (line > 0) {
            if (!lo[v] || line < lo[v]) lo[v] = line;
            if (line > hi[v]) hi[v] = line;
          }
          return v;
        }
      }
      keyP[h] = vp; keyF[h] = f; slot[h] = nv;
      parent[nv] = vp; func[nv] = f; depth[nv] = depth[vp] + 1;
      lo[nv] = hi[nv] = line > 0 ? line : 0;
      return nv++;
    }
    for (var i = 0; i < n; i++) {
      var p = m.parent[i], vp = p < 0 ? 0 : raw2v[p], fr = m.frame[i], kind = m.fKind[fr], v;
      if (vp < 0) { raw2v[i] = -1; continue; }
      if (p < 0 && threadSel >= 0 && fr !== threadSel) { raw2v[i] = -1; continue; }
      if (kind === KIND_THREAD && p < 0 && threadSel < 0) v = vp;
      else if (kind === KIND_STATE && stateSel >= 0) {
        if (fr !== stateSel) { raw2v[i] = -1; continue; }
        v = vp;
      } else v = child(vp, m.fFunc[fr], m.fLine[fr]);
      raw2v[i] = v;
      if ((m.self[i] || self2 && m.self2[i]) && (stateSel < 0 || kind === KIND_STATE)) {
        rawW[i] = m.self[i];
        self[v] += m.self[i];
        if (self2) self2[v] += m.self2[i];
      }
    }
    var V = {
      n: nv, parent: parent.subarray(0, nv), func: func.subarray(0, nv),
      self: self.subarray(0, nv), total: self.slice(0, nv),
      self2: self2 ? self2.subarray(0, nv) : null, total2: self2 ? self2.slice(0, nv) : null,
      depth: depth.subarray(0, nv), lo: lo.subarray(0, nv), hi: hi.subarray(0, nv),
      raw2v: raw2v, rawW: rawW, thread: threadSel, state: stateSel, maxDepth: 0
    };
    V.below = new Int32Array(nv); /* levels drawn above a node (its deepest descendant's) */
    for (v = nv - 1; v > 0; v--) {
      var up = V.parent[v];
      V.total[up] += V.total[v];
      if (V.total2) V.total2[up] += V.total2[v];
      if (V.total[v] > 0 && V.below[v] + 1 > V.below[up]) V.below[up] = V.below[v] + 1;
    }
    V.maxDepth = V.below[0];
    /* own weight of a function's node: its self and that of the stacks ending in a state
     * right below it (agg_functions' self, src/agg_func.h: a state is how the function above
     * it spent the time; a state frame inside a stack is no leaf and passes nothing up) */
    V.selfAll = V.self.slice();
    V.selfAll2 = V.self2 ? V.self2.slice() : null;
    for (v = 1; v < nv; v++) {
      if (m.funcs[V.func[v]].kind !== KIND_STATE) continue;
      V.selfAll[V.parent[v]] += V.self[v];
      if (V.selfAll2) V.selfAll2[V.parent[v]] += V.self2[v];
    }
    linkChildren(m, V);
    return V;
  }

  /* Children lists (kids[first[v]] .. kids[first[v + 1] - 1]), by function name: a counting
   * sort of the nodes by name rank, then one by parent, which keeps that order. */
  function linkChildren(m, V) {
    var nv = V.n, nf = m.funcs.length, rank = m.rank, v, k;
    var byRank = new Int32Array(nf + 1), order = new Int32Array(Math.max(nv - 1, 0));
    for (v = 1; v < nv; v++) byRank[rank[V.func[v]] + 1]++;
    for (k = 0; k < nf; k++) byRank[k + 1] += byRank[k];
    for (v = 1; v < nv; v++) order[byRank[rank[V.func[v]]]++] = v;
    var first = new Int32Array(nv + 1), kids = new Int32Array(Math.max(nv - 1, 0));
    for (v = 1; v < nv; v++) first[V.parent[v] + 1]++;
    for (v = 0; v < nv; v++) first[v + 1] += first[v];
    var fill = first.slice(0, nv);
    for (k = 0; k < order.length; k++) kids[fill[V.parent[order[k]]]++] = order[k];
    V.first = first;
    V.kids = kids;
  }

  /* Per function: self (own weight), total (stacks through it, once per stack), calls seen
   * (distinct call paths: nodes of the tree); differential: self2 and total2, A's. For a
   * Python function, self and total are agg_functions' (src/agg_func.h) over the stacks of
   * the view. */
  function functionStats(m, V) {
    var nf = m.funcs.length, self = new Float64Array(nf), total = new Float64Array(nf);
    var calls = new Int32Array(nf), active = new Int32Array(nf), stack = [0], t2 = V.total2;
    var self2 = t2 ? new Float64Array(nf) : null, total2 = t2 ? new Float64Array(nf) : null;
    while (stack.length) {
      var v = stack.pop();
      if (v < 0) { active[V.func[~v]]--; continue; }
      if (v > 0) {
        if (!(V.total[v] > 0) && !(t2 && t2[v] > 0)) continue;
        var f = V.func[v];
        if (!active[f]) {
          total[f] += V.total[v];
          if (t2) total2[f] += t2[v];
        }
        self[f] += V.selfAll[v];
        if (t2) self2[f] += V.selfAll2[v];
        calls[f]++;
        active[f]++;
        stack.push(~v);
      }
      for (var k = V.first[v + 1] - 1; k >= V.first[v]; k--) stack.push(V.kids[k]);
    }
    return { self: self, total: total, calls: calls, self2: self2, total2: total2 };
  }

  /* The Python functions the table lists (a weight in the view, or in A), sorted by key
   * ('name', 'file', 'self', 'total', 'calls'; differential: 'a', 'b', 'delta', 'rel',
   * 'dtotal') in direction dir (1 ascending, -1 descending), ties by total, then id. */
  function sortFunctions(m, stats, key, dir) {
    var list = [], t2 = stats.total2, s2 = stats.self2;
    m.funcs.forEach(function (f) {
      if (f.kind === KIND_PY && (stats.total[f.id] > 0 || t2 && t2[f.id] > 0)) list.push(f.id);
    });
    var val = {
      self: function (f) { return stats.self[f]; },
      total: function (f) { return stats.total[f]; },
      calls: function (f) { return stats.calls[f]; },
      a: function (f) { return s2[f]; },
      b: function (f) { return stats.self[f]; },
      delta: function (f) { return stats.self[f] - s2[f]; },
      rel: function (f) { return relValue(s2[f], stats.self[f]); },
      dtotal: function (f) { return stats.total[f] - t2[f]; }
    }[key];
    list.sort(function (a, b) {
      var r;
      if (val) {
        var x = val(a), y = val(b);
        r = x < y ? -1 : x > y ? 1 : 0; /* also for Infinity (rel of a new function) */
      } else {
        x = key === 'file' ? m.funcs[a].file || '' : m.funcs[a].name;
        y = key === 'file' ? m.funcs[b].file || '' : m.funcs[b].name;
        r = x < y ? -1 : x > y ? 1 : 0;
      }
      return dir * r || stats.total[b] - stats.total[a] || a - b;
    });
    return list;
  }

  /* Per line of file fileId: own weight (frames executing the line) and total (stacks through
   * it, once per stack), for the stacks the view keeps. */
  function lineHeat(m, V, fileId) {
    var n = m.n, sub = Float64Array.from(V.rawW), i;
    for (i = n - 1; i >= 0; i--)
      if (m.parent[i] >= 0) sub[m.parent[i]] += sub[i];
    var self = new Map(), total = new Map(), count = new Map(), path = [];
    function add(map, k, w) { map.set(k, (map.get(k) || 0) + w); }
    for (i = 0; i < n; i++) {
      var d = m.depth[i];
      while (path.length > d) {
        var old = path.pop();
        if (old > 0) count.set(old, count.get(old) - 1);
      }
      var fr = m.frame[i], line = -1;
      if (V.raw2v[i] >= 0 && m.fFile[fr] === fileId && m.fLine[fr] > 0 && sub[i] > 0) {
        line = m.fLine[fr];
        if (!count.get(line)) add(total, line, sub[i]);
        count.set(line, (count.get(line) || 0) + 1);
      }
      path.push(line);
      if (!V.rawW[i]) continue;
      if (m.fKind[fr] === KIND_PY && line > 0) add(self, line, V.rawW[i]);
      if (m.fKind[fr] === KIND_STATE && path.length > 1 && path[path.length - 2] > 0)
        add(self, path[path.length - 2], V.rawW[i]);
    }
    return { self: self, total: total };
  }

  return {
    KIND_PY: KIND_PY, KIND_THREAD: KIND_THREAD, KIND_STATE: KIND_STATE, KIND_TASK: KIND_TASK,
    ROOT_COLOUR: ROOT_COLOUR, MATCH_COLOUR: MATCH_COLOUR,
    grouped: grouped, bytes: bytes, pct: pct, margin: margin, amount: amount, signed: signed,
    relText: relText, relValue: relValue,
    frameLabel: frameLabel, fitLabel: fitLabel, hashName: hashName, frameColour: frameColour,
    compileSearch: compileSearch, matchFunctions: matchFunctions, matchWeight: matchWeight,
    readDiff: readDiff, diffChange: diffChange, diffColour: diffColour,
    buildModel: buildModel, unpack: unpack, unsparse: unsparse, buildView: buildView,
    functionStats: functionStats, sortFunctions: sortFunctions, lineHeat: lineHeat
  };
})();
if (typeof module === 'object' && module && module.exports) module.exports = spyglassModel;
