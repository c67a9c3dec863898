/**
 * The meeting page's votes and the secretary's steps beside them (issues 24 and 26): each
 * result as the API, chat and minutes give it (discipline: the forms, the cumulative arithmetic
 * and the form adopted; an election: its sheet), an open vote's live progress and secrecy
 * warning, the paper count and "không có phiếu giấy", the motion form with the ballot choice
 * and the member concerned, the counting committee, chair and minute-taker, agenda and approval.
 */
import { CHOICE_LABELS, choiceLabel, motionChoices, type Motion } from '../../meetings/motions.ts';
import { VOTE_KIND_LABELS } from '../../meetings/open-motion.ts';
import { electionLines } from '../../meetings/close-motion.ts';
import { DECISIONS, type DecisionKind } from '../../rules/meeting-rules.ts';
import { versionInForce } from '../../rules/rule.ts';
import type { getMeetingRecord } from '../get-meeting-record.ts';
import { csrfField, dateTime, h, type RefusedForm, typedInto } from './html.ts';
import { meetingDate } from '../../meetings/meeting-date.ts';

type Record_ = Awaited<ReturnType<typeof getMeetingRecord>>;

/** The kinds the secretary opens from this form, as in chat (elections and introductions have their own steps). */
const FORM_KINDS: DecisionKind[] = ['resolution', 'question', 'admission', 'recognition', 'discipline', 'expulsion'];
const ABOUT_A_MEMBER: DecisionKind[] = ['discipline', 'expulsion', 'recognition'];

const form = (r: Record_, csrf: string, path: string, inner: string, cls = 'noprint') =>
  `<form method="post" action="${actionOf(r, path)}" class="${cls}">${csrfField(csrf)}${inner}</form>`;
const actionOf = (r: Record_, path: string) => `/console/meetings/${r.meeting.id}/${path}`;

export function motionsSection(r: Record_, csrf: string, refused?: RefusedForm): string {
  const run = r.canRun && r.meeting.status === 'in_progress';
  const rows = r.motions.map((v) => motionRow(r, v, csrf, run, refused)).join('');
  return `<h2>Biểu quyết</h2>
<table><thead><tr><th scope="col">Nội dung</th><th scope="col">Hình thức</th>\
<th scope="col">Kết quả</th></tr></thead><tbody>\
${rows || '<tr><td colspan="3">Chưa có.</td></tr>'}</tbody></table>
${run ? openMotionForm(r, csrf, refused) : ''}`;
}

function motionRow(r: Record_, v: Motion, csrf: string, run: boolean, refused?: RefusedForm): string {
  const kind = h(VOTE_KIND_LABELS[v.kind]);
  const ballot = v.ballot === 'secret' ? 'Bỏ phiếu kín' : 'Biểu quyết công khai';
  const body = v.result ? resultHtml(v) : openHtml(r, v, csrf, run, refused);
  return `<tr><td>${kind}: ${h(v.title)}</td><td>${ballot}</td><td>${body}</td></tr>`;
}

/** A closed vote's result, as the API, chat and minutes give it. */
function resultHtml(v: Motion): string {
  const res = v.result!;
  const verdict = res.election
    ? ''
    : `<strong class="${res.passed ? 'ok' : 'warn'}">${res.passed ? 'THÔNG QUA' : 'KHÔNG THÔNG QUA'}</strong> `;
  const counts = res.election
    ? `<div style="white-space:pre-line">${h(electionLines(res.election))}</div>`
    : v.kind === 'discipline'
      ? `<p>${motionChoices(v)
          .map((c) => `${h(choiceLabel(c))} ${res.counts?.[c] ?? 0}`)
          .join(', ')}.</p><p>${h(res.explanation ?? '')}</p>`
      : `<p>${CHOICE_LABELS.for} ${res.for ?? 0}, ${CHOICE_LABELS.against} ${res.against ?? 0}, \
${CHOICE_LABELS.abstain} ${res.abstain ?? 0}.${
          res.roomBallots ? ` Số phiếu: ${res.chatBallots} qua chat + ${res.roomBallots} tại phòng họp.` : ''
        }</p>`;
  return `${counts}<p>${h(res.baseExplanation)}. Cần ${h(res.threshold)} của ${res.base} (tối thiểu ${res.needed}).</p>\
<p>${verdict}<span class="muted">(${h(res.source)})</span></p>`;
}

