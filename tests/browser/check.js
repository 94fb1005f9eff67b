/* Browser checks of the HTML report, run in headless Chromium by tests/functional/html.sh: the
 * test page is a report with a prefix script (window.SPYGLASS_EXPECT, window.alert counted,
 * errors collected) and this script appended at the end of its body. It drives the page as a
 * user would (mouse events on the canvas at a frame's place, typing in the search box, clicks
 * on headers, rows and buttons) and writes one line per check into <pre id="test-results">:
 * "PASS name" or "FAIL name: why", then "DONE". A differential page (E.diff, E.diffHostile) is
 * checked against the SVG and collapsed-diff that `spyglass diff` wrote from the same profiles.
 * SPDX-License-Identifier: MIT */
'use strict';
(function () {
  var E = window.SPYGLASS_EXPECT || {}, out = [], sg = window.spyglass;
  var canvas = document.getElementById('flame');

  function $(id) { return document.getElementById(id); }
  function check(name, fn) {
    try {
      var r = fn();
      out.push(r === undefined || r === true ? 'PASS ' + name :
        'FAIL ' + name + ': ' + String(r).replace(/\n/g, ' | '));
    } catch (err) {
      out.push('FAIL ' + name + ': exception ' + err + ' ' + (err.stack || '').split('\n')[1]);
    }
  }
  function boxes() { return sg.boxes(); }
  function widest(name) {
    var best = null;
    boxes().forEach(function (b) { if (b.name === name && (!best || b.w > best.w)) best = b; });
    return best;
  }
  function rootBox() {
    return boxes().filter(function (b) { return b.node === 0; })[0];
  }
  /* A mouse event at (x, y) of el; on the canvas, in the drawing's units (boxes()). */
  function fire(el, type, x, y) {
    var r = el.getBoundingClientRect(), k = el === canvas ? r.width / sg.width() : 1;
    el.dispatchEvent(new MouseEvent(type, {
      bubbles: true, cancelable: true, view: window, clientX: r.left + x * k, clientY: r.top + y
    }));
  }
  function center(b) { return [b.x + b.w / 2, b.y + b.h / 2]; }
  function width() { return sg.width(); }
  function pixel(x, y) {
    var d = window.devicePixelRatio || 1;
    return canvas.getContext('2d').getImageData(Math.floor(x * d), Math.floor(y * d), 1, 1).data;
  }
  /* A point inside box b away from its text (left) and the selection outline (edges). */
  function fillPoint(b) { return [Math.min(b.x + Math.max(b.w * 0.75, 90), b.x + b.w - 4), b.y + b.h / 2]; }
  function choose(select, prefix) {
    var opt = Array.prototype.filter.call(select.options, function (o) {
      return o.textContent.indexOf(prefix) === 0;
    })[0];
    if (!opt) return false;
    select.value = opt.value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    return true;
  }
  function near(a, b, tol) { return Math.abs(a - b) <= tol; }
  function matchPercent() {
    var m = /matched ([0-9.]+)%/.exec($('match').textContent);
    return m ? +m[1] : NaN;
  }
  /* The search (the SVG's rule): a regular expression, or the text when it is not one, against
   * each frame's "name (file:line)". */
  function search(text) {
    var box = $('search');
    box.value = text;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function tableRows() { return Array.prototype.slice.call($('table').tBodies[0].rows); }
  function rowOf(name) {
    return tableRows().filter(function (tr) { return tr.cells[0].textContent === name; })[0];
  }
  function columnValues(k) { return tableRows().map(function (tr) { return +tr.cells[k].dataset.v; }); }
  function sorted(v, dir) {
    for (var i = 1; i < v.length; i++) if (dir * (v[i] - v[i - 1]) < 0) return false;
    return v.length > 1;
  }
  function header(key) { return $('table').tHead.querySelector('th[data-key="' + key + '"]'); }

  check('render', function () {
    if (!sg) return 'no window.spyglass: the viewer did not start';
    if (boxes().length < 4) return 'only ' + boxes().length + ' boxes drawn';
    var facts = $('head').textContent;
    if (E.python && facts.indexOf(E.python) < 0) return 'facts lack Python ' + E.python + ': ' + facts;
    if (facts.indexOf('samples') < 0 || !E.noRate && facts.indexOf('rate') < 0) return 'facts: ' + facts;
    var r = rootBox();
    if (!r || !near(r.w, width(), 1)) return 'root box not full width';
  });

  if (E.hot) {
    check('top frames', function () {
      var mod = widest('<module>'), hot = widest(E.hot), cold = widest(E.cold);
      if (!mod || mod.depth !== 1) return '<module> is not a root frame: ' + JSON.stringify(mod);
      if (!hot || !cold) return 'no box for ' + E.hot + ' or ' + E.cold;
      // The target timed its loops (E.hotShare of their wall time): the boxes' widths, from
      // about 300 samples, agree within 0.12 (over 4 standard errors).
      var share = hot.w / (hot.w + cold.w);
      if (!(Math.abs(share - E.hotShare) <= 0.12))
        return E.hot + ' is ' + share.toFixed(2) + ' of the two loops, timed ' + E.hotShare;
      var p = center(mod);
      fire(canvas, 'mousemove', p[0], p[1]);
      var tip = $('tip');
      if (tip.hidden || tip.textContent.indexOf('<module>') !== 0)
        return 'hovering <module> shows: ' + tip.textContent;
    });

    check('tooltip', function () {
      var hot = widest(E.hot), p = center(hot);
      fire(canvas, 'mousemove', p[0], p[1]);
      var t = $('tip').textContent;
      if (t.indexOf(E.hot + '\n') !== 0) return 'tip: ' + t;
      if (!/hotspot\.py:\d+/.test(t)) return 'no file:line in tip: ' + t;
      if (!/%( \u00b1[0-9.]+)? of total/.test(t) || t.indexOf('of its caller (work)') < 0)
        return 'tip: ' + t;
      if (E.unit && t.indexOf(E.unit) < 0) return 'no metric in tip: ' + t;
      fire(canvas, 'mouseleave', 0, 0);
    });

    check('search', function () {
      search(E.hot);
      var got = matchPercent();
      if (!near(got, E.hotTotal, 0.15)) return 'matched ' + got + '%, summary says ' + E.hotTotal + '%';
      var hot = widest(E.hot), cold = widest(E.cold), p = fillPoint(hot), c = pixel(p[0], p[1]);
      if (!(c[0] > 190 && c[1] < 100 && c[2] > 190)) return 'match not highlighted: rgb ' + c.slice(0, 3);
      p = fillPoint(cold);
      c = pixel(p[0], p[1]);
      if (c[0] > 190 && c[1] < 100 && c[2] > 190) return 'a non-matching frame is highlighted';
      if (!rowOf(E.hot).classList.contains('match')) return 'table row not marked';
    });

    check('search counts a stack once', function () {
      search('^(' + E.hot + '|work) \\(.*hotspot\\.py:[0-9]+\\)$'); /* every hot_loop frame is under work */
      var got = matchPercent();
      if (!near(got, E.workTotal, 0.15)) return 'matched ' + got + '%, work alone is ' + E.workTotal + '%';
      if ($('match').textContent.indexOf('as text') >= 0) return 'a regex taken as text';
      search('(');
      var asText = matchPercent(), info = $('match').textContent;
      if (info.indexOf('searched as text') < 0) return 'an invalid regex not said to be text: ' + info;
      search('\\(');
      if (!(asText > 0) || asText !== matchPercent()) return '"(" as text ' + asText + '%, as /\\(/ ' + matchPercent() + '%';
      search(E.hot.toUpperCase());
      if (matchPercent() !== 0) return 'the search ignores case: ' + $('match').textContent;
      search('');
      if ($('match').textContent !== '') return 'search not cleared';
    });

    check('zoom', function () {
      var work = widest('work'), hotBefore = widest(E.hot).w, p = center(work);
      var caller = sg.label(sg.view().parent[work.node]);
      fire(canvas, 'click', p[0], p[1]);
      var z = sg.label(sg.ui().zoom), now = widest('work');
      if (z !== 'work') return 'zoom root is ' + z;
      if (!now || !near(now.x, 0, 0.5) || !near(now.w, width(), 1)) return 'work not full width';
      if (!(widest(E.hot).w > hotBefore * 1.5)) return E.hot + ' did not widen';
      if (!/\u203a work /.test($('crumbs').textContent)) return 'crumbs: ' + $('crumbs').textContent;
      $('zoom-out').click();
      if (sg.label(sg.ui().zoom) !== caller) return 'zoom out went to ' + sg.label(sg.ui().zoom);
      $('reset').click();
      if (sg.ui().zoom !== 0 || !near(rootBox().w, width(), 1)) return 'reset did not show all';
      if (!$('reset').disabled) return 'reset still enabled';
    });

    check('icicle', function () {
      var flameY = rootBox().y;
      $('view-icicle').click();
      var y = rootBox().y;
      $('view-flame').click();
      if (y !== 0 || !(flameY > 0) || rootBox().y !== flameY) return 'root at y ' + y + ' / ' + flameY;
    });

    check('table sorts', function () {
      header('total').click();
      if (!sorted(columnValues(3), -1)) return 'total not descending: ' + columnValues(3);
      header('total').click();
      if (!sorted(columnValues(3), 1)) return 'total not ascending: ' + columnValues(3);
      header('calls').click();
      if (!sorted(columnValues(4), -1)) return 'calls not descending';
      header('name').click();
      var names = tableRows().map(function (tr) { return tr.cells[0].textContent; });
      for (var i = 1; i < names.length; i++) if (names[i] < names[i - 1]) return 'names: ' + names;
      header('self').click();
      if (!sorted(columnValues(2), -1)) return 'self not descending';
      if (!header('self').classList.contains('desc')) return 'no sort mark on self';
    });

    check('table values', function () {
      var tr = rowOf(E.hot), self = tr.cells[2].querySelector('.pc').textContent;
      var total = tr.cells[3].querySelector('.pc').textContent;
      if (!near(parseFloat(self), E.hotSelf, 0.15)) return 'self ' + self + ', summary ' + E.hotSelf;
      if (!near(parseFloat(total), E.hotTotal, 0.15)) return 'total ' + total + ', summary ' + E.hotTotal;
      if (E.unit === 'samples' && !tr.cells[2].querySelector('.pm')) return 'no margin';
      if (tr.cells[4].textContent !== '1') return 'calls seen ' + tr.cells[4].textContent;
      if (tr.cells[1].textContent.indexOf('hotspot.py') < 0) return 'file ' + tr.cells[1].textContent;
    });

    check('select shows source', function () {
      var tr = rowOf(E.hot);
      tr.cells[0].click();
      if (!tr.classList.contains('sel')) return 'row not selected';
      var title = $('src-title').textContent;
      if (E.noSource) {
        if (title.indexOf('no source available') < 0) return 'title: ' + title;
        if ($('src-body').children.length) return 'source rows without a source';
        return;
      }
      var hot = document.querySelector('#src-body .src-row.hot');
      if (!hot) return 'no hot line; title: ' + title;
      if (+hot.dataset.line !== E.hotLine) return 'hottest line ' + hot.dataset.line + ', want ' + E.hotLine;
      if (hot.textContent.indexOf('# HOT') < 0) return 'hot row text: ' + hot.textContent;
      var b = widest(E.hot), c = pixel(b.x + b.w / 2, b.y + 1);
      if (!(c[0] < 60 && c[2] > 90)) return 'frame not outlined: rgb ' + c.slice(0, 3);
    });
  }

  if (E.threads) {
    check('thread filter', function () {
      if (!choose($('thread'), 'thread ' + E.thread)) return 'no thread option ' + E.thread;
      var roots = boxes().filter(function (b) { return b.depth === 1; });
      if (roots.length !== 1 || roots[0].name.indexOf('thread ' + E.thread + ' (') !== 0)
        return 'root frames: ' + roots.map(function (b) { return b.name; });
      var share = widest(E.hot).w / width();
      if (share < 0.45 || share > 0.9) return E.hot + ' is ' + share.toFixed(2) + ' of the thread';
      if (widest('nap')) return 'the sleeper thread is still drawn';
      choose($('thread'), 'all threads');
      if (!widest('nap') || widest('thread ' + E.thread)) return 'merged view not back';
    });
  }

  if (E.states) {
    check('state filter', function () {
      if (!widest('<cpu>')) return 'no <cpu> leaf in the merged view';
      if (!choose($('state'), '<cpu>')) return 'no <cpu> option';
      if (widest('<cpu>')) return 'the state leaf is still drawn';
      if (!widest(E.hot)) return E.hot + ' missing from <cpu>';
      if (!choose($('state'), '<sleep>')) return 'no <sleep> option';
      if (!widest('nap') || widest(E.hot)) return '<sleep> view: ' + boxes().map(function (b) { return b.name; });
      choose($('state'), 'all states');
      if (!widest('<cpu>')) return 'all states not back';
    });
  }

  if (E.resources !== undefined) {
    check('resources', function () {
      var sec = $('resources'), n = $('charts').querySelectorAll('canvas').length;
      if (!E.resources) return sec.hidden ? true : 'charts without readings';
      if (sec.hidden || n < 3) return 'hidden ' + sec.hidden + ', ' + n + ' charts';
      var cpu = sg.model().series.list.filter(function (s) { return s.name === 'cpu_pct'; })[0];
      var max = Math.max.apply(null, cpu.v.filter(isFinite));
      // The target measured its own CPU share (E.cpuShare, %): the busiest reading reaches it,
      // less what readings at the edges of the run (start-up, exit) may lose.
      if (!(E.cpuShare > 0) || !(max >= 0.8 * E.cpuShare))
        return 'CPU peak ' + max + '% for a target that used ' + E.cpuShare + '% of a CPU';
      var c = $('charts').firstChild;
      fire(c, 'mousemove', c.getBoundingClientRect().width / 2, 20);
      if ($('chart-readout').textContent.indexOf('CPU') < 0) return 'readout: ' + $('chart-readout').textContent;
    });
  }

  if (E.hostile) {
    check('no injection', function () {
      if (window.__alerts) return window.__alerts + ' alert(s) ran';
      var scripts = document.querySelectorAll('script').length;
      if (scripts !== 4) return scripts + ' script elements, want 4 (prefix, data, viewer, check)';
      if (document.querySelectorAll('img,iframe,object,embed,svg').length) return 'injected elements';
      var tr = rowOf(E.hostileName);
      if (!tr) return 'no table row with the hostile name as text';
      tr.cells[0].click();
      if (window.__alerts || document.querySelectorAll('script').length !== 4) return 'select injected';
      if (!widest(E.hostileName)) return 'hostile name not drawn';
      var src = $('src-body').textContent;
      if (src.indexOf(E.hostileName) < 0) return 'source view lacks the hostile text';
      if ($('src-title').textContent.indexOf(E.hostilePath) < 0) return 'path not shown as text';
      search('<script>');
      if (!(matchPercent() > 10)) return 'search for <script> matched ' + $('match').textContent;
      fire(canvas, 'mousemove', center(widest(E.hostileName))[0], center(widest(E.hostileName))[1]);
      if ($('tip').textContent.indexOf(E.hostilePath) < 0) return 'tip: ' + $('tip').textContent;
      if (window.__alerts) return 'alert after interaction';
    });
  }

  /* The fill of box b as drawn, [r, g, b]. */
  function fillOf(b) {
    var p = fillPoint(b);
    return Array.prototype.slice.call(pixel(p[0], p[1]), 0, 3);
  }
  function rgbNear(c, want, tol) {
    return c.every(function (v, i) { return Math.abs(v - want[i]) <= tol; });
  }
  function clickHeader(key) { header(key).click(); return columnValues(keyColumn(key)); }
  function keyColumn(key) {
    return Array.prototype.map.call($('table').tHead.rows[0].cells, function (th) {
      return th.dataset.key;
    }).indexOf(key);
  }

  if (E.diff) {
    check('diff facts and legend', function () {
      var m = sg.model();
      if (!m.diff || !m.self2) return 'no differential model';
      var sides = document.querySelectorAll('#head dl.facts.side');
      if (sides.length !== 2) return sides.length + ' side fact lists';
      if (sides[0].textContent.indexOf(E.nameA) < 0 || sides[1].textContent.indexOf(E.nameB) < 0)
        return 'sides: ' + sides[0].textContent + ' / ' + sides[1].textContent;
      if (!/rate1000 Hz/.test(sides[0].textContent) || !/Python3\./.test(sides[1].textContent))
        return 'side facts: ' + sides[0].textContent;
      var lg = $('legend');
      if (lg.hidden || lg.textContent.indexOf('A (before): ' + E.nameA) < 0 ||
          lg.textContent.indexOf('normalised by sampling rate') < 0)
        return 'legend: ' + lg.textContent;
      if (lg.querySelectorAll('.swatch').length !== 3) return 'no colour swatches';
    });

    check('diff colours (as the SVG)', function () {
      var names = ['f', 'g', 'h'], bad = [];
      names.forEach(function (n) {
        var b = widest(n), c = b && fillOf(b);
        if (!b) bad.push('no box ' + n);
        else if (!rgbNear(c, E.fill[n], 3)) bad.push(n + ' rgb ' + c + ', the SVG has ' + E.fill[n]);
      });
      if (bad.length) return bad.join('; ');
      var f = fillOf(widest('f'));
      if (!(f[0] > f[1] + 60 && f[1] === f[2])) return 'f not red: ' + f;
      for (var i = 1; i < 3; i++) {
        var c = fillOf(widest(names[i]));
        if (Math.abs(c[0] - c[2]) >= 50) return names[i] + ' not near neutral: ' + c;
      }
    });

    check('diff tooltip', function () {
      var b = widest('f'), p = center(b);
      fire(canvas, 'mousemove', p[0], p[1]);
      var t = $('tip').textContent;
      fire(canvas, 'mouseleave', 0, 0);
      if (t.indexOf('f\n') !== 0 || !/diffwork\.py:\d+/.test(t)) return 'tip: ' + t;
      var mb = /\nB: ([0-9,]+) samples/.exec(t), ma = /\nA: ([0-9.,]+) samples/.exec(t);
      if (!mb || !ma || !/\nchange: \+[0-9.,]+ samples \(\+[0-9.]+%\)/.test(t)) return 'tip: ' + t;
      if (+mb[1].replace(/,/g, '') !== E.fB) return 'tip B ' + mb[1] + ', collapsed-diff ' + E.fB;
      if (Math.abs(+ma[1].replace(/,/g, '') - E.fA) > 2) return 'tip A ' + ma[1] + ', collapsed-diff ' + E.fA;
    });

    check('diff table', function () {
      var first = tableRows()[0];
      if (!first || first.cells[0].textContent !== 'f') return 'first row: ' + (first && first.cells[0].textContent);
      if (!header('delta').classList.contains('desc')) return 'not sorted by growth';
      var heads = Array.prototype.map.call($('table').tHead.rows[0].cells, function (th) { return th.textContent; });
      if (heads.join('|') !== 'function|file|A|B|\u0394|\u0394%|\u0394 total') return 'headers: ' + heads;
      var c = first.cells;
      if (+c[3].dataset.v !== E.fB || Math.abs(+c[2].dataset.v - E.fA) > 2)
        return 'f: A ' + c[2].dataset.v + ' B ' + c[3].dataset.v + ', collapsed-diff ' + E.fA + ' ' + E.fB;
      if (!c[4].classList.contains('up') || c[5].textContent.charAt(0) !== '+') return 'f change not growth';
      if (!sorted(columnValues(4), -1)) return '\u0394 not descending';
      if (!sorted(clickHeader('rel'), -1)) return '\u0394% not descending';
      if (!sorted(clickHeader('b'), -1)) return 'B not descending';
      if (!sorted(clickHeader('a'), -1)) return 'A not descending';
      if (!sorted(clickHeader('dtotal'), -1)) return '\u0394 total not descending';
      clickHeader('delta');
      if (!sorted(clickHeader('delta'), 1)) return '\u0394 not ascending';
      clickHeader('delta');
      for (var i = 1; i < 3; i++) {
        var r = rowOf(['f', 'g', 'h'][i]);
        if (!r || Math.abs(+r.cells[4].dataset.v) >= +c[4].dataset.v / 2) return 'g/h grew as much as f';
      }
    });

    check('diff search, zoom, thread', function () {
      search('^f \\(');
      var got = matchPercent(), want = 100 * E.fB / sg.model().total;
      if (!near(got, want, 0.15)) return 'matched ' + got + '%, f is ' + want.toFixed(2) + '% of B';
      if ($('match').textContent.indexOf('; in A ') < 0) return 'match: ' + $('match').textContent;
      search('');
      var main = widest('main'), p = center(main), fw = widest('f').w;
      fire(canvas, 'click', p[0], p[1]);
      if (sg.label(sg.ui().zoom) !== 'main' || !(widest('f').w >= fw)) return 'zoom to main';
      if (!rgbNear(fillOf(widest('f')), E.fill.f, 3)) return 'f colour changed by the zoom';
      $('reset').click();
      var m = sg.model();
      if (!m.threads.length) return 'no threads in the profile';
      if (!choose($('thread'), 'thread MainThread')) return 'no MainThread option';
      var f = widest('f');
      if (!f || !rgbNear(fillOf(f), E.fill.f, 3)) return 'f in MainThread: ' + (f && fillOf(f));
      choose($('thread'), 'all threads');
    });
  }

  if (E.diffHostile) {
    check('diff: no injection', function () {
      if (window.__alerts) return window.__alerts + ' alert(s) ran';
      if (document.querySelectorAll('script').length !== 4) return 'script elements added';
      if (document.querySelectorAll('img,iframe,object,embed,svg').length) return 'injected elements';
      var tr = rowOf(E.hostileName);
      if (!tr || tableRows()[0] !== tr) return 'the hostile function is not the first row';
      if (!tr.cells[4].classList.contains('up')) return 'the hostile function did not grow';
      if ($('legend').textContent.indexOf(E.nameA) < 0) return 'legend: ' + $('legend').textContent;
      if ($('title').textContent.indexOf(E.nameA) < 0) return 'title: ' + $('title').textContent;
      var b = widest(E.hostileName);
      if (!b) return 'hostile name not drawn';
      fire(canvas, 'mousemove', center(b)[0], center(b)[1]);
      if ($('tip').textContent.indexOf(E.hostilePath) < 0) return 'tip: ' + $('tip').textContent;
      tr.cells[0].click();
      if (window.__alerts || document.querySelectorAll('script').length !== 4) return 'select injected';
    });

    check('diff: only in A', function () {
      var tr = rowOf(E.goneName);
      if (!tr || !tr.classList.contains('gone')) return 'no row marked gone for ' + E.goneName;
      if (+tr.cells[3].dataset.v !== 0 || !(+tr.cells[2].dataset.v > 0)) return 'A/B: ' + tr.textContent;
      if (tr.cells[5].textContent !== 'only in A') return '\u0394%: ' + tr.cells[5].textContent;
      if (widest(E.goneName)) return 'a box drawn for a function only in A';
      if ($('legend').textContent.indexOf('1 function is only in A') < 0) return 'legend: ' + $('legend').textContent;
    });
  }

  check('no errors', function () {
    return (window.__errors || []).length ? 'errors: ' + window.__errors.join(' | ') : true;
  });

  var pre = document.createElement('pre');
  pre.id = 'test-results';
  pre.textContent = out.join('\n') + '\nDONE\n';
  document.body.appendChild(pre);
})();
