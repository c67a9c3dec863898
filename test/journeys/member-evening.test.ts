/**
 * The member's evening (issue 24), walked as an older member does it on a phone (390 px, the
 * web chat in Chromium): she opens the link her secretary gave, finds the main menu, is invited
 * and reminded of the meeting, reads the meeting's document, checks in online, votes openly and
 * in a secret ballot, reads a notice and its attachment and presses "Đã đọc" on its web view,
 * asks the assistant, sends feedback (the page reloaded in the middle), and reports a task done.
 * Her secretary's side happens through the same use cases the console and chat call; the
 * secretary's own journey is secretary-evening.test.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { scheduleMeeting } from '../../api/meetings/schedule-meeting.ts';
import { attachDocument } from '../../api/meetings/documents.ts';
import { openMeeting } from '../../api/meetings/open-meeting.ts';
import { checkIn } from '../../api/meetings/check-in.ts';
import { openMotion } from '../../api/meetings/open-motion.ts';
import { recordShowOfHands } from '../../api/meetings/record-show-of-hands.ts';
import { closeMotion } from '../../api/meetings/close-motion.ts';
import { adoptResolution } from '../../api/meetings/adopt-resolution.ts';
import { runDueReminders } from '../../api/meetings/run-due-reminders.ts';
import { publishNotice } from '../../api/notices/publish-notice.ts';
import { loadSampleDocuments } from '../../ingest/load-samples.ts';
import { assistant } from '../../knowledge/assistant.ts';
import { relativeVietnamDay } from '../../api/text/vietnam-time.ts';
import type { Member } from '../../api/members/repository.ts';
import { describeJourney, overflowing, PHONE, startJourney, type Journey } from './harness/journey.ts';
import { WebChatPerson } from './harness/web-chat.ts';
import { type OpenedBallot, verifyAudit } from '../../api/cli/verify-ballots.ts';
import { loadBulletinBoard } from '../../api/meetings/sealed-ballots.ts';
import { verifyBoard } from '../../api/cli/verify-ballots.ts';
import { recordPaperBallots } from '../../api/meetings/record-paper-ballots.ts';
import { downloaded, pdfOf, pdfPages } from './harness/documents.ts';

describeJourney('the member’s evening, on her phone', () => {
  let j: Journey;
  let phone: BrowserContext;
  let chat: WebChatPerson;
  let sec: Awaited<ReturnType<typeof makeSecretary>>;
  let tree: Awaited<ReturnType<typeof makeOrgTree>>;
  let bay: Member;
  const others: Member[] = [];
  let meetingId: number;
  let admissionId: number;
  let herTracker: string;

  beforeAll(async () => {
    j = await startJourney('member-evening');
    const { t } = j.h;
    tree = await makeOrgTree(t.db);
    sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Trần Thị Hoa' });
    bay = await makeMember(t.db, tree.cellA, { fullName: 'Nguyễn Thị Bảy', birthYear: 1952 });
    for (const name of ['Lê Văn Tám', 'Phạm Văn Chín'])
      others.push(await makeMember(t.db, tree.cellA, { fullName: name }));
    await loadSampleDocuments(t.db, assistant().embedder);
    phone = await j.device(PHONE);
  });
  afterAll(async () => {
    await j?.close();
  });

  it('opens the link from her secretary and finds the main menu, readable at 390 px', async () => {
    const { code } = await issueLinkCode(j.h.deps, sec.principal, bay.id);
    chat = await WebChatPerson.open(phone, j.h.svc.baseUrl, code);
    const page = chat.page;
    expect(await page.locator('#who').textContent()).toBe('Nguyễn Thị Bảy');
    for (const label of ['Lịch họp', 'Thông báo mới', 'Hỏi Trợ lý ảo', 'Phản ánh'])
      await page.getByRole('button', { name: label, exact: true }).last().waitFor();
    // A plain member's "Xem thêm" shows buttons, never slash commands or the console's /admin.
    const more = await chat.press('Xem thêm');
    expect(more).not.toMatch(/\/\w+/);
    expect(more).not.toContain('admin');
    expect(await overflowing(page)).toBeNull();
    await j.shot(page, 'main-menu');
  });

  it('is invited and reminded in Vietnam time, and answers the invitation', async () => {
    const { deps } = j.h;
    // Two hours from now: today or tomorrow in Vietnam, whatever the server's clock says.
    const startsAt = new Date(Math.ceil((Date.now() + 2 * 3600_000) / 60_000) * 60_000);
    const meeting = await scheduleMeeting(deps, sec.principal, {
      cellId: tree.cellA.id,
      kind: 'regular',
      startsAt,
      mode: 'hybrid',
      place: 'Nhà văn hóa thôn',
      agenda: ['Thông tin thời sự', 'Kết nạp quần chúng Lê Mới'],
    });
    meetingId = meeting.id;
    const invitation = await chat.comeBack();
    expect(invitation).toContain('Nhà văn hóa thôn');
    await chat.page.getByRole('button', { name: 'Tham dự', exact: true }).last().waitFor();
    expect(await chat.press('Tham dự')).toMatch(/tham dự/i);

    await runDueReminders(deps);
    const reminder = await chat.comeBack();
    expect(reminder).toContain('⏰ Nhắc lịch');
    // The day is named as she lives it: a meeting later today is "hôm nay", never "ngày mai".
    expect(reminder).toContain(relativeVietnamDay(startsAt, new Date()) ?? '');
    const hhmm = new Intl.DateTimeFormat('vi-VN', {
      timeZone: 'Asia/Ho_Chi_Minh',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(startsAt);
    expect(reminder).toContain(`lúc ${hhmm}`);
    await j.shot(chat.page, 'invitation-and-reminder');
  });

  it('reads the meeting document the secretary sent, from the link in the chat', async () => {
    await attachDocument(j.h.deps, sec.principal, {
      meetingId,
      title: 'Dự thảo nghị quyết tháng 12',
      body: 'Chi bộ tập trung **ba nhiệm vụ**:\n\n1. Thu đảng phí đúng hạn\n2. Kết nạp quần chúng Lê Mới',
    });
    const sent = await chat.comeBack();
    expect(sent).toContain('Dự thảo nghị quyết tháng 12');
    const link = chat.page.locator('#log a').last();
    const doc = await phone.newPage();
    await doc.goto((await link.getAttribute('href'))!);
    await doc.getByText('Thu đảng phí đúng hạn').waitFor();
    expect(await overflowing(doc)).toBeNull();
    await j.shot(doc, 'meeting-document');
    await doc.close();
  });

  it('checks in online once the meeting opens, and votes openly, then in a secret ballot', async () => {
    const { deps } = j.h;
    await openMeeting(deps, sec.principal, meetingId, { confirmEarly: true });
    for (const m of [sec.member, ...others])
      await checkIn(deps, sec.principal, { meetingId, memberId: m.id, method: 'secretary' });
    // The meeting has begun: "Lịch họp" says so, and the menu now offers "Điểm danh".
    expect(await chat.press('Lịch họp')).toMatch(/đang diễn ra|đang họp|bắt đầu/i);
    expect(await chat.press('Điểm danh')).toMatch(/điểm danh/i);

    const resolution = await openMotion(deps, sec.principal, {
      meetingId,
      kind: 'resolution',
      title: 'Thông qua nghị quyết tháng 12',
    });
    const asked = await chat.comeBack();
    expect(asked).toContain('Thông qua nghị quyết tháng 12');
    expect(await chat.press('Tán thành')).toMatch(/ghi nhận|Đã ghi/i);
    await recordShowOfHands(deps, sec.principal, { motionId: resolution.id, for: 3, against: 0, abstain: 0 });
    await closeMotion(deps, sec.principal, resolution.id);
    const result = await chat.comeBack();
    expect(result).toContain('THÔNG QUA');

    const admission = await openMotion(deps, sec.principal, {
      meetingId,
      kind: 'admission',
      title: 'Kết nạp quần chúng Lê Mới',
      ballot: 'secret',
    });
    admissionId = admission.id;
    herTracker = '';
    const secret = await chat.comeBack();
    expect(secret).toContain('Bỏ phiếu kín: lựa chọn của đồng chí không gắn với tên.');
    // From here, every request the page sends, with its body: the choice must be in none of them.
    const sent: { method: string; url: string; body: string | null }[] = [];
    chat.page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/chat/api/'))
        sent.push({ method: r.method(), url: r.url(), body: r.postData() });
    });
    // She presses "Tán thành": the phone encrypts it and offers to cast it or to check it.
    const first = await chat.encrypt('Tán thành');
    expect(first).toContain('Phiếu kín đã được mã hóa trên máy của đồng chí');
    const audited = /Mã phiếu: ([A-Z2-9]{5}-[A-Z2-9]{5})/.exec(first)![1];
    expect(first).not.toContain('Tán thành');
    // She checks it once: the page opens the encryption, shows the choice it holds, checks it…
    const audit = await chat.audit();
    expect(audit.text).toContain(`phiếu ${audited} mã hóa lựa chọn: «Tán thành»`);
    expect(audit.text).toContain('✓ Đã kiểm tra');
    expect(audit.verdict).toBe('ok');
    // …and anyone can check it again, with the service's verifier (libsodium, not the page's code).
    const opened = JSON.parse(audit.data) as OpenedBallot;
    expect(verifyAudit(opened)).toEqual({ ok: true, problems: [], choices: ['for'] });
    expect(verifyAudit({ ...opened, choice: 'against' }).ok).toBe(false);
    // The same data as a file, to check on another computer.
    await chat.page.locator('#log .msg.bot[data-audit] summary').last().click();
    const saving = chat.page.waitForEvent('download');
    await chat.page.getByRole('link', { name: 'Tải tệp kiểm tra' }).last().click();
    const saved = await saving;
    expect(saved.suggestedFilename()).toBe(`kiem-tra-phieu-${audited}.json`);
    expect(JSON.parse((await downloaded(saved)).toString('utf8'))).toEqual(opened);
    // The audited ballot is thrown away: its offer has no "Bỏ phiếu" button left.
    const spent = chat.page.locator('#log .msg.bot[data-ballot]').first();
    expect(await spent.getAttribute('data-ballot')).toBe('used');
    expect(await spent.getByRole('button').count()).toBe(0);
    await j.shot(chat.page, 'secret-ballot-audit');

    // She presses "Tán thành" again (under the audit), on an old phone: CPU slowed four times.
    const cdp = await phone.newCDPSession(chat.page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const second = await chat.encrypt('Tán thành');
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const slowMs = Number(await chat.page.locator('body').getAttribute('data-ballot-ms'));
    console.log(`[member-evening] one 3-choice ballot encrypted in Chromium at 390 px, CPU 4× slower: ${slowMs} ms`);
    expect(slowMs).toBeGreaterThan(0);
    const tracker = /Mã phiếu: ([A-Z2-9]{5}-[A-Z2-9]{5})/.exec(second)![1];
    expect(tracker).not.toBe(audited); // encrypted afresh
    const receipt = await chat.press('Bỏ phiếu');
    expect(receipt).toContain('Đã ghi nhận phiếu kín của đồng chí.');
    expect(receipt).toContain(`Mã phiếu của đồng chí: ${tracker}`);
    await chat.page.getByText('✓ Mã phiếu máy chủ ghi nhận trùng với mã tính trên máy của đồng chí.').waitFor();
    await j.shot(chat.page, 'secret-ballot');
    // Stored encrypted: no choice in the row, the tracker she was shown, and never the audited one.
    const box = () =>
      j.h.t.db.query<{ choice: string | null; tracker: string }>(
        `select choice, tracker from ballot_box where motion_id = $1`,
        [admission.id],
      );
    expect(await box()).toEqual([{ choice: null, tracker }]);
    herTracker = tracker;
    // What the server received: the motion's key was asked for, then ciphertexts and proofs — no choice.
    const posts = sent.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    const body = JSON.parse(posts[0].body!);
    expect(Object.keys(body).sort()).toEqual(['ballot', 'id']);
    expect(Object.keys(body.ballot).sort()).toEqual(['motionId', 'sealed']);
    expect(Object.keys(body.ballot.sealed).sort()).toEqual(['ciphertexts', 'proofs', 'sumProof']);
    expect(sent.filter((r) => r.method === 'GET').map((r) => new URL(r.url).pathname)).toContain(
      `/chat/api/ballots/${admission.id}`,
    );
    // ("for" as JSON or as button data; base64url ciphertexts hold neither quotes nor colons)
    for (const r of sent) {
      for (const leak of ['Tán thành', '"for"', ':for', 'choice'])
        expect(`${r.url} ${r.body ?? ''}`).not.toContain(leak);
    }
    // Pressed again and cast again (a double tap): refused, still one ballot.
    await chat.encrypt('Tán thành');
    expect(await chat.press('Bỏ phiếu')).toContain('Đồng chí đã bỏ phiếu kín cho nội dung này');
    expect((await box()).length).toBe(1);
    // The closed resolution's old button: a clear answer, and its result is unchanged.
    const stale = await chat.pressIn('🗳 Thông qua nghị quyết', 'Tán thành');
    expect(stale).toMatch(/đã kết thúc|không còn/);
    const [tally] = await j.h.t.db.query<{ n: number }>(`select count(*)::int as n from votes where motion_id = $1`, [
      resolution.id,
    ]);
    expect(tally.n).toBe(1);
  });

  it('reads a notice and its attachment on the web view and presses "Đã đọc" there', async () => {
    const { deps } = j.h;
    await publishNotice(deps, sec.principal, {
      orgId: tree.cellA.id,
      kind: 'notice',
      title: 'Lịch thu đảng phí quý IV',
      body: 'Các đồng chí lưu ý:\n\n- Nộp trước **ngày 20/12**\n- Nộp cho đồng chí Tám',
      attachments: [
        { filename: 'bang-muc-dong.pdf', mime: 'application/pdf', data: await pdfOf('Mức đóng đảng phí: 1% lương.') },
      ],
    });
    const notice = await chat.comeBack();
    expect(notice).toContain('📢 Thông báo: Lịch thu đảng phí quý IV');
    expect(notice).toContain('Xem toàn văn và tệp đính kèm');
    // The list runs as a list on the phone, not one line.
    expect(notice).toMatch(/Nộp trước ngày 20\/12\n.*Nộp cho đồng chí Tám/);

    await chat.page.getByRole('link', { name: 'Xem toàn văn và tệp đính kèm' }).last().click();
    const view = chat.page;
    await view.getByRole('heading', { name: 'Lịch thu đảng phí quý IV' }).waitFor();
    const download = view.waitForEvent('download');
    await view.getByRole('link', { name: 'bang-muc-dong.pdf' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('bang-muc-dong.pdf');
    expect(pdfPages(await downloaded(file)).join('')).toContain('Mức đóng đảng phí: 1% lương.');
    expect(await overflowing(view)).toBeNull();
    await j.shot(view, 'notice-web-view', true);
    await view.getByRole('button', { name: 'Đã đọc' }).click();
    await view.getByText('Đồng chí đã xác nhận đã đọc').waitFor();
    await j.shot(view, 'notice-read');
    const [{ readAt }] = await j.h.t.db.query<{ readAt: Date | null }>(
      `select r.read_at as "readAt" from notice_recipients r join notices n on n.id = r.notice_id
        where n.title = 'Lịch thu đảng phí quý IV' and r.member_id = $1`,
      [bay.id],
    );
    expect(readAt).not.toBeNull();

    // Back in the chat: the history is there as earlier messages, not replayed as new.
    await view.goBack();
    await view.goBack();
    await chat.page.getByText('Tin nhắn đã nhận trước đây').waitFor();
    expect(await chat.page.locator('#log .msg.bot.old').count()).toBeGreaterThan(3);
    // The closed resolution vote reads as closed; the admission ballot still open keeps its buttons.
    const resolutionMessage = chat.page.locator('#log .msg.bot', { hasText: '🗳 Thông qua nghị quyết' }).first();
    expect(await resolutionMessage.textContent()).toContain('🔒 Biểu quyết này đã kết thúc.');
    expect(await resolutionMessage.getByRole('button').count()).toBe(0);
    const admissionMessage = chat.page.locator('#log .msg.bot', { hasText: '🗳 Kết nạp đảng viên' }).first();
    expect(await admissionMessage.getByRole('button', { name: 'Tán thành', exact: true }).count()).toBe(1);
    const list = await chat.press('Thông báo mới');
    expect(list).toContain('Lịch thu đảng phí quý IV');
    expect(list).not.toContain('🔴 Thông báo: Lịch thu đảng phí quý IV');
    const opened = await chat.press('Đọc 1');
    expect(opened).toContain('📎 Tệp đính kèm: bang-muc-dong.pdf.');
    expect(opened).toContain('Xem toàn văn và tệp đính kèm');
  });

  it('asks the assistant, and a stray number is not taken for a question', async () => {
    const answer = await chat.say('thu tuc ket nap dang vien');
    expect(answer).toMatch(/kết nạp/i);
    expect(answer).toContain('Tài liệu mẫu');
    const stray = await chat.say('0');
    expect(stray).toContain('không có bước nào đang chờ một con số');
    await j.shot(chat.page, 'assistant');
  });

  it('sends feedback; the page reloaded mid-step keeps the step', async () => {
    expect(await chat.press('Phản ánh')).toContain('gõ nội dung phản ánh');
    await chat.reload();
    // Said once, after the reload; a notice pushed meanwhile may land after it, so it need not be the last.
    expect((await chat.botMessages()).filter((m) => m.includes('bước này vẫn được giữ'))).toHaveLength(1);
    // The web chat cannot send a photo: no step offers one, the text is sent at once.
    const sent = await chat.say('Đèn đường ngõ 3 hỏng đã hai tuần');
    expect(sent).toMatch(/Đã gửi phản ánh #\d+/);
    expect(sent).not.toContain('ảnh');
    const [fb] = await j.h.t.db.query<{ body: string }>(`select body from feedback where member_id = $1`, [bay.id]);
    expect(fb.body).toBe('Đèn đường ngõ 3 hỏng đã hai tuần');
  });

  it('gets a task from the resolution and reports it done', async () => {
    await adoptResolution(j.h.deps, sec.principal, {
      meetingId,
      body: 'Chi bộ thống nhất thu đảng phí quý IV trước ngày 20/12.',
      tasks: [
        { assigneeMemberId: bay.id, title: 'Vận động quần chúng Lê Mới học lớp cảm tình Đảng', dueOn: '2026-12-30' },
      ],
    });
    const task = await chat.comeBack();
    expect(task).toContain('Vận động quần chúng Lê Mới học lớp cảm tình Đảng');
    expect(await chat.press('Báo đã xong')).toContain('Đã ghi nhận hoàn thành: Vận động quần chúng Lê Mới');
    await j.shot(chat.page, 'task-done');
    expect(await overflowing(chat.page)).toBeNull();
  });

  it('the admission is counted: her encrypted ballot is on the board, which verifies, and counts', async () => {
    const { deps } = j.h;
    // The three in the room voted on paper: two for, one against.
    await recordPaperBallots(deps, sec.principal, {
      motionId: admissionId,
      counts: { for: 2, against: 1, abstain: 0 },
    });
    await closeMotion(deps, sec.principal, admissionId, { confirm: true });
    const result = await chat.comeBack();
    expect(result).toContain('Tán thành 3, không tán thành 1, không biểu quyết 0.');
    const board = (await loadBulletinBoard(j.h.t.db, admissionId))!;
    expect(board.ballots.map((b) => b.tracker)).toEqual([herTracker]);
    const verdict = verifyBoard(board);
    expect(verdict.ok).toBe(true);
    expect(verdict.totals.map((x) => x.total)).toEqual([3, 1, 0]);
  });

  it('unlinks before handing the phone on; the chat then says how to link again instead of going silent', async () => {
    expect(await chat.say('hủy liên kết')).toContain('Đã hủy liên kết.');
    await chat.page.fill('#text', 'lịch họp');
    await chat.page.press('#text', 'Enter');
    await chat.page.getByRole('alert').getByText('Xin bí thư chi bộ cấp mã liên kết').waitFor();
    await chat.page.getByText('Chưa có mã? Đồng chí xin bí thư chi bộ cấp mã liên kết').waitFor();
    expect(await chat.page.locator('#send').isHidden()).toBe(true);
    // Nothing of her conversation stays for the next person holding the phone.
    expect(await chat.botMessages()).toEqual([]);
    expect(await chat.page.locator('#who').textContent()).toBe('');
    // Where she is looking: the sign-in box is on screen, its field ready for the new code.
    expect(await chat.page.evaluate(() => document.getElementById('signin')!.getBoundingClientRect().top)).toBeLessThan(
      200,
    );
    expect(await overflowing(chat.page)).toBeNull();
    await j.shot(chat.page, 'unlinked');
  });

  it('met no script error on any page', () => {
    expect(j.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});
