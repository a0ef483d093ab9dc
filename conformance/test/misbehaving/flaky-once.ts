/** Misbehaving adapter 'flaky-once' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('flaky-once');
