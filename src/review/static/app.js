// moderate review page: token, keyboard, selection, decisions, undo, claims, polling.
//
// Served as /static/app.js so the Content-Security-Policy can forbid inline script. The token
// arrives in the URL fragment (#token=...) printed by `moderate review serve`; it is moved to
// sessionStorage (this tab only) and removed from the address bar. Fragments are never sent to
// a server. Reads need the token too: the page trades it once for the server's read cookie
// (POST /api/session) and reloads. Comment text only ever enters the DOM as textContent, or as
// HTML the server escaped (body_html).
'use strict';

(function () {
  var TOKEN_KEY = 'moderate-review-token';
  var REVIEWER_KEY = 'moderate-reviewer';
  var DECISION_KEYS = { a: 1, r: 1, b: 1, e: 1, z: 1, x: 1, X: 1 };

  function $(sel, el) { return (el || document).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }

  // --- token -------------------------------------------------------------------------------
  function takeTokenFromFragment() {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      try { sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1])); } catch (e) { /* storage off */ }
      history.replaceState(null, '', location.pathname + location.search);
    }
  }
  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
  }
  function showTokenBar(show) {
    var bar = $('#token-bar');
    if (bar) { bar.hidden = !show; }
  }
  function api(method, url, body) {
    var opts = { method: method, credentials: 'same-origin', headers: { 'Authorization': 'Bearer ' + token() } };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { res: res, data: data }; });
    });
  }
  function openSession() {
    return api('POST', '/api/session', {}).then(function (r) {
      if (r.res.ok) { location.replace(location.pathname + location.search); return; }
      try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
      say('The server refused the token (' + r.res.status + '). Paste it again.', 'error');
    });
  }

  // --- status line -------------------------------------------------------------------------
  function say(msg, kind) {
    var el = $('#status');
    if (!el) { return; }
    el.textContent = msg;
    el.className = 'status' + (kind ? ' ' + kind : '');
  }

  // --- items, current, selection -----------------------------------------------------------
  var items = [];
  var current = -1;
  var undoStack = [];
  var claimTimer = null;

  function setCurrent(i) {
    if (items.length === 0) { return; }
    i = Math.max(0, Math.min(items.length - 1, i));
    if (current >= 0 && items[current]) { items[current].classList.remove('current'); }
    current = i;
    var art = items[current];
    art.classList.add('current');
    art.focus({ preventScroll: true });
    // .item has scroll-margin-top = the sticky toolbar's height (set below), so "nearest" never
    // leaves the item under the toolbar.
    art.scrollIntoView({ block: 'nearest' });
    scheduleClaim(art);
  }

  function selected() {
    return items.filter(function (a) { return $('.select', a).checked; });
  }

  function updateSelectionCount() {
    var n = selected().length;
    $('#selection-count').textContent = n + ' selected';
    items.forEach(function (a) { a.classList.toggle('selected', $('.select', a).checked); });
  }

  // The next undecided item after `from`, wrapping around; -1 when none is left.
  function nextPending(from) {
    for (var k = 1; k <= items.length; k++) {
      var i = (from + k) % items.length;
      if (items[i].dataset.status === 'pending') { return i; }
    }
    return -1;
  }

  // --- claims ------------------------------------------------------------------------------
  // The item under the cursor is held for this moderator; moving on releases the previous one.
  var claimed = null;
  function scheduleClaim(art) {
    if (claimTimer) { clearTimeout(claimTimer); }
    if (!token() || art.dataset.status !== 'pending' || claimed === art.dataset.id) { return; }
    claimTimer = setTimeout(function () {
      var who = { reviewer: reviewer() || undefined };
      if (claimed !== null) {
        api('POST', '/api/items/' + claimed + '/release', who).catch(function () { /* it expires */ });
        claimed = null;
      }
      api('POST', '/api/items/' + art.dataset.id + '/claim', who).then(function (r) {
        if (r.res.ok) { claimed = art.dataset.id; }
        if (r.res.status === 409) { say(r.data.error || 'someone else holds this item', 'error'); }
      }).catch(function () { /* offline: decisions will say so */ });
    }, 600);
  }

  // --- decisions ---------------------------------------------------------------------------
  function reviewer() {
    return $('#reviewer').value.trim();
  }

  function categoriesOf(art) {
    return $$('.cat-box', art).filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
  }

  // The ticked categories when the moderator changed them; undefined = the defaults.
  function chosenCategories(art) {
    var now = categoriesOf(art).sort().join(',');
    var dflt = (art.dataset.cats || '').split(',').filter(function (c) { return c; }).sort().join(',');
    return now === dflt ? undefined : categoriesOf(art);
  }

  function setState(art, st, lastText) {
    bumpCount(art.dataset.status, -1);
    bumpCount(st.status, 1);
    art.dataset.version = String(st.version);
    art.dataset.status = st.status;
    art.classList.remove('pending', 'approved', 'rejected', 'decided');
    art.classList.add(st.status);
    if (st.status !== 'pending') { art.classList.add('decided'); }
    $('.state', art).textContent = st.status;
    $('.select', art).checked = false;
    $('.last', art).textContent = lastText;
    if (st.author_blocked && !$('.badge.blocked', art)) {
      var badge = document.createElement('span');
      badge.className = 'badge blocked';
      badge.textContent = 'blocked';
      $('.item-head', art).insertBefore(badge, $('.meta', art));
    }
  }

  function applyResult(result, action) {
    var byId = {};
    (result.decisions || []).forEach(function (d) { byId[d.item] = d; });
    (result.items || []).forEach(function (st) {
      var art = document.getElementById('item-' + st.id);
      if (!art) { return; }
      var d = byId[st.id];
      var text = d ? d.action + ' by ' + d.reviewer + ' at ' + d.decided_at + ' (via ' + d.via + ')' : '';
      if (d && d.block) { text += '; blocked ' + d.block.kind + ' ' + d.block.value; }
      if (d && d.note) { text += '; note: ' + d.note; }
      setState(art, st, text);
      undoStack.push({ id: st.id, version: st.version, action: action });
    });
    updateSelectionCount();
  }

  function bumpCount(status, by) {
    var el = document.getElementById('count-' + status);
    if (el) { el.textContent = String(Math.max(0, Number(el.textContent) + by)); }
  }

  var busy = false;

  function ready() {
    if (busy) { return false; }
    if (!token()) {
      showTokenBar(true);
      say('Paste the token printed by `moderate review serve` first.', 'error');
      $('#token-input').focus();
      return false;
    }
    if (!reviewer()) {
      say('Enter your name as reviewer first.', 'error');
      $('#reviewer').focus();
      return false;
    }
    return true;
  }

  function takeNote() {
    var el = $('#note');
    var v = el ? el.value.trim() : '';
    return v || undefined;
  }

  function decide(action, arts, extra) {
    if (arts.length === 0 || !ready()) { return; }
    var url, body;
    var note = takeNote();
    if (arts.length === 1) {
      var art = arts[0];
      url = '/api/items/' + encodeURIComponent(art.dataset.id) + '/decision';
      body = { action: action, reviewer: reviewer(), expected_version: Number(art.dataset.version), note: note };
      if (action !== 'approve') { body.categories = chosenCategories(art); }
      if (extra) { Object.keys(extra).forEach(function (k) { body[k] = extra[k]; }); }
    } else {
      url = '/api/decisions';
      body = {
        action: action,
        reviewer: reviewer(),
        note: note,
        items: arts.map(function (a) {
          var it = { id: Number(a.dataset.id), expected_version: Number(a.dataset.version) };
          if (action !== 'approve') { it.categories = chosenCategories(a); }
          return it;
        })
      };
      if (extra && extra.block_kind) { body.block_kind = extra.block_kind; }
    }
    busy = true;
    say('Saving ' + action + ' for ' + arts.length + ' item' + (arts.length === 1 ? '' : 's') + '...', '');
    api('POST', url, body).then(function (r) {
      var res = r.res, data = r.data;
      if (res.ok) {
        applyResult(data, action);
        if ($('#note')) { $('#note').value = ''; }
        var ids = arts.map(function (a) { return '#' + a.dataset.id; }).join(', ');
        say(action + ': ' + ids + ' saved. z undoes.', 'ok');
        var next = nextPending(current);
        if (next >= 0) { setCurrent(next); } else { say(action + ': ' + ids + ' saved. Nothing left undecided on this page.', 'ok'); }
      } else if (res.status === 401) {
        try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
        showTokenBar(true);
        say('The server refused the token: ' + (data.error || res.status) + '. Paste the token again.', 'error');
      } else if (res.status === 409) {
        say('Conflict: ' + (data.error || 'someone else decided first') + ' (reload with F5)', 'error');
      } else {
        say('Not saved (' + res.status + '): ' + (data.error || res.statusText), 'error');
      }
    }).catch(function (e) {
      say('Not saved: ' + e, 'error');
    }).then(function () { busy = false; });
  }

  function undo() {
    if (!ready()) { return; }
    var last = undoStack.pop();
    if (!last) { say('Nothing to undo in this session.', 'error'); return; }
    var art = document.getElementById('item-' + last.id);
    busy = true;
    api('POST', '/api/items/' + last.id + '/reopen', { reviewer: reviewer(), expected_version: last.version }).then(function (r) {
      if (r.res.ok) {
        var st = (r.data.items || [])[0];
        if (art && st) {
          setState(art, st, 'reopened by ' + reviewer() + ' (undid ' + last.action + ')');
          setCurrent(items.indexOf(art));
        }
        say('Undone: ' + last.action + ' of #' + last.id + '.', 'ok');
      } else {
        say('Not undone (' + r.res.status + '): ' + (r.data.error || ''), 'error');
      }
    }).catch(function (e) { say('Not undone: ' + e, 'error'); }).then(function () { busy = false; });
  }

  function targets() {
    var sel = selected();
    if (sel.length > 0) { return sel; }
    return current >= 0 ? [items[current]] : [];
  }

  // --- block: ask which identity, Enter confirms -------------------------------------------
  var KIND_LABEL = { email: 'e-mail', domain: 'URL domain', ip: 'IP', name: 'exact name' };
  function askBlock(arts) {
    if (arts.length === 0 || !ready()) { return; }
    closePanels();
    var art = arts[0];
    var kinds = (art.dataset.blockKinds || '').split(',').filter(function (k) { return k; });
    if (kinds.length === 0) { say('This author has no name, e-mail, URL or IP to block; reject instead.', 'error'); return; }
    var panel = document.createElement('form');
    panel.className = 'panel confirm-block';
    var title = document.createElement('strong');
    title.textContent = 'Block ' + (arts.length > 1 ? 'the authors of ' + arts.length + ' items' : 'this author') + ' by: ';
    panel.appendChild(title);
    kinds.forEach(function (k, n) {
      var label = document.createElement('label');
      var radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'kind';
      radio.value = k;
      radio.checked = n === 0;
      label.appendChild(radio);
      label.appendChild(document.createTextNode(' ' + (KIND_LABEL[k] || k) + ' '));
      panel.appendChild(label);
    });
    var ok = document.createElement('button');
    ok.type = 'submit';
    ok.textContent = 'Block (Enter)';
    panel.appendChild(ok);
    var hint = document.createElement('span');
    hint.className = 'hint';
    hint.textContent = ' Esc cancels';
    panel.appendChild(hint);
    panel.addEventListener('submit', function (e) {
      e.preventDefault();
      var kind = $('input[name=kind]:checked', panel).value;
      panel.remove();
      decide('block', arts, { block_kind: kind });
    });
    $('.actions', art).after(panel);
    $('input[name=kind]:checked', panel).focus();
  }

  // --- whole body, edit-then-approve -------------------------------------------------------
  function loadItem(art) {
    return api('GET', '/api/items/' + art.dataset.id).then(function (r) {
      if (!r.res.ok) { throw new Error(r.data.error || String(r.res.status)); }
      return r.data;
    });
  }
  function expand(art) {
    if (!art || !$('.more', art)) { return; }
    loadItem(art).then(function (item) {
      $('.body', art).innerHTML = item.body_html; // escaped by the server (page::highlight)
      $('.more', art).remove();
    }).catch(function (e) { say('Could not load #' + art.dataset.id + ': ' + e.message, 'error'); });
  }
  function edit(art) {
    if (!art || !ready()) { return; }
    closePanels();
    loadItem(art).then(function (item) {
      var panel = document.createElement('form');
      panel.className = 'panel edit-panel';
      var ta = document.createElement('textarea');
      ta.value = item.body;
      ta.rows = 6;
      panel.appendChild(ta);
      var ok = document.createElement('button');
      ok.type = 'submit';
      ok.textContent = 'Approve edited text (Ctrl+Enter)';
      panel.appendChild(ok);
      var hint = document.createElement('span');
      hint.className = 'hint';
      hint.textContent = ' the original is kept; Esc cancels';
      panel.appendChild(hint);
      panel.addEventListener('submit', function (e) {
        e.preventDefault();
        var text = ta.value;
        panel.remove();
        decide('approve', [art], { edited_body: text });
      });
      ta.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); panel.requestSubmit(); }
      });
      $('.actions', art).after(panel);
      ta.focus();
    }).catch(function (e) { say('Could not load #' + art.dataset.id + ': ' + e.message, 'error'); });
  }
  function closePanels() { $$('.panel').forEach(function (p) { p.remove(); }); }

  // --- new items ---------------------------------------------------------------------------
  function poll() {
    if (!token()) { return; }
    var since = Number(document.body.dataset.newest || 0);
    api('GET', '/api/poll?since=' + since).then(function (r) {
      if (!r.res.ok) { return; }
      ['pending', 'approved', 'rejected'].forEach(function (s) {
        var el = document.getElementById('count-' + s);
        if (el && r.data.counts) { el.textContent = String(r.data.counts[s]); }
      });
      var box = $('#new-items');
      if (r.data['new'] > 0 && plainView()) { appendNew(since); return; }
      if (box && r.data['new'] > 0) {
        box.textContent = '';
        var a = document.createElement('a');
        a.href = '/?status=pending&sort=newest';
        a.textContent = r.data['new'] + (r.data['new'] >= 1000 ? '+' : '') + ' new item' + (r.data['new'] === 1 ? '' : 's') + ' since this page loaded: show';
        box.appendChild(a);
        box.hidden = false;
      }
    }).catch(function () { /* try again later */ });
  }

  // The default view (pending, no filter, no search, first page): new items belong at its end.
  function plainView() {
    var p = new URLSearchParams(location.search);
    var ok = true;
    p.forEach(function (v, k) {
      if (!(k === 'limit' || (k === 'status' && v === 'pending') || k === 'sort')) { ok = false; }
    });
    return ok;
  }

  // Appends the pending items queued after `since` (HTML the server rendered and escaped).
  function appendNew(since) {
    api('GET', '/api/fragment?after=' + since).then(function (r) {
      if (!r.res.ok || !r.data.html) { return; }
      var main = $('#items');
      var empty = $('.empty', main);
      if (empty) { empty.remove(); }
      var before = items.length;
      main.insertAdjacentHTML('beforeend', r.data.html); // escaped by the server (page::items_html)
      items = $$('article.item');
      items.slice(before).forEach(wireItem);
      document.body.dataset.newest = String(r.data.newest);
      say((items.length - before) + ' new item' + (items.length - before === 1 ? '' : 's') + ' added at the end.', 'ok');
      if (current < 0 && items.length > 0) { setCurrent(0); }
    }).catch(function () { /* try again later */ });
  }

  // --- wiring one item (on load, and for items that arrive while the page is open) ------------
  function wireItem(art) {
    art.addEventListener('click', function (e) {
      if (e.target.closest('a, button, input, label, summary, textarea, form')) { return; }
      setCurrent(items.indexOf(art));
    });
    $('.select', art).addEventListener('change', updateSelectionCount);
    $$('button[data-action]', art).forEach(function (b) {
      b.addEventListener('click', function () {
        setCurrent(items.indexOf(art));
        var act = b.dataset.action;
        if (act === 'block') { askBlock([art]); } else if (act === 'edit') { edit(art); } else { decide(act, [art]); }
      });
    });
    var more = $('.expand', art);
    if (more) { more.addEventListener('click', function () { expand(art); }); }
    $$('button.unblock', art).forEach(function (b) {
      b.addEventListener('click', function () {
        if (!ready()) { return; }
        api('POST', '/api/blocks', { kind: b.dataset.kind, value: b.dataset.value, blocked: false, reviewer: reviewer() }).then(function (r) {
          if (r.res.ok) {
            $$('button.unblock').forEach(function (o) {
              if (o.dataset.kind === b.dataset.kind && o.dataset.value === b.dataset.value) { o.remove(); }
            });
            say('Unblocked ' + b.dataset.kind + ' ' + b.dataset.value + '.', 'ok');
          } else {
            say('Not unblocked (' + r.res.status + '): ' + (r.data.error || ''), 'error');
          }
        });
      });
    });
    $$('button.copy', art).forEach(function (b) {
      b.addEventListener('click', function () {
        var text = b.dataset.copy || '';
        if (navigator.clipboard) {
          navigator.clipboard.writeText(text).then(function () { say('Copied.', 'ok'); }, function () { say('Copy refused by the browser.', 'error'); });
        }
      });
    });
  }

  // --- wiring ------------------------------------------------------------------------------
  function toolbarHeight() {
    var tb = $('#toolbar');
    if (tb) { document.documentElement.style.setProperty('--toolbar-h', (tb.offsetHeight + 8) + 'px'); }
  }

  function initLogin() {
    takeTokenFromFragment();
    var save = function () {
      var v = $('#token-input').value.trim();
      if (!v) { return; }
      try { sessionStorage.setItem(TOKEN_KEY, v); } catch (e) { /* ignore */ }
      openSession();
    };
    $('#token-save').addEventListener('click', save);
    $('#token-input').addEventListener('keydown', function (e) { if (e.key === 'Enter') { save(); } });
    if (token()) { openSession(); } else { $('#token-input').focus(); }
  }

  function init() {
    if (document.body.dataset.login) { initLogin(); return; }
    takeTokenFromFragment();
    items = $$('article.item');
    toolbarHeight();
    window.addEventListener('resize', toolbarHeight);

    var rev = $('#reviewer');
    var saved = null;
    try { saved = localStorage.getItem(REVIEWER_KEY); } catch (e) { /* ignore */ }
    rev.value = saved || document.body.dataset.reviewer || '';
    rev.addEventListener('change', function () {
      try { localStorage.setItem(REVIEWER_KEY, rev.value.trim()); } catch (e) { /* ignore */ }
    });

    showTokenBar(!token());
    $('#token-save').addEventListener('click', function () {
      var v = $('#token-input').value.trim();
      if (!v) { return; }
      try { sessionStorage.setItem(TOKEN_KEY, v); } catch (e) { /* ignore */ }
      $('#token-input').value = '';
      showTokenBar(false);
      say('Token saved for this tab.', 'ok');
    });
    $('#token-input').addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { $('#token-save').click(); }
    });

    items.forEach(wireItem);
    $$('button[data-bulk]').forEach(function (b) {
      b.addEventListener('click', function () {
        var sel = selected();
        if (sel.length === 0) { say('Select items first (x, or the checkboxes).', 'error'); return; }
        decide(b.dataset.bulk, sel);
      });
    });

    document.addEventListener('keydown', function (e) {
      var t = e.target;
      var typing = t && (t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' ||
                         (t.tagName === 'INPUT' && t.type !== 'checkbox' && t.type !== 'radio'));
      if (e.key === 'Escape') {
        // Esc leaves any field (and closes panels and the help), back to the list.
        closePanels();
        $('#help').hidden = true;
        if (t && t.blur && t !== document.body) { t.blur(); }
        if (current >= 0) { items[current].focus({ preventScroll: true }); }
        e.preventDefault();
        return;
      }
      if (typing || e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (t && t.closest && t.closest('.panel')) { return; }
      // A held key repeats: moving may repeat, deciding never does.
      if (e.repeat && DECISION_KEYS[e.key]) { e.preventDefault(); return; }
      switch (e.key) {
        case 'j': setCurrent(current + 1); break;
        case 'k': setCurrent(current < 0 ? 0 : current - 1); break;
        case 'x':
          if (current >= 0) {
            var box = $('.select', items[current]);
            box.checked = !box.checked;
            updateSelectionCount();
          }
          break;
        case 'X':
          var all = selected().length < items.length;
          items.forEach(function (a) { $('.select', a).checked = all; });
          updateSelectionCount();
          break;
        case 'a': decide('approve', targets()); break;
        case 'r': decide('reject', targets()); break;
        case 'b': askBlock(targets()); break;
        case 'e': if (current >= 0) { edit(items[current]); } break;
        case 'o': if (current >= 0) { expand(items[current]); } break;
        case 'n': if ($('#note')) { $('#note').focus(); } break;
        case 'z': undo(); break;
        case '/': $('#search').focus(); break;
        case '?': $('#help').hidden = !$('#help').hidden; break;
        default: return;
      }
      e.preventDefault();
    });
    updateSelectionCount();
    if (items.length > 0) { setCurrent(0); }
    setInterval(poll, 10000);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
