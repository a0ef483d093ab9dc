/** Misbehaving adapter 'hang-observe-in-walks' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('hang-observe-in-walks');
