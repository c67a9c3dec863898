/**
 * The web chat page: one self-contained HTML document that works on an old phone browser or
 * a computer. Large buttons for the main menu and every choice (reachable with the keyboard,
 * named for screen readers), a "Chữ lớn" setting remembered on the device, readable from 320
 * pixels wide. A little JavaScript talks to /chat/api; nothing is loaded from another host.
 */
export const CHAT_PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sổ tay Đảng viên — Web chat</title>
<style>
  * { box-sizing: border-box; }
  /* The message form is display:flex: without this, hiding it when signed out did nothing. */
  [hidden] { display: none !important; }
  html { font-size: 18px; }
  html.large { font-size: 23px; }
  body { font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 0;
    background: #f4f1ea; color: #1d1d1d; overflow-wrap: anywhere; }
  header { background: #b71c1c; color: #fff; padding: .5em .8em; display: flex; align-items: center; gap: .5em;
    flex-wrap: wrap; }
  header h1 { font-size: 1.05rem; margin: 0; flex: 1; min-width: 8em; }
  header small { font-weight: 400; display: block; opacity: .95; }
  header button { background: #fff; color: #b71c1c; border-color: #fff; min-height: 44px; padding: .3em .7em; }
  main { max-width: 760px; margin: 0 auto; padding: .8em; }
  #log { display: flex; flex-direction: column; gap: .6em; margin-bottom: 6em; }
  .msg { padding: .6em .8em; border-radius: .6em; max-width: 92%; white-space: pre-wrap; }
  .me { align-self: flex-end; background: #fff3c4; }
  .bot { align-self: flex-start; background: #fff; border: 1px solid #ccc; }
  .choices, .menu { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5em, 1fr)); gap: .45em;
    margin-top: .6em; white-space: normal; }
  .menu { grid-template-columns: 1fr 1fr; border-top: 1px dashed #ccc; padding-top: .6em; }
  .msg.wide { width: 92%; }
  button { font: inherit; min-height: 48px; padding: .45em .8em; border-radius: .5em; border: 2px solid #b71c1c;
    background: #fff; color: #8e1414; cursor: pointer; text-align: center; }
  .menu button { background: #fbeaea; }
  button.primary { background: #b71c1c; color: #fff; }
  button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
  form { position: fixed; bottom: 0; left: 0; right: 0; background: #fff; border-top: 1px solid #ccc; padding: .5em;
    display: flex; gap: .4em; justify-content: center; }
  input, textarea { font: inherit; flex: 1; min-width: 0; max-width: 620px; min-height: 48px; padding: .4em .6em;
    border: 2px solid #888; border-radius: .5em; }
  #signin { background: #fff; padding: 1em; border-radius: .6em; border: 1px solid #ccc; }
  #signin p:last-of-type { display: flex; gap: .4em; flex-wrap: wrap; }
  img { max-width: 100%; height: auto; }
  .old { opacity: .8; }
  .closed { margin: .4em 0 0; font-weight: 600; color: #555; }
  .earlier { align-self: center; color: #555; font-size: .85rem; margin: .2em 0; }
  pre { white-space: pre-wrap; font-size: .75rem; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
</style>
</head>
<body>
<header>
  <h1>Sổ tay Đảng viên <small id="who"></small></h1>
  <button type="button" id="large" aria-pressed="false" title="Chữ lớn hơn, dễ đọc hơn">A+ Chữ lớn</button>
</header>
<main>
  <div id="signin" hidden>
    <p><label for="code">Nhập mã liên kết do bí thư chi bộ cấp (ví dụ <b>ABCDE-12345</b>):</label></p>
    <p><input id="code" autocomplete="one-time-code">
      <button class="primary" id="go" type="button">Đăng nhập</button></p>
    <p id="err" role="alert"></p>
    <p>Chưa có mã? Đồng chí xin bí thư chi bộ cấp mã liên kết (10 ký tự, dùng một lần), hoặc mở đường dẫn
      bí thư gửi — trang sẽ tự đăng nhập. Sau khi liên kết, thông báo, lịch họp và biểu quyết hiện ở đây.</p>
  </div>
  <h2 class="sr">Cuộc trò chuyện</h2>
  <div id="log" role="log" aria-live="polite" aria-label="Tin nhắn với Sổ tay Đảng viên"></div>
</main>
<form id="send" hidden aria-label="Gửi tin nhắn">
  <textarea id="text" rows="1" placeholder="Gõ tin nhắn…" aria-label="Tin nhắn hoặc câu hỏi"
    autocomplete="off"></textarea>
  <button class="primary" type="submit">Gửi</button>
</form>
<noscript><p style="padding:1em">Trang này cần JavaScript.
  Nếu máy không hỗ trợ, hãy dùng bot Telegram hoặc Zalo.</p></noscript>
<script src="/chat/ballot.js" defer></script>
<script>
(function () {
  // seen: the newest pushed message this device has shown; after a reload the ones up to it are
  // history (shown as earlier messages), not news.
  var SEALED = 'Đã bỏ phiếu kín';
  var token = localStorage.getItem('sotay.token'), cursor = 0, seen = Number(localStorage.getItem('sotay.seen') || 0),
      $ = function (id) { return document.getElementById(id); };
  function id() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
  }
  function large(on) {
    document.documentElement.classList.toggle('large', on);
    $('large').setAttribute('aria-pressed', on ? 'true' : 'false');
    localStorage.setItem('sotay.large', on ? '1' : '0');
  }
  large(localStorage.getItem('sotay.large') === '1');
  $('large').onclick = function () { large(!document.documentElement.classList.contains('large')); };
  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: Object.assign({ 'content-type': 'application/json' }, token ? { authorization: 'Bearer ' + token } : {}),
      body: body ? JSON.stringify(body) : undefined
    })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }
  function buttons(list, cls, name) {
    var row = document.createElement('div');
    row.className = cls;
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', name);
    list.forEach(function (c) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = c.label;
      // A secret ballot's choice is never echoed: someone beside the screen would read it.
      b.onclick = function () {
        if (c.secret && c.ballot) encryptHere(c, list); else send({ choice: c.data }, c.secret ? SEALED : c.label);
      };
      row.appendChild(b);
    });
    return row;
  }
  function show(who, m, old) {
    var div = document.createElement('div'); div.className = 'msg ' + who + (old ? ' old' : '');
    div.textContent = m.text || '';
    if (m.link) {
      var a = document.createElement('a');
      a.href = m.link.url;
      a.textContent = m.link.label;
      div.appendChild(document.createElement('br'));
      div.appendChild(a);
    }
    if (m.photo) {
      var img = document.createElement('img');
      img.src = m.photo;
      img.alt = 'Mã QR điểm danh';
      div.appendChild(img);
    }
    if (m.closed) {
      var over = document.createElement('p');
      over.className = 'closed';
      over.textContent = '🔒 ' + m.closed;
      div.appendChild(over);
    }
    var choices = (m.choices || []).filter(function (c) { return !c.menu; }),
        menu = (m.choices || []).filter(function (c) { return c.menu; });
    if (choices.length) div.appendChild(buttons(choices, 'choices', 'Lựa chọn'));
    if (menu.length) { div.appendChild(buttons(menu, 'menu', 'Menu chính')); div.className += ' wide'; }
    $('log').appendChild(div); window.scrollTo(0, document.body.scrollHeight);
    return div;
  }
  function send(msg, echo, tracker) {
    var mine = show('me', { text: echo });
    msg.id = id();
    api('POST', '/chat/api/messages', msg).then(function (r) {
      // A secret ballot typed ("bieuquyet giữ 1 3"): the member's own words leave the screen too.
      if (r.replies.some(function (m) { return m.conceal; })) mine.textContent = SEALED;
      var shown = r.replies.map(function (m) { return show('bot', m); });
      // Encrypted here: the tracker the server names must be the one computed on this device.
      if (tracker && r.replies.some(function (m) { return m.conceal; })) {
        var at = -1;
        r.replies.forEach(function (m, k) { if ((m.text || '').indexOf(tracker) >= 0) at = k; });
        var note = document.createElement('p'), div = shown[at >= 0 ? at : shown.length - 1];
        note.className = 'closed';
        note.textContent = at >= 0 ? '✓ Mã phiếu máy chủ ghi nhận trùng với mã tính trên máy của đồng chí.'
          : '⚠ Mã phiếu máy chủ báo khác mã tính trên máy của đồng chí (' + tracker + '): đồng chí báo bí thư chi bộ.';
        div.insertBefore(note, div.childNodes[1] || null);
      }
    })
      .catch(function (e) {
        if (e && e.error === 'unauthorized') signout(e.message);
        else show('bot', { text: (e && e.message) || 'Không gửi được, hãy thử lại.' });
      });
  }
  // A secret ballot encrypted on this device (issue 28): the server gets ciphertexts and proofs,
  // never the choice. Cast or audit, as in Helios: an audited encryption is shown opened, checked,
  // and thrown away. Where the browser cannot encrypt, the server encrypts as on Telegram and Zalo.
  var NO_DEVICE = 'Trình duyệt này không mã hóa được phiếu; máy chủ mã hóa phiếu thay đồng chí ' +
    '(như trên Telegram, Zalo).';
  function encryptHere(c, list) {
    var lib = window.SotayBallot;
    if (!lib || typeof BigInt === 'undefined' || !window.crypto || !crypto.getRandomValues) return sealOnServer(c);
    api('GET', '/chat/api/ballots/' + c.ballot.motionId).then(function (ctx) {
      var i = ctx.choices.indexOf(c.ballot.choice), made, t0 = performance.now();
      try { made = lib.encryptBallot(ctx, [i]); } catch (err) { return sealOnServer(c); }
      var ms = Math.round(performance.now() - t0);
      document.body.setAttribute('data-ballot-ms', String(ms));
      offer(ctx, i, made, list);
    }).catch(function (e) {
      if (e && e.error === 'unauthorized') signout(e.message);
      else if (e && e.error) show('bot', { text: e.message });
      else sealOnServer(c);
    });
  }
  function sealOnServer(c) {
    show('bot', { text: NO_DEVICE });
    send({ choice: c.data }, SEALED);
  }
  function offer(ctx, i, made, list) {
    // The time it took stays out of the text (a member has no use for it); the journey reads it from the page.
    var box = show('bot', { text: '🔐 Phiếu kín đã được mã hóa trên máy của đồng chí; máy chủ không ' +
      'biết đồng chí chọn gì.\\nMã phiếu: ' + made.tracker +
      '\\nBấm "Bỏ phiếu" để gửi phiếu này, hoặc "Kiểm tra mã hóa" ' +
      'để xem phiếu có mã hóa đúng lựa chọn của đồng chí không (phiếu đã kiểm tra bị hủy, đồng chí chọn lại).' });
    box.setAttribute('data-ballot', 'offer');
    var row = buttons([], 'choices', 'Bỏ phiếu hoặc kiểm tra'), cast = document.createElement('button'),
        check = document.createElement('button');
    cast.type = check.type = 'button';
    cast.className = 'primary';
    cast.textContent = 'Bỏ phiếu';
    check.textContent = 'Kiểm tra mã hóa';
    function used() { box.removeChild(row); box.setAttribute('data-ballot', 'used'); }
    cast.onclick = function () {
      used();
      send({ ballot: { motionId: ctx.motionId, sealed: made.ballot } }, SEALED, made.tracker);
      made = null;
    };
    check.onclick = function () { used(); audit(ctx, i, made, list); made = null; };
    row.appendChild(cast); row.appendChild(check); box.appendChild(row);
  }
  function audit(ctx, i, made, list) {
    var got = window.SotayBallot.openedChoices(ctx, made.ballot, made.opening),
        ok = got && got.length === 1 && got[0] === i;
    var box = show('bot', { text: 'Kiểm tra mã hóa — phiếu ' + made.tracker + ' mã hóa lựa chọn: «' +
      (got && got.length ? ctx.labels[got[0]] : '?') + '».\\n' + (ok
        ? '✓ Đã kiểm tra: từng bản mã đúng là (gʳ, gᵐ·hʳ) với số ngẫu nhiên r và lựa chọn m công bố dưới đây.'
        : '✗ Bản mã KHÔNG khớp với lựa chọn đồng chí đã bấm: đừng bỏ phiếu trên máy này, báo ngay bí thư chi bộ.') +
      '\\nPhiếu này đã bị hủy, không bao giờ được bỏ. Mời đồng chí chọn lại (phiếu mới được mã hóa lại):' });
    box.setAttribute('data-audit', ok ? 'ok' : 'failed');
    var more = document.createElement('details'), sum = document.createElement('summary'),
        pre = document.createElement('pre');
    sum.textContent = 'Dữ liệu kiểm tra (ai cũng kiểm tra lại được: npm run verify-ballots -- --audit <tệp>)';
    pre.textContent = JSON.stringify({ format: 'so-tay-ballot-audit/1', motionId: ctx.motionId,
      publicKey: ctx.publicKey,
      choices: ctx.choices, marks: ctx.marks, choice: ctx.choices[i], ballot: made.ballot, opening: made.opening,
      tracker: made.tracker }, null, 1);
    var file = document.createElement('a');
    file.href = URL.createObjectURL(new Blob([pre.textContent], { type: 'application/json' }));
    file.download = 'kiem-tra-phieu-' + made.tracker + '.json';
    file.textContent = 'Tải tệp kiểm tra';
    more.appendChild(sum); more.appendChild(pre); more.appendChild(file); box.appendChild(more);
    box.appendChild(buttons(list, 'choices', 'Lựa chọn'));
  }
  function poll() {
    if (!token) return;
    api('GET', '/chat/api/inbox?after=' + cursor).then(function (r) {
      var earlier = r.messages.filter(function (m) { return m.id <= seen; });
      if (earlier.length && !cursor) {
        var note = document.createElement('p');
        note.className = 'earlier';
        note.textContent = 'Tin nhắn đã nhận trước đây';
        $('log').appendChild(note);
      }
      r.messages.forEach(function (m) { cursor = m.id; show('bot', m, m.id <= seen); });
      if (cursor > seen) { seen = cursor; localStorage.setItem('sotay.seen', String(seen)); }
    }).catch(function (e) { if (e && e.error === 'unauthorized') signout(e.message); });
  }
  function ready(name) {
    $('signin').hidden = true;
    $('send').hidden = false;
    $('who').textContent = name || localStorage.getItem('sotay.name') || '';
    poll(); setInterval(poll, 15000);
    // Back from another app or tab: what was pushed meanwhile shows at once.
    document.addEventListener('visibilitychange', function () { if (!document.hidden) poll(); });
    window.addEventListener('focus', poll);
    if (!$('log').children.length) send({ text: 'trợ giúp' }, 'Trợ giúp');
  }
  // Signed out (or the account was unlinked): the sign-in box says why and how to link again,
  // rather than the message box going silent.
  function signout(why) {
    if (why) $('err').textContent = why;
    // The phone may be handed on: nothing of the last member's conversation stays on screen.
    $('log').textContent = '';
    $('who').textContent = '';
    cursor = 0;
    ['sotay.token', 'sotay.name', 'sotay.seen'].forEach(function (k) { localStorage.removeItem(k); });
    token = null;
    $('signin').hidden = false;
    $('send').hidden = true;
    if (why) { window.scrollTo(0, 0); $('code').focus(); }
  }
  function signin(code) {
    api('POST', '/chat/api/session', { code: code }).then(function (r) {
      token = r.token;
      localStorage.setItem('sotay.token', r.token);
      localStorage.setItem('sotay.name', r.name);
      localStorage.removeItem('sotay.seen');
      seen = 0;
      ready(r.name);
    }).catch(function (e) { signout(); $('err').textContent = (e && e.message) || 'Không đăng nhập được.'; });
  }
  $('go').onclick = function () { signin($('code').value); };
  // Enter sends; Shift+Enter starts a new line (a meeting's agenda, one item a line).
  $('text').onkeydown = function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      if ($('send').requestSubmit) $('send').requestSubmit(); else $('send').onsubmit(ev);
    }
  };
  $('send').onsubmit = function (ev) {
    ev.preventDefault();
    var t = $('text').value.trim();
    if (t) { $('text').value = ''; send({ text: t }, t); }
  };
  var code = new URLSearchParams(location.search).get('code');
  if (code) { history.replaceState(null, '', '/chat'); signin(code); } else if (token) ready(); else signout();
})();
</script>
</body>
</html>`;
