/** Misbehaving adapter 'slow-calls' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('slow-calls');
