/**
 * The web chat's in-browser encryption (bot/web/ballot-client.ts, @noble/curves) against the
 * service's own verifier (api/meetings/ballot-crypto.ts, libsodium): what the browser makes must
 * be accepted unchanged, and an audit must be checkable by both.
 */
import { describe, expect, it } from 'vitest';
import {
  type BallotContext,
  ballotTracker,
  keyPairFromSeed,
  randomSeed,
  verifyBallot,
  verifyOpenedBallot,
} from '../../api/meetings/ballot-crypto.ts';
import { encryptBallot, openedChoices, tracker } from '../../bot/web/ballot-client.ts';
import { type OpenedBallot, verifyAudit } from '../../api/cli/verify-ballots.ts';

const keys = keyPairFromSeed(randomSeed());
const motion: BallotContext = {
  motionId: 41,
  publicKey: keys.publicKey,
  choices: ['for', 'against', 'abstain'],
  marks: { exactly: 1 },
};

describe('a ballot encrypted in the browser', () => {
  it('is accepted by the service verifier, with the tracker the service computes', () => {
    for (const choice of [0, 1, 2]) {
      const { ballot, tracker: shown } = encryptBallot(motion, [choice]);
      expect(verifyBallot(motion, ballot)).toBe(true);
      expect(shown).toBe(ballotTracker(ballot));
      expect(tracker(ballot)).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    }
  });

  it('an election ballot keeping names up to the seats verifies; one for another motion or key does not', () => {
    const election: BallotContext = { ...motion, motionId: 42, choices: ['7', '9', '12'], marks: { atMost: 2 } };
    for (const kept of [[], [1], [0, 2]])
      expect(verifyBallot(election, encryptBallot(election, kept).ballot)).toBe(true);
    const { ballot } = encryptBallot(motion, [0]);
    expect(verifyBallot({ ...motion, motionId: 43 }, ballot)).toBe(false);
    expect(verifyBallot({ ...motion, publicKey: keyPairFromSeed(randomSeed()).publicKey }, ballot)).toBe(false);
  });

  it('cannot mark two choices of a motion: the browser refuses to prove it', () => {
    expect(() => encryptBallot(motion, [0, 1])).toThrow(/number of choices/);
  });

  it('an audit opens to the choice encrypted, checked by the browser and by the service alike', () => {
    const { ballot, opening } = encryptBallot(motion, [1]);
    expect(openedChoices(motion, ballot, opening)).toEqual([1]);
    expect(verifyOpenedBallot(motion, ballot, opening)).toEqual([1]);
    // an opening that claims another choice for the same ciphertexts is caught by both
    const lie = { ...opening, marks: [1, 0, 0] };
    expect(openedChoices(motion, ballot, lie)).toBeNull();
    expect(verifyOpenedBallot(motion, ballot, lie)).toBeNull();
  });

  it('`verify-ballots --audit` accepts what the page shows after an audit, and names a lie', () => {
    const made = encryptBallot(motion, [2]);
    const shown: OpenedBallot = {
      format: 'so-tay-ballot-audit/1',
      ...motion,
      choice: 'abstain',
      ballot: made.ballot,
      opening: made.opening,
      tracker: made.tracker,
    };
    expect(verifyAudit(shown)).toEqual({ ok: true, problems: [], choices: ['abstain'] });
    expect(verifyAudit({ ...shown, choice: 'for' }).problems).toEqual([
      'Phiếu mã hóa lựa chọn "abstain", không phải "for".',
    ]);
    const otherRandomness = encryptBallot(motion, [2]).opening.randomness;
    expect(verifyAudit({ ...shown, opening: { ...made.opening, randomness: otherRandomness } }).ok).toBe(false);
    expect(verifyAudit({ ...shown, tracker: 'AAAAA-AAAAA' }).problems).toContain(
      'Mã phiếu AAAAA-AAAAA không khớp với phiếu mã hóa của nó.',
    );
  });
});
