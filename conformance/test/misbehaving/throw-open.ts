/** Misbehaving adapter 'throw-open' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('throw-open');
