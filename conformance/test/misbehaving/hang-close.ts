/** Misbehaving adapter 'hang-close' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('hang-close');
