/** Misbehaving adapter 'null-observe' (issue 11): see misbehave.ts. */
import { misbehavingAdapter } from './misbehave.js';

export default () => misbehavingAdapter('null-observe');
