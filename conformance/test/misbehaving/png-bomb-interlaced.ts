/** Misbehaving adapter 'png-bomb-interlaced' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('png-bomb-interlaced');
