/**
 * The toast a tap gets at once (issue 31): short, Vietnamese, and the same words whatever was
 * chosen — a secret ballot's choice must not show on the member's screen or in the platform.
 */
import { describe, expect, it } from 'vitest';
import { encodeAction } from '../../bot/core/actions.ts';
import { MAX_TAP_ACK_CHARS, tapAcknowledgement } from '../../bot/core/tap-ack.ts';
import { CHOICE_LABELS } from '../../api/meetings/vocabulary.ts';
import { DISCIPLINE_LABELS } from '../../api/rules/discipline.ts';

describe('the answer to a tap', () => {
  it('is one text for every vote choice, and names none of them', () => {
    const choices = [...Object.keys(CHOICE_LABELS), ...Object.keys(DISCIPLINE_LABELS)];
    const labels = [...Object.values(CHOICE_LABELS), ...Object.values(DISCIPLINE_LABELS)];
    const texts = new Set(
      choices.map((choice) => tapAcknowledgement(encodeAction({ kind: 'vote', motionId: 9, choice }))),
    );
    expect(texts).toEqual(new Set(['Đã ghi nhận phiếu']));
    for (const label of labels) expect('Đã ghi nhận phiếu').not.toContain(label);
  });

  it('says what was taken for a check-in, an answer, a read notice; nothing for other buttons', () => {
    expect(tapAcknowledgement(encodeAction({ kind: 'menu', item: 'checkin' }))).toBe('Đã ghi nhận điểm danh');
    expect(tapAcknowledgement(encodeAction({ kind: 'notice-read', noticeId: 3 }))).toBe('Đã ghi nhận: đã đọc');
    expect(tapAcknowledgement(encodeAction({ kind: 'attend', meetingId: 3, attending: true }))).toBe(
      'Đã ghi nhận trả lời',
    );
    expect(tapAcknowledgement(encodeAction({ kind: 'menu', item: 'help' }))).toBeUndefined();
    // Forged or stale data gets no claim that anything was recorded.
    expect(tapAcknowledgement('v:abc:for')).toBeUndefined();
    expect(tapAcknowledgement('x'.repeat(300))).toBeUndefined();
    const all = ['v:1:for', 'a:1:y', 'xong:1', 'dadoc:1'].map(tapAcknowledgement);
    for (const text of all) expect((text ?? '').length).toBeLessThanOrEqual(MAX_TAP_ACK_CHARS);
  });
});
