/**
 * Who is elected (QĐ 190-QĐ/TW 2024; rules.md §8): more than half of the votes compared with
 * the number summoned (the vote base), within the seats, highest counts first. A tie at the
 * last seat, or fewer elected than seats, leaves seats for a further round.
 */
import type { Fraction } from './meeting-rules.ts';
import { reaches } from './vote-math.ts';

export interface ElectionOutcome {
  /** Candidate ids elected, highest count first. */
  elected: number[];
  /**
   * Seats left, and the candidates a further round is among (tied or not yet elected); null when all
   * seats are filled.
   */
  furtherRound: { seats: number; candidates: number[]; reason: 'tie' | 'too_few' } | null;
  /** Every candidate with its count, highest first. */
  ranking: { candidate: number; votes: number; passed: boolean }[];
}

export function decideElection(
  votes: Map<number, number>,
  candidates: number[],
  base: number,
  seats: number,
  threshold: Fraction,
): ElectionOutcome {
  const ranking = candidates
    .map((c) => ({
      candidate: c,
      votes: votes.get(c) ?? 0,
      passed: base > 0 && reaches(votes.get(c) ?? 0, base, threshold),
    }))
    .sort((a, b) => b.votes - a.votes || a.candidate - b.candidate);
  const passing = ranking.filter((r) => r.passed);
  if (passing.length > seats && passing[seats].votes === passing[seats - 1].votes) {
    // A tie at the last seat: those above the tie are elected; the tied go to a further round.
    const cut = passing[seats - 1].votes;
    const elected = passing.filter((r) => r.votes > cut).map((r) => r.candidate);
    const tied = passing.filter((r) => r.votes === cut).map((r) => r.candidate);
    return { elected, ranking, furtherRound: { seats: seats - elected.length, candidates: tied, reason: 'tie' } };
  }
  const elected = passing.slice(0, seats).map((r) => r.candidate);
  if (elected.length < seats) {
    const rest = ranking.filter((r) => !elected.includes(r.candidate)).map((r) => r.candidate);
    return {
      elected,
      ranking,
      furtherRound: rest.length ? { seats: seats - elected.length, candidates: rest, reason: 'too_few' } : null,
    };
  }
  return { elected, ranking, furtherRound: null };
}
