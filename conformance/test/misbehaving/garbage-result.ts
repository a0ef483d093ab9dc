/** Misbehaving adapter 'garbage-result' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('garbage-result');