/** An open vote: its progress (a count, never the content), what is missing, and the secretary's forms. */
function openHtml(r: Record_, v: Motion, csrf: string, run: boolean, refused?: RefusedForm): string {
  const p = r.progress[v.id];
  if (!p) return 'Đang biểu quyết';
  const paper = { counted: 'đã nhập', none: 'không có phiếu giấy', missing: 'chưa nhập' } as const;
  const status = `<div role="status" aria-live="polite" data-progress="${v.id}">\
<p>Đang biểu quyết — cần ${h(p.threshold)} của ${p.base}: <strong>${p.needed} phiếu</strong>.</p>
<p>Đã nhận <strong data-received>${p.received}</strong>/${p.online} phiếu trực tuyến\
${p.paper ? `; phiếu giấy tại phòng họp (${p.inRoom} người): <strong>${paper[p.paper]}</strong>` : ''}.</p>
<ul data-missing>${p.missing.map((m) => `<li>${h(m)}</li>`).join('')}</ul></div>
${p.warning ? `<p class="warn">⚠️ ${h(p.warning)}</p>` : ''}`;
  if (!run) return status;
  const typed = typedInto(refused, actionOf(r, `motions/${v.id}/paper`));
  const keys = typed.all('key');
  const typedCount = (key: string) => typed.all('count')[keys.indexOf(key)] ?? '';
  const paperInputs = paperFields(v, p)
    .map(
      ([key, label], i) => `<div><label for="p${v.id}-${i}">${h(label)}</label>\
<input type="hidden" name="key" value="${h(key)}">\
<input id="p${v.id}-${i}" name="count" type="number" min="0" max="10000" required style="width:6em"\
 value="${h(typedCount(key))}"></div>`,
    )
    .join('');
  const paperForms =
    v.ballot === 'secret' && p.inRoom > 0
      ? form(
          r,
          csrf,
          `motions/${v.id}/paper`,
          `<fieldset><legend>Phiếu giấy tại phòng họp (ban kiểm phiếu)</legend>${typed.error}
<div class="row">${paperInputs}</div>
<label for="pc${v.id}">Ban kiểm phiếu</label><input id="pc${v.id}" name="countingCommittee" maxlength="500"\
${typed.value('countingCommittee', r.counters.map((c) => c.fullName).join(', '))} style="width:100%">
<p><button type="submit">Ghi số phiếu giấy</button></p></fieldset>`,
        ) +
        form(
          r,
          csrf,
          `motions/${v.id}/paper-none`,
          '<p><button class="light" type="submit">Không có phiếu giấy</button></p>',
        )
      : '';
  const close = form(
    r,
    csrf,
    `motions/${v.id}/close`,
    '<label style="font-weight:normal"><input type="checkbox" name="confirm" value="1"> Xác nhận kết thúc dù ít phiếu' +
      '</label> <button type="submit">Kết thúc biểu quyết</button>',
  );
  return `${status}${paperForms}${close}`;
}

/** The figures the paper count asks for: each choice, or an election's ballots and each name kept. */
function paperFields(v: Motion, p: Record_['progress'][number]): [string, string][] {
  if (v.kind !== 'election') return motionChoices(v).map((c) => [c, choiceLabel(c)]);
  return [
    ['issued', 'Phát ra'],
    ['received', 'Thu về'],
    ['invalid', 'Không hợp lệ'],
    ...p.candidates.map((c): [string, string] => [String(c.memberId), `Giữ tên ${c.fullName}`]),
  ];
}

function openMotionForm(r: Record_, csrf: string, refused?: RefusedForm): string {
  const t = typedInto(refused, actionOf(r, 'motions'));
  const date = meetingDate(r.meeting.startsAt);
  const choosable = FORM_KINDS.filter((k) => versionInForce(DECISIONS[k], date).value.ballot === 'choice');
  const members = r.attendance.roll.filter((p) => !p.transferredIn);
  return form(
    r,
    csrf,
    'motions',
    `<fieldset><legend>Mở biểu quyết</legend>${t.error}
<div class="row"><div><label for="mkind">Loại</label><select id="mkind" name="kind">\
${FORM_KINDS.map((k) => t.option('kind', k, VOTE_KIND_LABELS[k])).join('')}</select></div>
<div><label for="mballot">Hình thức bỏ phiếu</label><select id="mballot" name="ballot">\
${t.option('ballot', '', 'Theo quy định')}${t.option('ballot', 'open', 'Công khai (giơ tay)')}\
${t.option('ballot', 'secret', 'Bỏ phiếu kín')}</select></div>
<div><label for="msubject">Đồng chí được xem xét</label><select id="msubject" name="subjectMemberId">\
${t.option('subjectMemberId', '', '—')}\
${members.map((p) => t.option('subjectMemberId', String(p.memberId), p.fullName)).join('')}</select></div></div>
<p class="muted">Bỏ phiếu kín hay công khai do chi bộ chọn với: ${choosable
      .map((k) => h(VOTE_KIND_LABELS[k]))
      .join(', ')}; kỷ luật, khai trừ luôn bỏ phiếu kín, nghị quyết biểu quyết công khai. \
Đồng chí được xem xét: với ${ABOUT_A_MEMBER.map((k) => h(VOTE_KIND_LABELS[k]).toLowerCase()).join(', ')}.</p>
<label for="mtitle">Nội dung</label>\
<input id="mtitle" name="title" required maxlength="500" style="width:100%"${t.value('title')}>
<p><button type="submit">Mở biểu quyết</button></p></fieldset>`,
  );
}

