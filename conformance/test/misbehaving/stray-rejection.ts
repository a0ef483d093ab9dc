/** Misbehaving adapter 'stray-rejection' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('stray-rejection');
