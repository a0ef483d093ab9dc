/** Misbehaving adapter 'huge-strings' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('huge-strings');
