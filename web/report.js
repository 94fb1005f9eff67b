/* spyglass HTML report: the viewer's page code (embedded by scripts/embed.sh after
 * web/model.js, in one script run at the end of the page). Plain JavaScript, no dependencies.
 * It reads the profile from the JSON element #spyglass-data (format in src/out_html.h), has
 * the model (web/model.js: spyglassModel) build the call tree for the chosen thread and state,
 * draws it on a canvas (flame graph or icicle), and fills the function table, the source view
 * and the resource charts. A differential profile (`spyglass diff`, with "diff" and the tree's
 * "self2": A's weights beside B's) is drawn with B's widths, each box coloured by its change
 * from A, and its table lists A, B and the change. Labels, colours and the search follow the
 * SVG writer's rules (the model's). Text from the profile reaches the page only through
 * textContent, option labels and canvas fillText: never as HTML.
 * SPDX-License-Identifier: MIT */
'use strict';
(function () {
  var M = spyglassModel, KIND_PY = M.KIND_PY;
  var grouped = M.grouped, bytes = M.bytes, pct = M.pct, margin = M.margin;
  var relText = M.relText, relValue = M.relValue;
  var buildModel = M.buildModel, buildView = M.buildView, functionStats = M.functionStats;
  var ROW = 18;          /* px per stack level */
  var MIN_W = 0.35;      /* boxes narrower than this (px) are not drawn */
  var TABLE_ROWS = 300;  /* functions listed at most */
  var SRC_LINES = 1500;  /* lines of a file shown at most (a window around the function) */
  var SEL = '#10307a';   /* the outline of the selected function */

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* ---- the page ---- */
  var model, view, stats, ui = {
    icicle: false, thread: -1, state: -1, zoom: 0, selected: -1, search: null, match: null,
    matchShare: 0, sortKey: 'self', sortDir: -1, hover: -1
  };
  var canvas, ctx, boxes = { n: 0, x: [], y: [], w: [], v: [] }, charW = 7.2, cssW = 0, rows = 1;

  function weightText(w) {
    if (model.unit === 'bytes') return bytes(w);
    return grouped(w) + ' ' + model.unit;
  }
  function shareText(w, of) {
    var t = pct(of > 0 ? w / of : 0);
    if (model.unit === 'samples' && of > 0) t += ' \u00b1' + (100 * margin(w, of)).toFixed(1);
    return t;
  }

  /* ---- differential profiles ---- */
  /* A weight that need not be whole (A's are normalised), without its unit. */
  function amount(w) { return M.amount(w, model.unit); }
  function signed(w) { return M.signed(w, model.unit); }
  /* The change from a to b and the fill of a box weighing a in A, b in B (src/out_diff.c). */
  function change(a, b) { return M.diffChange(a, b, model.diff); }
  function diffColor(a, b) { return M.diffColour(a, b, model.diff); }
  var NORM_TEXT = {
    time: 'by sampling rate (equal time, equal weight)',
    duration: 'by rate and length of recording (per second recorded)',
    total: 'by total (each profile\u2019s shares)',
    none: 'not (the weights as they are)'
  };

  /* The legend of a differential page: which is A and B, the normalisation, the colours. */
  function legend() {
    var x = model.diff, box = $('legend'), nA = 0;
    box.hidden = false;
    stats.total.forEach(function (w, f) {
      if (!(w > 0) && stats.total2[f] > 0 && model.funcs[f].kind === KIND_PY) nA++;
    });
    function swatch(a, b, text) {
      var sw = el('span', 'swatch');
      sw.style.background = diffColor(a, b);
      box.appendChild(sw);
      box.appendChild(el('span', '', text));
    }
    box.appendChild(el('span', 'who', 'A (before): ' + (x.a.name || '?') + ' \u00b7 B (after): ' +
      (x.b.name || '?') + '. '));
    swatch(0, 100, 'grew');
    swatch(100, 0, 'shrank');
    swatch(100, 100, 'unchanged' + (x.counts ? ' or within sampling noise' : ''));
    box.appendChild(el('span', '', '. Widths are B\u2019s; the colour is the relative change ' +
      '(B \u2212 A) / max(A, B)' + (x.counts ? ', faded when |B \u2212 A| < ' + x.scale.sd +
      '\u221a(A + B)' : '') + '. A normalised ' + (NORM_TEXT[x.norm] || x.norm) + ': A\u2019s ' +
      'weights \u00d7 ' + x.factor.toPrecision(4) + '.' + (nA ? ' ' + nA + (nA === 1 ?
      ' function is' : ' functions are') + ' only in A (no width here): in the table, B = 0.' : '')));
  }

  /* fact(key, value) adding to dl (nothing for an empty value). */
  function factAdder(dl) {
    return function (k, v) {
      if (v === null || v === undefined || v === '') return;
      var div = el('div');
      div.appendChild(el('dt', '', k));
      div.appendChild(el('dd', '', String(v)));
      dl.appendChild(div);
    };
  }

  function facts() {
    var mt = model.meta, fact = factAdder($('facts'));
    var title = mt.title || 'spyglass profile';
    $('title').textContent = title;
    document.title = title;
    var metric = model.unit === 'samples' ? 'samples (thread stacks)' : model.unit;
    if (!model.diff) {
      runFacts(fact, mt, model.total, function () {
        fact('metric', metric);
        fact('total', weightText(model.total));
      });
      return;
    }
    var x = model.diff, a = model.total2, b = model.total;
    fact('metric', metric);
    fact('total', 'A ' + amount(a) + ' \u2192 B ' + weightText(b) + ' (' + signed(b - a) + ', ' +
      relText(a, b) + ')');
    [['A', x.a], ['B', x.b]].forEach(function (side) {
      var dl = el('dl', 'facts side'), add = factAdder(dl), m = side[1];
      add(side[0], m.name || '?');
      runFacts(add, m, side[0] === 'A' ? +m.total / (x.factor || 1) : +m.total, function () {});
      $('head').insertBefore(dl, $('legend'));
    });
  }

  /* The facts of one run (mt: meta or a side of "diff"), with middle() after the samples;
   * total: the run's own sum of weights, for the invalid share. */
  function runFacts(fact, mt, total, middle) {
    fact('command', mt.command);
    fact('Python', mt.python);
    fact('mode', mt.mode);
    if (mt.duration > 0) fact('duration', mt.duration.toFixed(2) + ' s');
    if (mt.samples > 0) fact('samples', grouped(mt.samples));
    middle();
    if (mt.rate_requested > 0 || mt.rate_effective > 0)
      fact('rate', (mt.rate_requested > 0 ? mt.rate_requested + ' Hz requested' : 'max requested') +
        (mt.rate_effective > 0 ? ', ' + mt.rate_effective.toFixed(1) + ' Hz effective' : ''));
    if (mt.missed > 0)
      fact('ticks missed', grouped(mt.missed) + ' (skipped: the profiler was late by a period ' +
        'or more)');
    if (mt.samples > 0 || mt.invalid > 0) {
      var inv = grouped(mt.invalid || 0);
      if (model.unit === 'samples' && total + mt.invalid > 0)
        inv += ' (' + pct(mt.invalid / (total + mt.invalid)) + ')';
      fact('invalid', inv);
    }
    if (mt.overhead !== null && mt.overhead >= 0) fact('profiler overhead', pct(mt.overhead) +
      ' of the target\u2019s CPU');
  }

  function filters() {
    var ts = $('thread'), ss = $('state');
    if (!model.threads.length) $('thread-box').hidden = true;
    ts.appendChild(new Option('all threads (merged)', '-1'));
    model.threads.forEach(function (t) {
      ts.appendChild(new Option(model.funcs[t.func].name + ' \u2014 ' +
        pct(t.weight / model.total), String(t.frame)));
    });
    if (!model.states.length) $('state-box').hidden = true;
    ss.appendChild(new Option('all states', '-1'));
    model.states.forEach(function (s) {
      ss.appendChild(new Option(model.funcs[s.func].name + ' \u2014 ' +
        pct(s.weight / model.total), String(s.frame)));
    });
    ts.addEventListener('change', function () { setFilter(+ts.value, ui.state); });
    ss.addEventListener('change', function () { setFilter(ui.thread, +ss.value); });
  }

  function setFilter(thread, state) {
    ui.thread = thread;
    ui.state = state;
    $('thread').value = String(thread);
    $('state').value = String(state);
    view = buildView(model, thread, state);
    stats = functionStats(model, view);
    ui.zoom = 0;
    applySearch();
    draw();
    renderTable();
    renderSource();
  }

  /* ---- the graph ---- */
  function resize() {
    var dpr = window.devicePixelRatio || 1;
    rows = Math.min(view.depth[ui.zoom] + view.below[ui.zoom] + 1, Math.floor(30000 / ROW));
    canvas.style.height = rows * ROW + 'px';
    cssW = $('graph').clientWidth || 1000; /* after the height: a scroll bar may have come or gone */
    canvas.width = Math.round(cssW * dpr);
    canvas.height = Math.round(rows * ROW * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = '12px ' + getComputedStyle(document.body).getPropertyValue('--mono');
    ctx.textBaseline = 'middle';
    charW = ctx.measureText('mmmmmmmmmm').width / 10 || 7.2;
  }

  function rowY(depth) { return ui.icicle ? depth * ROW : (rows - 1 - depth) * ROW; }

  function label(v) {
    if (v === 0) return 'all (' + weightText(view.total[0]) + ')';
    return model.funcs[view.func[v]].name;
  }

  /* Node v's fill: a search match, else its change (differential), else its function's. */
  function boxFill(v) {
    var f = v ? model.funcs[view.func[v]] : null;
    if (f && ui.match && ui.match[f.id]) return M.MATCH_COLOUR;
    if (model.diff) return diffColor(view.total2[v], view.total[v]);
    return f ? f.color : M.ROOT_COLOUR;
  }

  function drawBox(v, x, w, faded) {
    var d = view.depth[v];
    if (d >= rows) return;
    var y = rowY(d), f = v ? model.funcs[view.func[v]] : null;
    ctx.globalAlpha = faded ? 0.55 : 1;
    ctx.fillStyle = boxFill(v);
    ctx.fillRect(x, y, Math.max(w - 0.5, 0.5), ROW - 1);
    if (f && f.id === ui.selected && w >= 2) {
      ctx.strokeStyle = SEL;
      ctx.lineWidth = 2;
      ctx.strokeRect(x + 1, y + 1, Math.max(w - 2.5, 0.5), ROW - 3);
    }
    var s = M.fitLabel(label(v), w, charW); /* as the SVG: by code point */
    if (s) {
      ctx.fillStyle = model.diff && change(view.total2[v], view.total[v]).x > 0.75 ? '#fff' : '#111';
      ctx.fillText(s, x + 3, y + ROW / 2);
    }
    ctx.globalAlpha = 1;
    boxes.x[boxes.n] = x; boxes.y[boxes.n] = y; boxes.w[boxes.n] = w; boxes.v[boxes.n] = v;
    boxes.n++;
  }

  function draw() {
    var rowsBefore = rows;
    resize();
    /* a flame graph grows upwards: keep its root in sight when its height changes */
    if (!ui.icicle && rows !== rowsBefore) $('graph').scrollTop = $('graph').scrollHeight;
    ctx.clearRect(0, 0, cssW, rows * ROW);
    boxes.n = 0;
    $('empty').hidden = view.total[0] > 0;
    var z = ui.zoom, anc = [];
    for (var a = view.parent[z]; a >= 0; a = view.parent[a]) anc.push(a);
    anc.forEach(function (up) { drawBox(up, 0, cssW, true); });
    if (view.total[z] > 0) {
      var k = cssW / view.total[z], stack = [z, 0];
      while (stack.length) {
        var x = stack.pop(), v = stack.pop(), w = view.total[v] * k;
        if (w < MIN_W || view.depth[v] >= rows) continue;
        drawBox(v, x, w, false);
        /* children from the left edge; the gap on the right is the node's own weight */
        for (var j = view.first[v], cx = x; j < view.first[v + 1]; j++) {
          var c = view.kids[j];
          stack.push(c, cx);
          cx += view.total[c] * k;
        }
      }
    }
    crumbs();
    $('zoom-out').disabled = $('reset').disabled = z === 0;
  }


  function crumbs() {
    var parts = [];
    for (var v = ui.zoom; v > 0; v = view.parent[v]) parts.push(label(v));
    parts.push('all');
    $('crumbs').textContent = parts.reverse().join(' \u203a ') +
      (ui.zoom ? '  (' + shareText(view.total[ui.zoom], view.total[0]) + ' of all)' : '');
  }

  function hit(cx, cy) {
    for (var i = boxes.n - 1; i >= 0; i--)
      if (cy >= boxes.y[i] && cy < boxes.y[i] + ROW && cx >= boxes.x[i] &&
          cx < boxes.x[i] + boxes.w[i])
        return boxes.v[i];
    return -1;
  }
  /* The node under a mouse event; the canvas may be stretched until the next draw. */
  function eventNode(e) {
    var r = canvas.getBoundingClientRect(), kx = r.width ? cssW / r.width : 1;
    var ky = r.height ? rows * ROW / r.height : 1;
    return hit((e.clientX - r.left) * kx, (e.clientY - r.top) * ky);
  }

  function tipText(v) {
    var lines = [label(v)], total0 = view.total[0];
    if (v > 0) {
      var f = model.funcs[view.func[v]];
      if (f.file) lines.push(f.file + (view.lo[v] > 0 ? ':' + view.lo[v] +
        (view.hi[v] > view.lo[v] ? '\u2013' + view.hi[v] : '') : ''));
    }
    if (model.diff) diffTip(v, lines);
    else lines.push(weightText(view.total[v]) + ' \u2014 ' + shareText(view.total[v], total0) +
      ' of total');
    if (v > 0) {
      var p = view.parent[v];
      lines.push(pct(view.total[p] > 0 ? view.total[v] / view.total[p] : 0) + ' of its caller (' +
        label(p) + ')');
      if (view.selfAll2 && (view.selfAll[v] > 0 || view.selfAll2[v] > 0))
        lines.push('self: A ' + amount(view.selfAll2[v]) + ' \u2192 B ' + amount(view.selfAll[v]) +
          ' (' + signed(view.selfAll[v] - view.selfAll2[v]) + ')');
      else if (view.selfAll[v] > 0)
        lines.push('self: ' + weightText(view.selfAll[v]) + ' (' + pct(view.selfAll[v] / total0) +
          ')');
    }
    return lines.join('\n');
  }

  /* The lines of a differential tooltip: B, A and the change. */
  function diffTip(v, lines) {
    var a = view.total2[v], b = view.total[v], ch = change(a, b);
    lines.push('B: ' + weightText(b) + ' \u2014 ' + pct(view.total[0] > 0 ? b / view.total[0] : 0) +
      ' of B');
    lines.push('A: ' + amount(a) + ' ' + model.unit + ' \u2014 ' +
      pct(view.total2[0] > 0 ? a / view.total2[0] : 0) + ' of A (normalised)');
    lines.push('change: ' + signed(b - a) + ' ' + model.unit + ' (' + relText(a, b) + ')' +
      (ch.noise && a !== b ? ', within sampling noise' : ''));
  }

  function showTip(v, e) {
    var tip = $('tip');
    if (v < 0) { tip.hidden = true; return; }
    tip.textContent = tipText(v);
    tip.hidden = false;
    var x = e.clientX + 14, y = e.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth - 4) x = Math.max(4, e.clientX - tip.offsetWidth - 10);
    if (y + tip.offsetHeight > window.innerHeight - 4) y = Math.max(4, e.clientY - tip.offsetHeight - 10);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }

  function zoomTo(v) {
    ui.zoom = v >= 0 && v < view.n ? v : 0;
    draw();
  }

  /* ---- search ---- */
  /* The SVG's search (the model's): a regular expression, or the text itself when the query is
   * not one, against each frame's label "name (file:line)"; a function matches when one of its
   * frames does. The share counts a stack with several matching frames once. */
  function applySearch() {
    var info = $('match'), s = ui.search;
    if (!s) {
      ui.match = null;
      ui.matchShare = 0;
      info.textContent = '';
      return;
    }
    var match = M.matchFunctions(model, s), mw = M.matchWeight(view, match), t2 = view.total2;
    var nfun = 0, w = mw.w;
    for (var f = 0; f < match.length; f++)
      if (match[f] && (stats.total[f] > 0 || t2 && stats.total2[f] > 0)) nfun++;
    ui.match = match;
    ui.matchShare = view.total[0] > 0 ? w / view.total[0] : 0;
    info.textContent = 'matched ' + shareText(w, view.total[0]) + ' of total (' + weightText(w) +
      ', ' + nfun + (nfun === 1 ? ' function)' : ' functions)') +
      (t2 ? '; in A ' + pct(t2[0] > 0 ? mw.w2 / t2[0] : 0) + ' (' + amount(mw.w2) + ')' : '') +
      (s.regex ? '' : '; searched as text (not a regular expression)');
  }

  function onSearch() {
    ui.search = M.compileSearch($('search').value);
    applySearch();
    draw();
    renderTable();
  }

  /* ---- the table ---- */
  /* A differential table's columns: key, header, what it holds. */
  var DIFF_COLUMNS = [
    ['name', 'function', ''], ['file', 'file', ''],
    ['a', 'A', 'own weight (self) in A, in B\u2019s units'],
    ['b', 'B', 'own weight (self) in B'],
    ['delta', '\u0394', 'B \u2212 A of the own weight'],
    ['rel', '\u0394%', '(B \u2212 A) / A of the own weight'],
    ['dtotal', '\u0394 total', 'B \u2212 A of the stacks through the function (inclusive)']
  ];

  /* The table's columns for a differential profile, sorted by growth. */
  function diffTable() {
    var t = $('table'), cg = t.querySelector('colgroup'), row = t.tHead.rows[0];
    t.classList.add('diff');
    cg.textContent = '';
    row.textContent = '';
    DIFF_COLUMNS.forEach(function (c, i) {
      cg.appendChild(el('col', i === 0 ? 'c-fn' : i === 1 ? 'c-file' : 'c-d'));
      var th = el('th', i > 1 ? 'num' : '', c[1]);
      th.dataset.key = c[0];
      if (c[2]) th.title = c[2];
      row.appendChild(th);
    });
    ui.sortKey = 'delta';
    ui.sortDir = -1;
  }

  function sortedFunctions() { return M.sortFunctions(model, stats, ui.sortKey, ui.sortDir); }

  function weightCell(tr, w, total) {
    var td = el('td', 'num');
    td.dataset.v = String(w);
    td.appendChild(el('span', 'pc', pct(total > 0 ? w / total : 0)));
    if (model.unit === 'samples') td.appendChild(el('span', 'pm', ' \u00b1' +
      (100 * margin(w, total)).toFixed(1)));
    td.appendChild(el('span', 'w', ' ' + (model.unit === 'bytes' ? bytes(w) : grouped(w))));
    tr.appendChild(td);
  }

  /* A cell holding text, its value v in data-v (for sorting and tests). */
  function numCell(tr, text, v, cls) {
    var td = el('td', 'num' + (cls ? ' ' + cls : ''), text);
    td.dataset.v = String(v);
    tr.appendChild(td);
    return td;
  }

  /* A change cell: red growth, blue shrink, grey when within sampling noise. */
  function deltaCell(tr, a, b, text, v) {
    var ch = change(a, b);
    numCell(tr, text, v, a === b ? '' : ch.noise ? 'noise' : b > a ? 'up' : 'down');
  }

  function diffCells(tr, f) {
    var a = stats.self2[f], b = stats.self[f], ta = stats.total2[f], tb = stats.total[f];
    numCell(tr, amount(a), a);
    numCell(tr, amount(b), b);
    deltaCell(tr, a, b, signed(b - a), b - a);
    deltaCell(tr, a, b, relText(a, b), relValue(a, b));
    deltaCell(tr, ta, tb, signed(tb - ta), tb - ta);
    if (!(tb > 0)) {
      tr.classList.add('gone');
      tr.title = 'only in A: no width in B\u2019s flame graph';
    }
  }

  function renderTable() {
    var body = $('table').tBodies[0], list = sortedFunctions(), total = view.total[0];
    var shown = Math.min(list.length, TABLE_ROWS), nA = 0;
    body.textContent = '';
    for (var i = 0; i < shown; i++) {
      var f = model.funcs[list[i]], tr = el('tr');
      tr.dataset.func = String(f.id);
      if (f.id === ui.selected) tr.className = 'sel';
      if (ui.match && ui.match[f.id]) tr.classList.add('match');
      var fn = el('td', 'fn', f.name), file = el('td', 'file');
      fn.title = f.name;
      file.appendChild(el('bdi', '', f.file ? f.file + (f.lo ? ':' + f.lo : '') : ''));
      file.title = f.file || '';
      tr.appendChild(fn);
      tr.appendChild(file);
      if (model.diff) {
        diffCells(tr, f.id);
      } else {
        weightCell(tr, stats.self[f.id], total);
        weightCell(tr, stats.total[f.id], total);
        numCell(tr, grouped(stats.calls[f.id]), stats.calls[f.id]);
      }
      body.appendChild(tr);
    }
    if (model.diff) list.forEach(function (id) { if (!(stats.total[id] > 0)) nA++; });
    var note = list.length + (list.length === 1 ? ' function' : ' functions');
    if (nA) note += ' (' + nA + ' only in A: B = 0)';
    if (shown < list.length) note += ', the first ' + shown + ' shown';
    if (model.diff) note += '; A, B: own weight (self), A in B\u2019s units; \u0394 total: the ' +
      'stacks through the function' + (model.diff.counts ? '; grey: within sampling noise' : '');
    else if (model.unit === 'samples') note += '; \u00b1: 95% margin of the share (binomial, Wilson)';
    note += '. Click a header to sort, a row to see its source.';
    $('table-note').textContent = note;
    Array.prototype.forEach.call($('table').tHead.rows[0].cells, function (th) {
      th.classList.toggle('sorted', th.dataset.key === ui.sortKey);
      th.classList.toggle('desc', th.dataset.key === ui.sortKey && ui.sortDir < 0);
      th.classList.toggle('asc', th.dataset.key === ui.sortKey && ui.sortDir > 0);
    });
  }

  function onHeader(e) {
    var th = e.target.closest('th');
    if (!th) return;
    var key = th.dataset.key;
    if (key === ui.sortKey) ui.sortDir = -ui.sortDir;
    else {
      ui.sortKey = key;
      ui.sortDir = key === 'name' || key === 'file' ? 1 : -1;
    }
    renderTable();
  }

  function select(f) {
    ui.selected = f;
    Array.prototype.forEach.call($('table').tBodies[0].rows, function (tr) {
      tr.classList.toggle('sel', +tr.dataset.func === f);
    });
    draw();
    renderSource();
  }

  /* ---- the source view ---- */
  function renderSource() {
    var title = $('src-title'), body = $('src-body'), f = model.funcs[ui.selected];
    body.textContent = '';
    if (!f) return;
    if (!f.file) {
      title.textContent = f.name + ': no source file (a synthetic frame).';
      return;
    }
    var text = model.sources.get(f.fileId);
    if (typeof text !== 'string') {
      title.textContent = f.name + ' \u2014 ' + f.file + ': no source available (the file ' +
        'was not embedded when the report was written: see \u201csource files\u201d below).';
      return;
    }
    var heat = M.lineHeat(model, view, f.fileId), lines = text.split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    var hot = -1, best = -1, maxTotal = 0;
    heat.total.forEach(function (w) { if (w > maxTotal) maxTotal = w; });
    f.lines.forEach(function (ln) {
      var s = heat.self.get(ln) || 0, t = heat.total.get(ln) || 0, score = s * 1e6 + t / 1e6;
      if ((s > 0 || t > 0) && score > best) { best = score; hot = ln; }
    });
    var center = hot > 0 ? hot : f.lo || 1, from = 1, to = lines.length;
    if (to > SRC_LINES) {
      from = Math.max(1, center - SRC_LINES / 2);
      to = Math.min(lines.length, from + SRC_LINES - 1);
    }
    title.textContent = f.name + ' \u2014 ' + f.file + (hot > 0 ? '; hottest line ' + hot : '') +
      '. Columns: line, self, total' + (model.diff ? ' (B\u2019s).' : '.');
    if (from > 1) body.appendChild(el('div', 'src-gap', '\u2026 lines 1\u2013' + (from - 1)));
    var hotRow = null;
    for (var ln = from; ln <= to; ln++) {
      var s = heat.self.get(ln) || 0, t = heat.total.get(ln) || 0, row = el('div', 'src-row');
      row.dataset.line = String(ln);
      if (f.lines.has(ln)) row.classList.add('fn');
      if (ln === hot) { row.classList.add('hot'); hotRow = row; }
      if (t > 0) row.style.background = 'rgba(255,96,0,' +
        (0.07 + 0.55 * t / maxTotal).toFixed(3) + ')';
      row.appendChild(el('span', 'ln', String(ln)));
      row.appendChild(el('span', 'sw', s > 0 ? pct(s / view.total[0]) : ''));
      row.appendChild(el('span', 'tw', t > 0 ? pct(t / view.total[0]) : ''));
      row.appendChild(el('span', 'code', lines[ln - 1]));
      row.title = 'line ' + ln + ': self ' + weightText(s) + ', total ' + weightText(t);
      body.appendChild(row);
    }
    if (to < lines.length)
      body.appendChild(el('div', 'src-gap', '\u2026 lines ' + (to + 1) + '\u2013' + lines.length));
    var target = hotRow || body.querySelector('.src-row.fn');
    if (target) body.scrollTop = Math.max(0, target.offsetTop - body.clientHeight / 3);
  }

  /* The source files the page holds, and how many were left out and why (the writer's
   * "source_note", when it says). */
  var SRC_WHY = [['rare', 'in under 0.1% of the samples'], ['large', 'too large'],
    ['binary', 'not text'], ['missing', 'not found'], ['special', 'not regular files'],
    ['denied', 'in a protected directory or outside --sources'],
    ['unreadable', 'not readable by the profile\u2019s user']];

  function sourceFiles() {
    var note = model.sourceNote, names = [], why = [], left = 0;
    model.sources.forEach(function (t, id) {
      if (typeof model.strings[id] === 'string') names.push(model.strings[id]);
    });
    if (!note && !names.length) return;
    names.sort();
    SRC_WHY.forEach(function (w) {
      var n = note && typeof note[w[0]] === 'number' && note[w[0]] > 0 ? note[w[0]] : 0;
      if (n) why.push(grouped(n) + ' ' + w[1]);
      left += n;
    });
    var sum = 'Source files embedded: ' + grouped(names.length) +
      (left ? '; left out: ' + grouped(left) + ' (' + why.join(', ') + ')' : '') +
      (note && note.off === true ? ' (--no-sources)' : '');
    $('src-sum').textContent = sum;
    $('src-rule').textContent = note && typeof note.rule === 'string' && note.rule ?
      'Read from disk: ' + note.rule + '.' : '';
    var ul = $('src-list');
    names.forEach(function (name) { ul.appendChild(el('li', '', name)); });
    $('src-files').hidden = false;
    factAdder($('facts'))('sources', grouped(names.length) +
      (names.length === 1 ? ' file embedded' : ' files embedded') +
      (left ? ', ' + grouped(left) + ' left out' : ''));
  }

  /* ---- resource charts ---- */
  var charts = [];
  function unitText(v, unit) {
    if (!isFinite(v)) return '?';
    if (unit === '%') return v.toFixed(v < 10 ? 1 : 0) + '%';
    if (unit === 'B') return bytes(v);
    if (unit === 'B/s') return bytes(v) + '/s';
    if (unit === '/s') return grouped(v) + '/s';
    return grouped(v) + (unit ? ' ' + unit : '');
  }

  function buildCharts() {
    var s = model.series;
    if (!s || !s.t.length || !Array.isArray(s.list) || !s.list.length) return;
    $('resources').hidden = false;
    var groups = new Map(), box = $('charts');
    s.list.forEach(function (x) {
      if (!Array.isArray(x.v)) return;
      var g = groups.get(x.chart);
      if (!g) groups.set(x.chart, g = []);
      g.push(x);
    });
    groups.forEach(function (list) {
      var c = el('canvas');
      box.appendChild(c);
      charts.push({ canvas: c, list: list });
      c.addEventListener('mousemove', function (e) {
        var r = c.getBoundingClientRect();
        drawCharts((e.clientX - r.left) / r.width);
      });
      c.addEventListener('mouseleave', function () { drawCharts(-1); });
    });
    drawCharts(-1);
  }

  var PALETTE = ['#2557b8', '#d9480f', '#2b8a3e', '#862e9c'];
  function drawCharts(at) {
    var t = model.series.t, n = t.length, t0 = t[0], t1 = t[n - 1] > t0 ? t[n - 1] : t0 + 1;
    var readout = [], idx = -1;
    if (at >= 0) {
      var tt = t0 + at * (t1 - t0);
      idx = 0;
      while (idx < n - 1 && t[idx + 1] <= tt) idx++;
      readout.push('t = ' + (t[idx] - t0).toFixed(2) + ' s');
    }
    charts.forEach(function (ch, ci) {
      var c = ch.canvas, dpr = window.devicePixelRatio || 1, W = c.clientWidth || 800;
      var H = c.clientHeight || 86, last = ci === charts.length - 1, bottom = last ? 18 : 0;
      c.width = Math.round(W * dpr);
      c.height = Math.round(H * dpr);
      var g = c.getContext('2d');
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, W, H);
      g.font = '11px sans-serif';
      var max = 0;
      ch.list.forEach(function (x) {
        x.v.forEach(function (v) { if (isFinite(v) && v > max) max = v; });
      });
      var seen = max > 0;
      if (ch.list[0].unit === '%') max = Math.max(max, 100);
      if (!(max > 0)) max = 1;
      var ph = H - bottom - 16, y0 = H - bottom;
      function X(tv) { return (tv - t0) / (t1 - t0) * W; }
      ch.list.forEach(function (x, k) {
        g.strokeStyle = PALETTE[k % PALETTE.length];
        g.lineWidth = 1.4;
        g.beginPath();
        var pen = false;
        for (var i = 0; i < n; i++) {
          var v = x.v[i];
          if (!isFinite(v)) { pen = false; continue; }
          var px = X(t[i]), py = y0 - v / max * ph;
          if (pen) g.lineTo(px, py); else g.moveTo(px, py);
          pen = true;
        }
        g.stroke();
        if (idx >= 0) readout.push(x.label + ' ' + unitText(x.v[idx], x.unit));
      });
      g.textBaseline = 'top';
      var x0 = 4;
      ch.list.forEach(function (x, k) {
        g.fillStyle = PALETTE[k % PALETTE.length];
        g.fillRect(x0, 5, 10, 3);
        g.fillStyle = '#444';
        g.fillText(x.label, x0 + 14, 2);
        x0 += 24 + g.measureText(x.label).width;
      });
      g.fillStyle = '#777';
      g.fillText(seen ? 'max ' + unitText(max, ch.list[0].unit) : 'none during the run', x0, 2);
      if (last) {
        g.textBaseline = 'bottom';
        for (var k = 0; k <= 5; k++) {
          var tv = t0 + k / 5 * (t1 - t0), s = (tv - t0).toFixed(1) + ' s';
          var w = g.measureText(s).width;
          g.fillText(s, Math.min(Math.max(X(tv) - w / 2, 2), W - w - 2), H - 2);
        }
      }
      if (idx >= 0) {
        g.strokeStyle = 'rgba(0,0,0,0.5)';
        g.lineWidth = 1;
        g.beginPath();
        g.moveTo(X(t[idx]) + 0.5, 0);
        g.lineTo(X(t[idx]) + 0.5, H);
        g.stroke();
      }
    });
    $('chart-readout').textContent = readout.length ? readout.join('   ') : '\u00a0';
  }

  /* ---- wiring ---- */
  function setView(icicle) {
    ui.icicle = icicle;
    $('view-flame').classList.toggle('on', !icicle);
    $('view-icicle').classList.toggle('on', icicle);
    draw();
    $('graph').scrollTop = icicle ? 0 : $('graph').scrollHeight;
  }

  var timings = {};
  function timed(name, fn) {
    var t0 = performance.now(), r = fn();
    timings[name] = Math.round(performance.now() - t0);
    return r;
  }

  function init() {
    var data;
    try {
      data = timed('parse', function () { return JSON.parse($('spyglass-data').textContent); });
    } catch (err) {
      $('title').textContent = 'spyglass report: the embedded profile cannot be read';
      return;
    }
    model = timed('model', function () { return buildModel(data); });
    canvas = $('flame');
    ctx = canvas.getContext('2d');
    facts();
    sourceFiles();
    filters();
    if (model.diff) diffTable();
    view = timed('view', function () { return buildView(model, -1, -1); });
    stats = timed('stats', function () { return functionStats(model, view); });
    if (model.diff) legend();
    timed('draw', draw);
    timed('table', renderTable);
    buildCharts();
    var top = sortedFunctions()[0]; /* the hottest function's source, to begin with */
    if (top !== undefined) timed('source', function () { select(top); });
    canvas.addEventListener('mousemove', function (e) { showTip(eventNode(e), e); });
    canvas.addEventListener('mouseleave', function () { $('tip').hidden = true; });
    canvas.addEventListener('click', function (e) {
      var v = eventNode(e);
      if (v < 0) return;
      if (v > 0 && model.funcs[view.func[v]].kind === KIND_PY) select(view.func[v]);
      zoomTo(v);
    });
    $('zoom-out').addEventListener('click', function () { zoomTo(Math.max(view.parent[ui.zoom], 0)); });
    $('reset').addEventListener('click', function () { zoomTo(0); });
    $('view-flame').addEventListener('click', function () { setView(false); });
    $('view-icicle').addEventListener('click', function () { setView(true); });
    $('search').addEventListener('input', onSearch);
    $('table').tHead.addEventListener('click', onHeader);
    $('table').tBodies[0].addEventListener('click', function (e) {
      var tr = e.target.closest('tr');
      if (tr) select(+tr.dataset.func);
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && document.activeElement !== $('search')) zoomTo(0);
    });
    var pending = 0;
    window.addEventListener('resize', function () {
      clearTimeout(pending);
      pending = setTimeout(function () { draw(); if (charts.length) drawCharts(-1); }, 60);
    });
    if (window.ResizeObserver) /* e.g. a page scroll bar that came after the first draw */
      new ResizeObserver(function () {
        if ($('graph').clientWidth !== cssW) draw();
      }).observe($('graph'));
  }

  init();

  /* Read-only access for tests and the curious: the model, the view and the drawn boxes. */
  window.spyglass = {
    model: function () { return model; },
    view: function () { return view; },
    ui: function () { return ui; },
    label: function (v) { return label(v); },
    funcOf: function (v) { return v > 0 ? model.funcs[view.func[v]] : null; },
    boxes: function () {
      var out = [];
      for (var i = 0; i < boxes.n; i++)
        out.push({ x: boxes.x[i], y: boxes.y[i], w: boxes.w[i], h: ROW, node: boxes.v[i],
          name: label(boxes.v[i]), depth: view.depth[boxes.v[i]] });
      return out;
    },
    tip: function (v) { return tipText(v); },
    stats: function () { return stats; }, /* per function: self, total, calls (, self2, total2) */
    fill: function (v) { return boxFill(v); }, /* node v's fill colour */
    width: function () { return cssW; }, /* of the drawing, in CSS px (boxes' unit) */
    timings: function () { return timings; } /* ms of each step of the start */
  };
})();
