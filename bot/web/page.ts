/**
 * The web chat page: one self-contained HTML document, large type, works on an old phone
 * browser or a computer. A little JavaScript talks to /chat/api; nothing is loaded from
 * another host.
 */
export const CHAT_PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sổ tay Đảng viên — Web chat</title>
<style>
  body { font: 18px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 0; background: #f4f1ea; color: #1d1d1d; }
  header { background: #b71c1c; color: #fff; padding: .6em 1em; font-weight: 600; }
  header small { font-weight: 400; opacity: .9; margin-left: .5em; }
  main { max-width: 760px; margin: 0 auto; padding: 1em; }
  #log { display: flex; flex-direction: column; gap: .6em; margin-bottom: 6em; }
  .msg { padding: .6em .9em; border-radius: .6em; max-width: 85%; white-space: pre-wrap; word-wrap: break-word; }
  .me { align-self: flex-end; background: #fff3c4; }
  .bot { align-self: flex-start; background: #fff; border: 1px solid #ddd; }
  .choices { display: flex; flex-wrap: wrap; gap: .4em; margin-top: .5em; }
  button { font: inherit; padding: .45em .9em; border-radius: .5em; border: 1px solid #b71c1c; background: #fff; color: #b71c1c; cursor: pointer; }
  button.primary { background: #b71c1c; color: #fff; }
  form { position: fixed; bottom: 0; left: 0; right: 0; background: #fff; border-top: 1px solid #ddd; padding: .6em; display: flex; gap: .5em; justify-content: center; }
  input { font: inherit; flex: 1; max-width: 620px; padding: .45em .7em; border: 1px solid #bbb; border-radius: .5em; }
  #signin { background: #fff; padding: 1em; border-radius: .6em; border: 1px solid #ddd; }
  img { max-width: 100%; }
</style>
</head>
<body>
<header>Sổ tay Đảng viên <small id="who"></small></header>
<main>
  <div id="signin" hidden>
    <p>Nhập mã liên kết do bí thư chi bộ cấp (ví dụ <b>ABCDE-12345</b>):</p>
    <p><input id="code" autocomplete="one-time-code" aria-label="Mã liên kết"> <button class="primary" id="go">Đăng nhập</button></p>
    <p id="err" role="alert"></p>
  </div>
  <div id="log" aria-live="polite"></div>
</main>
<form id="send" hidden>
  <input id="text" placeholder="Gõ lệnh hoặc câu hỏi, ví dụ: diem danh, tro giup…" aria-label="Tin nhắn" autocomplete="off">
  <button class="primary">Gửi</button>
</form>
<noscript><p style="padding:1em">Trang này cần JavaScript. Nếu máy không hỗ trợ, hãy dùng bot Telegram hoặc Zalo.</p></noscript>
<script>
(function () {
  var token = localStorage.getItem('sotay.token'), cursor = 0, $ = function (id) { return document.getElementById(id); };
  function id() { return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2)); }
  function api(method, path, body) {
    return fetch(path, { method: method, headers: Object.assign({ 'content-type': 'application/json' }, token ? { authorization: 'Bearer ' + token } : {}), body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }
  function show(who, m) {
    var div = document.createElement('div'); div.className = 'msg ' + who; div.textContent = m.text || '';
    if (m.link) { var a = document.createElement('a'); a.href = m.link.url; a.textContent = m.link.label; div.appendChild(document.createElement('br')); div.appendChild(a); }
    if (m.photo) { var img = document.createElement('img'); img.src = m.photo; img.alt = ''; div.appendChild(img); }
    if (m.choices && m.choices.length) {
      var row = document.createElement('div'); row.className = 'choices';
      m.choices.forEach(function (c) { var b = document.createElement('button'); b.type = 'button'; b.textContent = c.label; b.onclick = function () { send({ choice: c.data }, c.label); }; row.appendChild(b); });
      div.appendChild(row);
    }
    $('log').appendChild(div); window.scrollTo(0, document.body.scrollHeight);
  }
  function send(msg, echo) {
    show('me', { text: echo });
    msg.id = id();
    api('POST', '/chat/api/messages', msg).then(function (r) { r.replies.forEach(function (m) { show('bot', m); }); })
      .catch(function (e) { if (e && e.error === 'unauthorized') signout(); else show('bot', { text: (e && e.message) || 'Không gửi được, hãy thử lại.' }); });
  }
  function poll() {
    if (!token) return;
    api('GET', '/chat/api/inbox?after=' + cursor).then(function (r) { r.messages.forEach(function (m) { cursor = m.id; show('bot', m); }); }).catch(function () {});
  }
  function ready(name) {
    $('signin').hidden = true; $('send').hidden = false; $('who').textContent = name || localStorage.getItem('sotay.name') || '';
    poll(); setInterval(poll, 15000);
    if (!$('log').children.length) send({ text: 'trợ giúp' }, 'trợ giúp');
  }
  function signout() { localStorage.removeItem('sotay.token'); token = null; $('signin').hidden = false; $('send').hidden = true; }
  function signin(code) {
    api('POST', '/chat/api/session', { code: code }).then(function (r) {
      token = r.token; localStorage.setItem('sotay.token', r.token); localStorage.setItem('sotay.name', r.name); ready(r.name);
    }).catch(function (e) { signout(); $('err').textContent = (e && e.message) || 'Không đăng nhập được.'; });
  }
  $('go').onclick = function () { signin($('code').value); };
  $('send').onsubmit = function (ev) { ev.preventDefault(); var t = $('text').value.trim(); if (t) { $('text').value = ''; send({ text: t }, t); } };
  var code = new URLSearchParams(location.search).get('code');
  if (code) { history.replaceState(null, '', '/chat'); signin(code); } else if (token) ready(); else signout();
})();
</script>
</body>
</html>`;