/** Chair and minute-taker, counting committee, agenda, the minutes approved. */
export function stepsSection(r: Record_, csrf: string, refused?: RefusedForm): string {
  const run = r.canRun && r.meeting.status !== 'closed';
  const people = r.attendance.present.length ? r.attendance.present : r.attendance.roll;
  const typedOfficers = typedInto(refused, actionOf(r, 'officers'));
  // Nobody is preselected: a chair or minute-taker saved by accident would go into the minutes.
  const options = (field: string, current?: string | null) =>
    typedOfficers.option(field, '', '— chưa chọn —', !current) +
    people.map((p) => typedOfficers.option(field, String(p.memberId), p.fullName, p.fullName === current)).join('');
  const chair = h(r.officers.chair ?? '(chưa ghi)');
  const taker = h(r.officers.taker ?? '(chưa ghi)');
  const officers = `<p>Chủ trì: ${chair}. Thư ký: ${taker}.</p>${
    run
      ? form(
          r,
          csrf,
          'officers',
          `${typedOfficers.error}<div class="row"><div><label for="ochair">Chủ trì</label>\
<select id="ochair" name="chairMemberId">${options('chairMemberId', r.officers.chair)}</select></div>\
<div><label for="otaker">Thư ký</label>\
<select id="otaker" name="minuteTakerMemberId">${options('minuteTakerMemberId', r.officers.taker)}</select></div>\
<div><button type="submit">Ghi chủ trì, thư ký</button></div></div>`,
        )
      : ''
  }`;
  const named = r.counters.map((c) => c.fullName).join(', ') || '(chưa cử: bí thư nhập phiếu giấy)';
  const counters = `<p>Ban kiểm phiếu: ${h(named)}.</p>${
    run
      ? form(
          r,
          csrf,
          'counting-committee',
          `<fieldset><legend>Cử ban kiểm phiếu (được nhập số phiếu giấy)</legend>${people
            .map(
              (p) => `<label style="font-weight:normal"><input type="checkbox" name="memberId" value="${p.memberId}"\
${r.counters.some((c) => c.memberId === p.memberId) ? ' checked' : ''}> ${h(p.fullName)}</label>`,
            )
            .join('')}<p><button type="submit">Ghi ban kiểm phiếu</button></p></fieldset>`,
        )
      : ''
  }`;
  const typedAgenda = typedInto(refused, actionOf(r, 'agenda'));
  const agenda = `${
    r.agenda.length ? `<ol>${r.agenda.map((a) => `<li>${h(a.title)}</li>`).join('')}</ol>` : '<p>Chưa ghi nội dung.</p>'
  }${
    run
      ? form(
          r,
          csrf,
          'agenda',
          `${typedAgenda.error}<label for="agenda">Nội dung họp (mỗi mục một dòng)</label>\
<textarea id="agenda" name="items" maxlength="9000">\
${h(typedAgenda.one('items', r.agenda.map((a) => a.title).join('\n')))}</textarea>\
<p><button type="submit">Ghi nội dung họp</button></p>`,
        )
      : ''
  }`;
  const approval = r.officers.approvedAt
    ? `<p class="ok">Biên bản đã được đọc lại và thông qua lúc ${dateTime(r.officers.approvedAt)}.</p>`
    : `<p>Biên bản chưa được đọc lại và thông qua.</p>${
        r.canRun && r.meeting.status !== 'scheduled'
          ? form(r, csrf, 'minutes/approve', '<button type="submit">Biên bản đã được đọc lại và thông qua</button>')
          : ''
      }`;
  return `<h2>Nội dung họp</h2>${agenda}<h2>Chủ trì, thư ký, ban kiểm phiếu</h2>${officers}${counters}\
<h2>Biên bản</h2>${approval}`;
}

/**
 * The live count of an open vote: every 5 seconds the page asks for the ballots received (a
 * count, never their content) and what is still missing, and updates them in place — an
 * enhancement only, the page reads the same without script. Allowed by its hash (routes.ts).
 */
export const COUNT_SCRIPT = `(function () {
  var boxes = document.querySelectorAll('[data-progress]');
  if (!boxes.length || !window.XMLHttpRequest || !window.JSON) return;
  function update() {
    var x = new XMLHttpRequest();
    x.open('GET', location.pathname + '/progress');
    x.onload = function () {
      var all;
      try { all = JSON.parse(x.responseText); } catch (e) { return; }
      if (x.status !== 200) return;
      for (var i = 0; i < boxes.length; i++) {
        var p = all[boxes[i].getAttribute('data-progress')];
        if (!p) continue;
        boxes[i].querySelector('[data-received]').textContent = p.received;
        var list = boxes[i].querySelector('[data-missing]');
        if (!list) continue;
        list.textContent = '';
        for (var k = 0; k < p.missing.length; k++) {
          var li = document.createElement('li');
          li.textContent = p.missing[k];
          list.appendChild(li);
        }
      }
      setTimeout(update, 5000);
    };
    x.send();
  }
  setTimeout(update, 5000);
})();`;
