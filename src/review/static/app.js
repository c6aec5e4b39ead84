// moderate review page: keyboard navigation, selection and decisions.
//
// Served as /static/app.js so the Content-Security-Policy can forbid inline script. The write
// token arrives in the URL fragment (#token=...) printed by `moderate review serve`; it is moved
// to sessionStorage (this tab only) and removed from the address bar. Fragments are never sent
// to a server, so the token is not in any log or Referer. Without it, the page asks once.
'use strict';

(function () {
  var TOKEN_KEY = 'moderate-review-token';
  var REVIEWER_KEY = 'moderate-reviewer';

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

  // --- status line -------------------------------------------------------------------------
  function say(msg, kind) {
    var el = $('#status');
    el.textContent = msg;
    el.className = 'status' + (kind ? ' ' + kind : '');
  }

  // --- items, current, selection -----------------------------------------------------------
  var items = [];
  var current = -1;

  function setCurrent(i) {
    if (items.length === 0) { return; }
    i = Math.max(0, Math.min(items.length - 1, i));
    if (current >= 0 && items[current]) { items[current].classList.remove('current'); }
    current = i;
    var art = items[current];
    art.classList.add('current');
    art.focus({ preventScroll: true });
    art.scrollIntoView({ block: 'nearest' });
  }

  function selected() {
    return items.filter(function (a) { return $('.select', a).checked; });
  }

  function updateSelectionCount() {
    var n = selected().length;
    $('#selection-count').textContent = n + ' selected';
    items.forEach(function (a) { a.classList.toggle('selected', $('.select', a).checked); });
  }

  function nextPending(from) {
    for (var i = from + 1; i < items.length; i++) {
      if (items[i].dataset.status === 'pending') { return i; }
    }
    return Math.min(from + 1, items.length - 1);
  }

  // --- decisions ---------------------------------------------------------------------------
  function reviewer() {
    return $('#reviewer').value.trim();
  }

  function categoriesOf(art) {
    return $$('.cat-box', art).filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
  }

  function applyResult(result) {
    var byId = {};
    (result.decisions || []).forEach(function (d) { byId[d.item] = d; });
    (result.items || []).forEach(function (st) {
      var art = document.getElementById('item-' + st.id);
      if (!art) { return; }
      bumpCount(art.dataset.status, -1);
      bumpCount(st.status, 1);
      art.dataset.version = String(st.version);
      art.dataset.status = st.status;
      art.classList.remove('pending', 'approved', 'rejected');
      art.classList.add(st.status, 'decided');
      $('.state', art).textContent = st.status;
      $('.select', art).checked = false;
      var d = byId[st.id];
      if (d) {
        $('.last', art).textContent = d.action + ' by ' + d.reviewer + ' at ' + d.decided_at + ' (via ' + d.via + ')';
      }
      if (st.author_blocked) { markAuthorBlocked(art.dataset.author); }
    });
    updateSelectionCount();
  }

  function bumpCount(status, by) {
    var el = document.getElementById('count-' + status);
    if (el) { el.textContent = String(Math.max(0, Number(el.textContent) + by)); }
  }

  function markAuthorBlocked(author) {
    if (!author) { return; }
    items.forEach(function (a) {
      if (a.dataset.author === author && !$('.badge.blocked', a)) {
        var badge = document.createElement('span');
        badge.className = 'badge blocked';
        badge.textContent = 'author blocked';
        var head = $('.item-head', a);
        head.insertBefore(badge, $('.meta', a));
        head.insertBefore(document.createTextNode(' '), $('.meta', a));
      }
    });
  }

  var busy = false;

  function decide(action, arts) {
    if (busy || arts.length === 0) { return; }
    if (!token()) {
      showTokenBar(true);
      say('Paste the write token printed by `moderate review serve` first.', 'error');
      $('#token-input').focus();
      return;
    }
    if (!reviewer()) {
      say('Enter your name as reviewer first.', 'error');
      $('#reviewer').focus();
      return;
    }
    var url, body;
    if (arts.length === 1) {
      var art = arts[0];
      url = '/api/items/' + encodeURIComponent(art.dataset.id) + '/decision';
      body = { action: action, reviewer: reviewer(), expected_version: Number(art.dataset.version) };
      if (action !== 'approve') { body.categories = categoriesOf(art); }
    } else {
      url = '/api/decisions';
      body = {
        action: action,
        reviewer: reviewer(),
        items: arts.map(function (a) {
          var it = { id: Number(a.dataset.id), expected_version: Number(a.dataset.version) };
          if (action !== 'approve') { it.categories = categoriesOf(a); }
          return it;
        })
      };
    }
    busy = true;
    say('Saving ' + action + ' for ' + arts.length + ' item' + (arts.length === 1 ? '' : 's') + '...', '');
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token() },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.ok) {
          applyResult(data);
          var ids = arts.map(function (a) { return '#' + a.dataset.id; }).join(', ');
          say(action + ': ' + ids + ' saved.', 'ok');
          if (arts.length === 1 && items[current] === arts[0]) { setCurrent(nextPending(current)); }
        } else if (res.status === 401) {
          try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
          showTokenBar(true);
          say('The server refused the token: ' + (data.error || res.status) + '. Paste the token again.', 'error');
        } else if (res.status === 409) {
          say('Conflict: ' + (data.error || 'someone else decided first') + ' (reload with F5)', 'error');
        } else {
          say('Not saved (' + res.status + '): ' + (data.error || res.statusText), 'error');
        }
      });
    }).catch(function (e) {
      say('Not saved: ' + e, 'error');
    }).then(function () { busy = false; });
  }

  function act(action) {
    var sel = selected();
    if (sel.length > 0) { decide(action, sel); return; }
    if (current >= 0) { decide(action, [items[current]]); }
  }

  // --- wiring ------------------------------------------------------------------------------
  function init() {
    takeTokenFromFragment();
    items = $$('article.item');

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

    items.forEach(function (art, i) {
      art.addEventListener('click', function (e) {
        if (e.target.closest('a, button, input, label, summary')) { return; }
        setCurrent(i);
      });
      $('.select', art).addEventListener('change', updateSelectionCount);
      $$('button[data-action]', art).forEach(function (b) {
        b.addEventListener('click', function () {
          setCurrent(i);
          decide(b.dataset.action, [art]);
        });
      });
    });
    $$('button[data-bulk]').forEach(function (b) {
      b.addEventListener('click', function () {
        var sel = selected();
        if (sel.length === 0) { say('Select items first (x, or the checkboxes).', 'error'); return; }
        decide(b.dataset.bulk, sel);
      });
    });

    document.addEventListener('keydown', function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) { return; }
      var t = e.target;
      if (t && (t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' ||
                (t.tagName === 'INPUT' && t.type !== 'checkbox'))) { return; }
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
        case 'a': act('approve'); break;
        case 'r': act('reject'); break;
        case 'b': act('block'); break;
        default: return;
      }
      e.preventDefault();
    });
    updateSelectionCount();
    if (items.length === 0) { say('', ''); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
