/**
 * The secretary's evening (issue 24): on her phone (the web chat at 390 px) she schedules the
 * meeting with its agenda, opens it (hours early: she confirms), shows the room's QR code and
 * names the chair and the minute-taker; members in the room check in with the QR code's deep
 * link on Telegram, one member follows online on Zalo. On the office PC (the console at
 * 1366 px) she sends the documents the day before, saves the roll in one form, runs the
 * discipline ballot with its paper count, and after the evening downloads the minutes as DOCX
 * and PDF — read back here —, publishes a notice with an attachment and reminds those who have
 * not read it. Votes: an open resolution by show of hands, an admission by secret ballot with
 * the room's paper count entered step by step in chat, a discipline ballot in the console.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { linkChat, makeMember, makeOrgTree, makeSecretary } from '../factories/index.ts';
import { issueLinkCode } from '../../api/chat-accounts/issue-link-code.ts';
import { readQr, telegramDriver, zaloDriver, type ChannelDriver } from '../support/bot-harness.ts';
import type { Member } from '../../api/members/repository.ts';
import { describeJourney, OFFICE_PC, overflowing, PHONE, startJourney, type Journey } from './harness/journey.ts';
import { WebChatPerson } from './harness/web-chat.ts';
import { docxText, downloaded, pdfOf, pdfPages } from './harness/documents.ts';
import { waitFor } from '../fakes/http.ts';

const TG = '4242:JOURNEY';
const ZL = 'zalo-journey';

describeJourney('the secretary’s evening, on her phone and the office PC', () => {
  let j: Journey;
  let phone: WebChatPerson;
  let office: Page;
  let officeContext: BrowserContext;
  let tg: ChannelDriver;
  let zl: ChannelDriver;
  let sec: Awaited<ReturnType<typeof makeSecretary>>;
  let tree: Awaited<ReturnType<typeof makeOrgTree>>;
  const room: { member: Member; chat: { id: string } }[] = [];
  let online: { member: Member; chat: { id: string } };
  let away: Member;
  let late: Member;
  let meetingId: number;

  beforeAll(async () => {
    j = await startJourney('secretary-evening', { telegram: [TG], zalo: [ZL] });
    const { t, deps } = j.h;
    tree = await makeOrgTree(t.db);
    sec = await makeSecretary(t.db, tree.cellA, { fullName: 'Trần Thị Hoa' });
    const names = ['Nguyễn Văn An', 'Lê Thị Bình', 'Phạm Văn Cường', 'Hoàng Thị Dung', 'Vũ Văn Em'];
    for (const [i, fullName] of names.entries()) {
      const member = await makeMember(t.db, tree.cellA, { fullName });
      const chat = { id: String(81000 + i) };
      await linkChat(t.db, member, 'telegram', chat.id, 'telegram');
      room.push({ member, chat });
    }
    const onlineMember = await makeMember(t.db, tree.cellA, { fullName: 'Đỗ Thị Giang' });
    await linkChat(t.db, onlineMember, 'zalo', 'zg-1', 'zalo');
    online = { member: onlineMember, chat: { id: 'zg-1' } };
    away = await makeMember(t.db, tree.cellA, { fullName: 'Bùi Văn Hải' });
    late = await makeMember(t.db, tree.cellA, { fullName: 'Ngô Thị Khánh' });
    tg = telegramDriver(deps, j.h.telegram, TG, 'telegram', 'polling');
    zl = zaloDriver(deps, j.h.zalo, ZL, 'zalo', 'polling');
    const { code } = await issueLinkCode(deps, sec.principal, sec.member.id);
    phone = await WebChatPerson.open(await j.device(PHONE), j.h.svc.baseUrl, code);
  });
  afterAll(async () => {
    await j?.close();
  });

  const tomorrow = () => {
    const d = new Date(Date.now() + 7 * 3600_000 + 86_400_000);
    return { day: d.getUTCDate(), month: d.getUTCMonth() + 1, year: d.getUTCFullYear() };
  };

  /** The console's meeting page in her phone's browser (the office's session): what sticks out, if anything. */
  const meetingPageOnPhone = async (shot: string) => {
    const context = await j.device(PHONE);
    await context.addCookies(await officeContext.cookies());
    const page = await context.newPage();
    await page.goto(`${j.h.svc.baseUrl}/console/meetings/${meetingId}`);
    await page.getByRole('heading', { level: 1, name: /^Sinh hoạt thường kỳ/ }).waitFor();
    await j.shot(page, shot, true);
    const wide = await overflowing(page);
    await context.close();
    return wide;
  };

  it('schedules tomorrow’s meeting with its agenda from the phone; members are invited', async () => {
    const { day, month, year } = tomorrow();
    const asked = await phone.say(
      `lên lịch họp ${day}/${month} 19:00 tại Hội trường thôn\n1. Thông tin thời sự\n2. Kết nạp quần chúng Lê Mới\n` +
        '3. Kiểm điểm đồng chí Vũ Văn Em',
    );
    const dd = String(day).padStart(2, '0');
    const mm = String(month).padStart(2, '0');
    expect(asked).toContain(`lúc 19:00 ngày ${dd}/${mm}/${year} tại Hội trường thôn?`);
    expect(asked).toContain('Nội dung:\n1. Thông tin thời sự\n2. Kết nạp quần chúng Lê Mới');
    expect(await phone.press('Xác nhận')).toContain('Đã lên lịch họp lúc 19:00');
    const [m] = await j.h.t.db.query<{ id: number }>(`select id from meetings where cell_id = $1`, [tree.cellA.id]);
    meetingId = m.id;
    await j.h.telegram.waitForSent(Number(room[0].chat.id));
    expect(tg.received(room[0].chat.id).join()).toContain('Hội trường thôn');
    expect(await overflowing(phone.page)).toBeNull();
    await j.shot(phone.page, 'scheduled');
  });

  it('signs in to the console on the office PC and sends the documents a day before', async () => {
    const answer = await phone.say('quản trị');
    expect(answer).toContain('Đường dẫn vào trang quản trị');
    const href = await phone.page.getByRole('link', { name: 'Mở trang quản trị' }).last().getAttribute('href');
    officeContext = await j.device(OFFICE_PC);
    office = await officeContext.newPage();
    // The link names the service as its configuration does (localhost); the journey keeps one host.
    await office.goto(`${j.h.svc.baseUrl}${new URL(href!).pathname}`);
    await office.getByRole('button', { name: 'Vào trang quản trị' }).click();
    await office.getByRole('heading', { name: /Xin chào đồng chí/ }).waitFor();
    await office.goto(`${j.h.svc.baseUrl}/console/meetings/${meetingId}`);
    await office.getByRole('heading', { level: 1, name: /^Sinh hoạt thường kỳ/ }).waitFor();
    await office.fill('#dtitle', 'Dự thảo nghị quyết tháng 12');
    await office.fill('#dbody', 'Chi bộ tập trung ba nhiệm vụ trọng tâm của tháng 12.');
    await office.getByRole('button', { name: 'Gửi tài liệu' }).click();
    await office.getByText('Dự thảo nghị quyết tháng 12 — gửi').waitFor();
    await j.h.telegram.waitForSent(Number(room[1].chat.id), 2);
    expect(tg.received(room[1].chat.id).join('\n')).toContain('Dự thảo nghị quyết tháng 12');
    await j.shot(office, 'documents-sent');
  });

  it('opens the meeting hours early only after confirming, and shows the room QR code', async () => {
    const early = await phone.say('mở họp');
    expect(early).toMatch(/còn \d+ giờ \d+ phút nữa/);
    expect(early).toContain('Nếu vẫn bắt đầu họp ngay bây giờ, hãy xác nhận.');
    const [before] = await j.h.t.db.query<{ status: string }>(`select status from meetings where id = $1`, [meetingId]);
    expect(before.status).toBe('scheduled');
    const opened = await phone.press('Xác nhận bắt đầu họp');
    expect(opened).toContain('Buổi họp đã bắt đầu.');
    const qr = await phone.page.locator('#log img').last().getAttribute('src');
    const code = /diemdanh (\d{6})/.exec(readQr(Buffer.from(qr!.split(',')[1], 'base64')))![1];
    await j.shot(phone.page, 'room-qr-code');

    // Members in the room scan it: Telegram opens the bot on /start diemdanh_<code>.
    for (const r of room) expect((await tg.say(r.chat, `/start diemdanh_${code}`)).join()).toMatch(/điểm danh/i);
    // A stale or mistyped code is refused and counts nobody.
    expect((await tg.say(room[0].chat, '/start diemdanh_000000')).join()).toMatch(/không đúng|đã điểm danh/);
    // The member online checks in from Zalo.
    expect((await zl.say(online.chat, 'điểm danh')).join()).toMatch(/điểm danh/i);
  });

  it('saves the roll in one form: herself and a latecomer present, a reason for the one away', async () => {
    await office.goto(`${j.h.svc.baseUrl}/console/meetings/${meetingId}`);
    await office.getByRole('checkbox', { name: 'Có mặt: Trần Thị Hoa' }).check();
    await office.getByRole('checkbox', { name: `Có mặt: ${late.fullName}` }).check();
    await office.getByRole('combobox', { name: `Lý do vắng: ${away.fullName}` }).selectOption('trip');
    expect(await overflowing(office)).toBeNull();
    // What the browser posts, kept to post it a second time below (a double click, a resubmit).
    const form = await office.evaluate(() => {
      const f = document.querySelector<HTMLFormElement>('form[action$="/roll"]')!;
      return { action: f.action, body: new URLSearchParams(new FormData(f) as unknown as string[][]).toString() };
    });
    await office.getByRole('button', { name: 'Lưu điểm danh' }).click();
    await office.getByText('Đã lưu điểm danh.').waitFor();
    // Back at the roll, not at the top of the page.
    expect(new URL(office.url()).hash).toBe('#diem-danh');
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text keeps each cell apart
    const roll = await office.locator('form[action$="/roll"] table').innerText();
    expect(roll).toMatch(/Trần Thị Hoa\s+Có mặt/);
    expect(roll).toMatch(/Ngô Thị Khánh\s+Có mặt/);
    expect(roll).toMatch(/Bùi Văn Hải\s+Vắng\s+Đi công tác/);
    // Her reason stays chosen in the form, so saving the roll again keeps it.
    expect(await office.getByRole('combobox', { name: `Lý do vắng: ${away.fullName}` }).inputValue()).toBe('trip');
    await j.shot(office, 'roll-saved', true);
    const present = async () =>
      (
        await j.h.t.db.query<{ n: number }>(
          `select count(*)::int as n from meeting_attendance where meeting_id = $1 and checked_in_at is not null`,
          [meetingId],
        )
      )[0].n;
    expect(await present()).toBe(8);
    // The same form posted again: answered with the page, and nobody counted twice.
    const status = await office.evaluate(
      ({ action, body }) =>
        fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(
          (r) => r.status,
        ),
      form,
    );
    expect(status).toBe(200);
    expect(await present()).toBe(8);
  });

  it('names the chair and the minute-taker from the phone', async () => {
    const list = await phone.say('chủ trì');
    const number = (name: string) => /(\d+)\. /.exec(list.split('\n').find((l) => l.endsWith(name))!)![1];
    expect(await phone.say(number('Trần Thị Hoa'))).toContain('Đồng chí nào làm thư ký?');
    expect(await phone.say(number('Lê Thị Bình'))).toContain(
      'Đã ghi: chủ trì đồng chí Trần Thị Hoa, thư ký đồng chí Lê Thị Bình',
    );
  });

  it('runs an open vote by show of hands, step by step on the phone', async () => {
    expect(await phone.press('Mở biểu quyết')).toContain('Mở biểu quyết — bước 1/2.');
    // The title names its kind (a resolution, voted openly): no further question.
    const opened = await phone.say('Thông qua nghị quyết tháng 12');
    expect(opened).toContain('Đã mở biểu quyết (công khai): Thông qua nghị quyết tháng 12');
    // The online member votes from Zalo.
    await zl.say(online.chat, 'bieuquyet');
    expect((await zl.choose(online.chat, 'Tán thành')).join()).toContain('Đã ghi nhận phiếu');
    expect(await phone.press('Ghi kết quả giơ tay')).toContain('Số tán thành?');
    await phone.say('7');
    await phone.say('0');
    await phone.say('0');
    const closed = await phone.press('Kết thúc biểu quyết');
    expect(closed).toContain('THÔNG QUA');
  });

  it('runs the admission by secret ballot: the paper count entered step by step before closing', async () => {
    await phone.press('Mở biểu quyết');
    expect(await phone.say('Kết nạp quần chúng Lê Mới')).toContain('công khai hay bỏ phiếu kín?');
    const opened = await phone.press('Bỏ phiếu kín');
    expect(opened).toContain('bỏ phiếu kín');
    expect(opened).toContain('phieugiay');
    const status = await phone.say('tình hình');
    expect(status).toContain('Cần ít nhất 2/3');
    expect(status).not.toContain('trên một nửa');
    await zl.say(online.chat, 'bieuquyet');
    expect((await zl.choose(online.chat, 'Tán thành')).join()).toContain('phiếu kín');
    const refused = await phone.press('Kết thúc biểu quyết');
    expect(refused).toContain('chưa có số phiếu giấy');
    const [open] = await j.h.t.db.query<{ status: string }>(
      `select status from motions where meeting_id = $1 and kind = 'admission'`,
      [meetingId],
    );
    expect(open.status).toBe('open');
    expect(await phone.press('Nhập phiếu giấy')).toContain('Số phiếu «Tán thành»?');
    // A reload in the middle of the count: the step is kept and asked again.
    await phone.reload();
    // The question is still on screen. Under load the vote's result and the ballot's notice, pushed to every
    // member and to her too, may land after it (as on Telegram), so the newest paper-count message is read,
    // not the newest message.
    const count = (await phone.botMessages()).filter((m) => m.includes('Phiếu giấy tại phòng họp'));
    expect(count.at(-1)).toContain('Số phiếu «Tán thành»?');
    expect(await phone.say('6')).toContain('Số phiếu «Không tán thành»?');
    expect(await phone.say('1')).toContain('Số phiếu «Không biểu quyết»?');
    expect(await phone.say('0')).toContain('Đã ghi số phiếu giấy.');
    const result = await phone.press('Kết thúc biểu quyết');
    expect(result).toContain('Tán thành 7, không tán thành 1, không biểu quyết 0.');
    await j.shot(phone.page, 'admission-result');
  });

  it('runs the discipline ballot in the console, with its paper count there', async () => {
    await office.goto(`${j.h.svc.baseUrl}/console/meetings/${meetingId}`);
    await office.selectOption('#mkind', 'discipline');
    await office.selectOption('#msubject', { label: 'Vũ Văn Em' });
    await office.fill('#mtitle', 'Kỷ luật đồng chí Vũ Văn Em');
    await office.getByRole('button', { name: 'Mở biểu quyết' }).click();
    await office.getByText('Đã mở biểu quyết').waitFor();
    await office.getByRole('button', { name: 'Không có phiếu giấy' }).click();
    await office
      .getByText(/phiếu giấy/)
      .first()
      .waitFor();
    await office.getByLabel('Xác nhận kết thúc dù ít phiếu').check();
    await office.getByRole('button', { name: 'Kết thúc biểu quyết' }).click();
    await office
      .getByText(/KHÔNG THÔNG QUA|THÔNG QUA/)
      .first()
      .waitFor();
    await j.shot(office, 'discipline-closed', true);
  });

  it('reads the running meeting’s page, its forms too, on her phone: no sideways scrolling', async () => {
    expect(await meetingPageOnPhone('meeting-running-390')).toBeNull();
  });

  it('publishes the resolution with a task, closes the meeting with confirmation', async () => {
    await office.goto(`${j.h.svc.baseUrl}/console/meetings/${meetingId}`);
    await office.fill('#rbody', 'Chi bộ thống nhất ba nhiệm vụ trọng tâm tháng 12.');
    await office.selectOption('#tassignee', { label: 'Nguyễn Văn An' });
    await office.fill('#ttitle', 'Hướng dẫn quần chúng Lê Mới hoàn thiện hồ sơ');
    // A day that does not exist: the form comes back as typed, saying what to fix; nothing is published.
    await office.fill('#tdue', '31/02/2027');
    await office.getByRole('button', { name: 'Đăng nghị quyết' }).click();
    await office.getByRole('alert').filter({ hasText: 'Ngày không hợp lệ' }).waitFor();
    expect(await office.inputValue('#rbody')).toBe('Chi bộ thống nhất ba nhiệm vụ trọng tâm tháng 12.');
    expect(await office.inputValue('#ttitle')).toBe('Hướng dẫn quần chúng Lê Mới hoàn thiện hồ sơ');
    expect(await office.locator('#tassignee option:checked').textContent()).toBe('Nguyễn Văn An');
    expect(await office.inputValue('#tdue')).toBe('31/02/2027');
    await j.shot(office, 'resolution-refused');
    await office.getByRole('link', { name: 'Sửa ở biểu mẫu' }).click();
    await office.fill('#tdue', '31/12/2026');
    await office.getByRole('button', { name: 'Đăng nghị quyết' }).click();
    await office.getByText('Đã đăng nghị quyết và giao nhiệm vụ').waitFor();
    await j.h.telegram.waitForSent(Number(room[0].chat.id), 1);
    expect((await phone.say('thông qua biên bản')).toString()).toMatch(/đã được đọc lại và thông qua/);
    const asked = await phone.say('kết thúc họp');
    expect(asked).toContain('ketthuchop xác nhận');
    expect(await phone.press('Xác nhận kết thúc họp')).toContain('Đã kết thúc buổi họp.');
  });

  it('reads the closed meeting’s page on her phone: no sideways scrolling', async () => {
    expect(await meetingPageOnPhone('meeting-closed-390')).toBeNull();
  });

  it('downloads the minutes as DOCX and PDF, and they say what happened', async () => {
    await office.goto(`${j.h.svc.baseUrl}/console/meetings/${meetingId}`);
    const docxDownload = office.waitForEvent('download');
    await office.getByRole('link', { name: 'DOCX' }).click();
    const docx = await docxText(await downloaded(await docxDownload));
    expect(docx).toContain('Chủ trì: đồng chí Trần Thị Hoa. Thư ký: đồng chí Lê Thị Bình.');
    expect(docx).toContain('II. NỘI DUNG 1. Thông tin thời sự 2. Kết nạp quần chúng Lê Mới');
    expect(docx).toContain('Vắng có lý do: Bùi Văn Hải (Đi công tác)');
    expect(docx).not.toMatch(/Vắng không lý do:[^.]*Trần Thị Hoa/);
    expect(docx).toContain('Biên bản đã được đọc lại và thông qua lúc');
    const pdfDownload = office.waitForEvent('download');
    await office.getByRole('link', { name: 'PDF' }).click();
    const pages = pdfPages(await downloaded(await pdfDownload));
    const last = pages.at(-1)!;
    // The signature block on one page: both titles and both names together.
    for (const text of ['THƯ KÝ', 'CHỦ TRÌ', 'Lê Thị Bình', 'Trần Thị Hoa']) expect(last).toContain(text);
    expect(pages.join('\n')).toContain('Kết nạp quần chúng Lê Mới');
  });

  it('publishes a notice with an attachment, then reminds those who have not read it', async () => {
    await office.goto(`${j.h.svc.baseUrl}/console/units/${tree.cellA.id}/notices`);
    await office.fill('#ntitle', 'Kế hoạch thu đảng phí quý IV');
    await office.fill('#nbody', 'Các đồng chí nộp đảng phí quý IV:\n\n- trước **ngày 20/12**\n- cho đồng chí Bình');
    await office.getByLabel('Tệp đính kèm (PDF, DOCX, ảnh PNG/JPEG)').setInputFiles({
      name: 'ke-hoach.pdf',
      mimeType: 'application/pdf',
      buffer: await pdfOf('Kế hoạch thu đảng phí quý IV'),
    });
    await office.getByRole('button', { name: 'Đăng thông báo' }).click();
    await office.getByText('Đã đăng thông báo').waitFor();
    // Earlier messages to this member (the resolution) are already there: wait for the notice itself.
    const sent = await waitFor(
      () => j.h.telegram.sentTo(room[2].chat.id).find((m) => m.text?.includes('Kế hoạch thu đảng phí quý IV')),
      10_000,
      'the notice on Telegram',
    );
    // The console's form posts CR LF line ends: still a list, one line each, on Telegram.
    expect(sent.text).toContain('quý IV:\n\n• trước ngày 20/12\n• cho đồng chí Bình');
    expect(sent.text).not.toContain('\r');
    // The emphasis the secretary typed (**ngày 20/12**) shows in bold on Telegram, with no markup left.
    const at = sent.text!.indexOf('ngày 20/12');
    expect(sent.entities).toEqual([{ type: 'bold', offset: at, length: 'ngày 20/12'.length }]);
    await office.getByRole('button', { name: /Nhắc/ }).first().click();
    await office.getByText('Đã xếp gửi lời nhắc').waitFor();
    await j.shot(office, 'notice-reminded', true);
    expect(j.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});
