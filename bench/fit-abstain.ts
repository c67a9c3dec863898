/**
 * Fitting the abstention model (knowledge/abstain.ts): an L2-regularised logistic regression
 * on standardised features, the two classes weighted equally (answerable questions outnumber
 * unanswerable ones), by plain gradient descent — deterministic, no library. The decision
 * threshold on p(answerable) is then the one that declines the most unanswerable questions
 * while declining at most `maxWrong` of the answerable ones, on the same training data;
 * k-fold cross-validation repeats both on k−1 folds and scores the k-th.
 */
import { type AbstainFeatures, type AbstainModel, answerability, type FeatureName } from '../knowledge/abstain.ts';

export interface Example {
  /** Questions sharing a group (a question and its variants) stay in one fold. */
  group: string;
  features: AbstainFeatures;
  answerable: boolean;
}

const L2 = 0.01;
const STEPS = 3000;
const RATE = 0.5;

export function fitLogistic(examples: Example[], features: FeatureName[], source = ''): AbstainModel {
  const xs = examples.map((e) => features.map((f) => e.features[f]));
  const mean = features.map((_, j) => avg(xs.map((x) => x[j])));
  // A feature that does not vary (a constant column, up to rounding) is left unscaled.
  const sd = features.map((_, j) => {
    const s = Math.sqrt(avg(xs.map((x) => (x[j] - mean[j]) ** 2)));
    return s < 1e-6 ? 1 : s;
  });
  const z = xs.map((x) => x.map((v, j) => (v - mean[j]) / sd[j]));
  const ys = examples.map((e) => (e.answerable ? 1 : 0));
  const positives = ys.filter((y) => y === 1).length;
  // Each class weighs half of the total.
  const weightOf = (y: number) => 0.5 / Math.max(1, y ? positives : ys.length - positives);
  const w = features.map(() => 0);
  let b = 0;
  for (let step = 0; step < STEPS; step++) {
    const gw = w.map((wj) => L2 * wj);
    let gb = 0;
    for (const [i, x] of z.entries()) {
      const p = 1 / (1 + Math.exp(-(b + x.reduce((s, v, j) => s + v * w[j], 0))));
      const g = (p - ys[i]) * weightOf(ys[i]);
      gb += g;
      for (let j = 0; j < w.length; j++) gw[j] += g * x[j];
    }
    b -= RATE * gb;
    for (let j = 0; j < w.length; j++) w[j] -= RATE * gw[j];
  }
  const model: AbstainModel = {
    source,
    features,
    mean: mean.map((m) => round(m)),
    sd: sd.map((s) => round(s)),
    weights: w.map((x) => round(x)),
    bias: round(b),
    threshold: 0.5,
  };
  return { ...model, threshold: chooseThreshold(examples, model) };
}

/** The threshold with the most correct declines while wrong declines stay ≤ maxWrong (ties: the lowest). */
export function chooseThreshold(examples: Example[], model: AbstainModel, maxWrong = 0.05): number {
  const scored = examples.map((e) => ({ p: answerability(e.features, model), answerable: e.answerable }));
  const ps = [...new Set(scored.map((s) => s.p))].sort((a, b) => a - b);
  // Candidates halfway between neighbouring probabilities, so a threshold never sits on an example.
  const candidates = [0, ...ps.slice(1).map((p, i) => (p + ps[i]) / 2), 1];
  const an = scored.filter((s) => s.answerable);
  const un = scored.filter((s) => !s.answerable);
  let best = { t: 0, declines: -1 };
  for (const t of candidates) {
    const wrong = an.filter((s) => s.p < t).length / Math.max(1, an.length);
    const declines = un.filter((s) => s.p < t).length;
    if (wrong <= maxWrong && declines > best.declines) best = { t, declines };
  }
  return round(best.t, 6);
}

export interface CrossValidation {
  /** Out-of-fold p(answerable) and decision per example, in the examples' order. */
  p: number[];
  declined: boolean[];
  thresholds: number[];
}

/** k-fold cross-validation: fitted and thresholded on k−1 folds (by group), applied to the k-th. */
export function crossValidate(examples: Example[], features: FeatureName[], folds: number): CrossValidation {
  const foldOf = examples.map((e) => hashOf(e.group) % folds);
  const p = examples.map(() => 0);
  const declined = examples.map(() => false);
  const thresholds: number[] = [];
  for (let k = 0; k < folds; k++) {
    const model = fitLogistic(
      examples.filter((_, i) => foldOf[i] !== k),
      features,
    );
    thresholds.push(model.threshold);
    for (const [i, e] of examples.entries()) {
      if (foldOf[i] !== k) continue;
      p[i] = answerability(e.features, model);
      declined[i] = p[i] < model.threshold;
    }
  }
  return { p, declined, thresholds };
}

export const hashOf = (s: string) => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
